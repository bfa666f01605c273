/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Serve-stale answers (RFC 8767): when resolving a question failed, or took
 * longer than the client-response timer, the answer the master cache still
 * holds, expired or not, within its stale window.
 *
 * The answer is assembled like the iterator's (cp_iter_result_build()): the
 * CNAME chain from the question, then the final RRset, or for NXDOMAIN/NODATA
 * the SOA in authority. Each link may be alive or stale. The same credibility
 * rule applies (RFC 2181 5.4.1): glue, additional data and referral NS never
 * answer a client, stale or not. MX targets' addresses are not added.
 *
 * TTLs (RFC 8767 4): a stale RRset goes out with the stale-answer TTL (30 s
 * recommended), an unexpired one with what it has left, cut to the same TTL
 * so that no part of a stale answer outlives the rest in a downstream cache.
 *
 * Owner: the control thread (reads and touches the master cache).
 */
#ifndef CP_STALE_H
#define CP_STALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_rrcache.h"

/* RFC 8767 defaults; see the resolver section in cp_conf.h for why these. */
#define CP_STALE_DEFAULT_MAX_AGE       86400 /* 1 day: RFC 8767 5 suggests 1 to 3 days */
#define CP_STALE_DEFAULT_ANSWER_TTL    30    /* RFC 8767 4: 30 s */
#define CP_STALE_DEFAULT_CLIENT_TIMEOUT_MS 1800 /* RFC 8767 5: client-response timer 1.8 s */

/* CNAMEs followed from the question (the iterator's default bound). */
#define CP_STALE_MAX_CNAMES 11

/**
 * Build a serve-stale template for (@p qname, @p qtype, @p qclass) at @p now
 * (seconds, the cache's clock) into @p buf (@p cap bytes, 8-byte aligned).
 * Every TTL in it is at most @p answer_ttl.
 * @param[out] stale true if at least one RRset of it was expired (may be NULL);
 *             false means the cache could answer with live data alone.
 * @return the template's length (> 0), 0 when the cache has nothing usable (or
 *         a CNAME loop or too long a chain), or a negative errno from the
 *         template builder.
 */
int cp_stale_build(struct cp_rrcache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
                   uint64_t now, uint32_t answer_ttl, void *buf, size_t cap, bool *stale);

#endif /* CP_STALE_H */
