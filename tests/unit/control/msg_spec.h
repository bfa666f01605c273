/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Records for msg_builder.h messages written as text, for scripted upstreams:
 *
 *   "SEC OWNER TYPE RDATA; ..."   SEC one of AN, AU, AD; OWNER "@" is the query's name
 *
 * Types A, AAAA (an address), NS, CNAME (a name), MX ("PREF NAME") and SOA (no
 * RDATA: ns1.<owner> hostmaster.<owner>, MINIMUM 60). TTL 3600, or N with SEC
 * written SEC/N ("AN/0 @ A 192.0.2.1"). A spec
 * that does not parse aborts the test with a message on stderr.
 * (tests/unit/control/test_iter.c has older static copies of these.)
 */
#ifndef MSG_SPEC_H
#define MSG_SPEC_H

#include <stdint.h>

#include "msg_builder.h"

/** Wire name to text ("a.b.", "." for the root) into @p out (at least 256 bytes). */
void ms_text_of(const uint8_t *name, char *out);

/** Type code of a mnemonic of the spec language. */
uint16_t ms_type_of(const char *mnemonic);

/** Append one RR (TTL 3600, class IN) to section m->sec with RDATA from @p rdata. */
void ms_rr(struct mb *m, const char *owner, uint16_t type, const char *rdata);

/** Append every record of @p spec; "@" stands for @p qname. */
void ms_records(struct mb *m, const char *qname, const char *spec);

#endif /* MSG_SPEC_H */
