/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing replies: a cached answer (template) or an error, for a parsed query.
 * Both run on the worker's hot path: no allocation, no logging, bounded work.
 */
#ifndef DNS_SERVE_H
#define DNS_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "dns_query.h"
#include "dns_template.h"

/**
 * Write the reply to @p q from template @p t into @p out.
 *
 * The reply has the query's ID, opcode, RD and CD bits; QR and RA set; AA, AD and
 * RCODE from the template; the question as the client spelt it; every TTL lowered
 * by @p age seconds (never below 0); the RDATA of rotatable A/AAAA RRsets turned
 * by @p rotate positions; and an OPT record (payload size DNS_EDNS_SIZE, DO
 * echoed) if the query had one. If the reply would exceed @p limit bytes,
 * additional RRsets are left out first (no TC, RFC 2181 9), then the authority
 * section of a positive answer; if the answer still does not fit, TC is set and
 * every section is empty, so the client retries over TCP.
 *
 * @p out may be @p q->wire (turning the packet around in place), or any buffer.
 * @param t     template whose qname_len equals q->qname_len (a cache hit)
 * @param limit the client's limit, e.g. dns_query_udp_limit(); 65535 for TCP
 * @param cap   bytes writable at @p out
 * @return the reply's length, or -EMSGSIZE if even a TC reply does not fit in
 *         @p cap, or -EINVAL if the template was not built for this question length.
 */
int dns_serve(const struct dns_template *t, const struct dns_query *q, uint32_t age,
	      uint32_t rotate, size_t limit, uint8_t *out, size_t cap);

/**
 * Write an error reply with @p rcode (0..4095; above 15 needs EDNS and travels
 * partly in OPT) to @p q into @p out. The question is echoed when q->has_question,
 * OPT when q->has_edns (always for BADVERS). @p out may be @p q->wire.
 * @return the reply's length, -EMSGSIZE if @p cap is too small, or -EINVAL for
 *         a query shorter than a header, @p rcode over 4095, or an extended rcode
 *         other than BADVERS for a query without EDNS.
 */
int dns_serve_error(const struct dns_query *q, uint16_t rcode, uint8_t *out, size_t cap);

#endif /* DNS_SERVE_H */
