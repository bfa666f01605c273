/* SPDX-License-Identifier: BSD-3-Clause */
/* The dns_serve suites' serving helpers and common templates (see serve_harness.h). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libknot/libknot.h>

#include "dns_query.h"
#include "dns_serve.h"
#include "dns_template.h"
#include "dns_test_util.h"
#include "serve_harness.h"

/* ---- helpers: names ---- */

size_t
name_len(const uint8_t *n)
{
	size_t l = 0;

	while (n[l] != 0)
		l += 1u + n[l];
	return l + 1;
}

/* "<n labels of len octets of ch>.<suffix>" in static storage (one buffer per call site). */
const char *
long_name(char *out, int n_labels, int len, char ch, const char *suffix)
{
	size_t o = 0;

	for (int i = 0; i < n_labels; i++) {
		memset(out + o, ch, (size_t)len);
		o += (size_t)len;
		out[o++] = '.';
	}
	strcpy(out + o, suffix);
	return out;
}

uint8_t rbuf[SERVE_RBUF_LEN];

int
serve(const struct dns_template *t, const struct dns_query *q, uint32_t age, uint32_t rot,
      size_t limit)
{
	memset(rbuf, 0xee, sizeof(rbuf));
	return dns_serve(t, q, age, rot, limit, rbuf, sizeof(rbuf));
}

/* Serve and read back; returns the reply length. */
int
serve_parse(const struct dns_template *t, const struct dns_query *q, uint32_t age, uint32_t rot,
	    size_t limit)
{
	int len = serve(t, q, age, rot, limit);

	cr_assert_gt(len, 0, "dns_serve: %d", len);
	cr_assert_leq((size_t)len, limit, "reply of %d over the limit %zu", len, limit);
	dt_kparse(rbuf, len);
	return len;
}

size_t
full_len(const struct dns_template *t, const struct dns_query *q)
{
	return dns_tmpl_body_base(t) + t->body_len + (q->has_edns ? DNS_OPT_RR_LEN : 0);
}

size_t
tc_len(const struct dns_query *q)
{
	return q->question_end + (q->has_edns ? DNS_OPT_RR_LEN : 0);
}

uint16_t
udp_limit(const struct dns_query *q)
{
	return dns_query_udp_limit(q, DNS_EDNS_SIZE);
}

void
expect_truncated(const struct dns_query *q, int len)
{
	cr_assert_eq((size_t)len, tc_len(q), "TC reply of %d octets, want %zu", len, tc_len(q));
	dt_kparse(rbuf, len);
	cr_assert(dt_r.flags & DNS_FLAG_TC, "TC not set");
	cr_assert_eq(dt_r.qdcount, 1);
	cr_assert_eq(dt_r.count[0], 0);
	cr_assert_eq(dt_r.count[1], 0);
	cr_assert_eq(dt_r.count[2], 0);
	cr_assert_eq(dt_r.has_opt, q->has_edns, "OPT in a TC reply iff the query had one");
	cr_assert_arr_eq(rbuf + DNS_HEADER_LEN, q->wire + DNS_HEADER_LEN, q->question_end - 12u);
}

/* Every RR of the reply equals the template input's (same order), TTLs lowered by @p age. */
void
expect_rrs(const struct dt_tb *b, uint32_t age, const bool keep[3])
{
	size_t i = 0;

	for (uint16_t s = 0; s < b->in.n_rrset; s++) {
		const struct dns_rrset_in *in = &b->sets[s];
		uint32_t ttl = in->ttl > age ? in->ttl - age : 0;

		if (!keep[in->section])
			continue;
		for (uint16_t j = 0; j < in->n_rdata; j++, i++) {
			const struct dt_rr *o = &dt_rrs[i];

			cr_assert_lt(i, dt_r.n_rr, "reply has too few RRs");
			cr_assert_eq(o->section, in->section, "RR %zu section", i);
			cr_assert(dt_name_eq_ci(o->owner, in->owner), "RR %zu owner", i);
			cr_assert_eq(o->type, in->type, "RR %zu type", i);
			cr_assert_eq(o->rclass, in->rclass, "RR %zu class", i);
			cr_assert_eq(o->ttl, ttl, "RR %zu TTL %u, want %u", i, o->ttl, ttl);
			cr_assert_eq(o->rdlen, in->rdata[j].len, "RR %zu RDLENGTH", i);
			if (in->type == DNS_TYPE_A || in->type == DNS_TYPE_AAAA)
				continue; /* may be rotated; checked by the rotation tests */
			for (uint16_t k = 0; k < o->rdlen; k++)
				cr_assert_eq(dt_lc(o->rdata[k]), dt_lc(in->rdata[j].data[k]),
					     "RR %zu RDATA octet %u", i, k);
		}
	}
	cr_assert_eq(i, dt_r.n_rr, "reply has more RRs than expected");
}


/* ---- common templates ---- */

struct dt_tb *
www_a(uint32_t ttl)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, ttl);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	return b;
}

/* Answer, authority with two NS, one big glue AAAA set: 533 octets without OPT. */
struct dt_tb *
www_with_big_glue(void)
{
	struct dt_tb *b = www_a(300);

	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	dt_tb_rd(b, dt_rd_name("ns2.example.com"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 3600);
	for (uint16_t i = 1; i <= 16; i++)
		dt_tb_rd(b, dt_rd_aaaa(i));
	return b;
}
