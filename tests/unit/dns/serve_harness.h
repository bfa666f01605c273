/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the dns_serve suites (tests/unit/dns/test_serve*.c): serving into one
 * reply buffer, the sizes a reply should have, checks of truncated and full replies, and the
 * common templates. Built on dns_test_util.h.
 */
#ifndef SERVE_HARNESS_H
#define SERVE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_query.h"
#include "dns_template.h"
#include "dns_test_util.h"

/* ---- names ---- */

/** @return the length of the uncompressed wire name @p n, root label included. */
size_t name_len(const uint8_t *n);

/* "<n labels of len octets of ch>.<suffix>" in static storage (one buffer per call site). */
const char *long_name(char *out, int n_labels, int len, char ch, const char *suffix);

/* ---- serving ---- */

#define SERVE_RBUF_LEN (65536 + 64)

/* The reply buffer of serve() and serve_parse(). */
extern uint8_t rbuf[SERVE_RBUF_LEN];

/* dns_serve() into rbuf, first filled with 0xee; returns its result. */
int serve(const struct dns_template *t, const struct dns_query *q, uint32_t age, uint32_t rot,
          size_t limit);

/* Serve and read back; returns the reply length. */
int serve_parse(const struct dns_template *t, const struct dns_query *q, uint32_t age,
                uint32_t rot, size_t limit);

/* The length of the whole reply to @p q from @p t (OPT included if @p q had EDNS). */
size_t full_len(const struct dns_template *t, const struct dns_query *q);

/* The length of a TC reply to @p q: header, question and OPT if @p q had EDNS. */
size_t tc_len(const struct dns_query *q);

/* The UDP limit of @p q with our EDNS size. */
uint16_t udp_limit(const struct dns_query *q);

/* The reply of @p len octets in rbuf is a TC reply to @p q: question only, OPT iff @p q's. */
void expect_truncated(const struct dns_query *q, int len);

/* Every RR of the reply equals the template input's (same order), TTLs lowered by @p age. */
void expect_rrs(const struct dt_tb *b, uint32_t age, const bool keep[3]);

/* expect_rrs() with every section kept. */
static const bool ALL[3] = {true, true, true};

/* ---- common templates ---- */

/* www.example.com A 192.0.2.1 with TTL @p ttl. */
struct dt_tb *www_a(uint32_t ttl);

/* Answer, authority with two NS, one big glue AAAA set: 533 octets without OPT. */
struct dt_tb *www_with_big_glue(void);

#endif /* SERVE_HARNESS_H */
