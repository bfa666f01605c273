/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the dns_template suites (tests/unit/dns/test_template*.c): views of a
 * built template's tables, a walk of its body independent of them, and the core check of a
 * template against its input. Built on dns_test_util.h.
 */
#ifndef TEMPLATE_HARNESS_H
#define TEMPLATE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "dns_template.h"
#include "dns_test_util.h"

/* One RR of a body, found by walking it independently of the template's tables. */
struct walk_rr {
	size_t owner;     /* body offset of the owner */
	size_t owner_len; /* bytes of the owner in the body */
	size_t ttl;       /* body offset of the TTL */
	uint16_t type;
	uint32_t ttl_val;
	uint16_t rdlen;
	size_t rdata;     /* body offset of the RDATA */
	size_t end;       /* body offset just past the RR */
};

/* The RRset table of @p t. */
struct dns_tmpl_rrset *t_sets(struct dns_template *t);

/* The TTL offsets of @p t, one per RR. */
uint16_t *t_ttls(struct dns_template *t);

/* Walks the body of @p t into @p rr (room for @p max); returns how many RRs it found. */
size_t walk_body(struct dns_template *t, struct walk_rr *rr, size_t max);

/*
 * The core check: the template is consistent with the input. Walks the body on its own,
 * compares it with the RRset table, the TTL offsets and the counts, and has libknot
 * decode the whole message to the input's owners, types, TTLs and RDATA.
 */
void check_against_input(struct dns_template *t, const struct dt_tb *b);

/* Offset of a name in the body as a compression pointer would carry it. */
uint16_t ptr_to_body(const struct dns_template *t, size_t body_off);

#endif /* TEMPLATE_HARNESS_H */
