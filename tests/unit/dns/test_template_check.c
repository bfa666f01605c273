/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dns/dns_template.c: dns_template_check() accepts built templates and rejects
 * every corrupted field without reading past the length it is given.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dns_template.h"
#include "dns_test_util.h"
#include "template_harness.h"

/* ---- dns_template_check ---- */

static struct dt_tb *
rich_input(void)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 600);
	dt_tb_rd(b, dt_rd_name("web.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "web.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 2));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 3));
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	dt_tb_rd(b, dt_rd_name("ns2.example.com"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 3600);
	dt_tb_rd(b, dt_rd_a(198, 51, 100, 1));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.example.com", DNS_TYPE_AAAA, 3600);
	dt_tb_rd(b, dt_rd_aaaa(1));
	dt_tb_rd(b, dt_rd_aaaa(2));
	return b;
}

Test(dns_template, check_accepts_built_templates)
{
	struct dns_template *t = dt_tb_build(rich_input());
	struct dt_tb *b;

	cr_assert_eq(dns_template_check(t, t->total_len), 0);

	b = dt_tb_init("example.com", DNS_TYPE_A);
	t = dt_tb_build(b);
	cr_assert_eq(dns_template_check(t, t->total_len), 0, "empty template");

	b = dt_tb_init(".", DNS_TYPE_SOA);
	dt_tb_set(b, DNS_SECTION_ANSWER, ".", DNS_TYPE_SOA, 86400);
	dt_tb_rd(b, dt_rd_soa("a.root-servers.net", "nstld.verisign-grs.com", 86400));
	t = dt_tb_build(b);
	cr_assert_eq(dns_template_check(t, t->total_len), 0, "root SOA");

	b = dt_tb_init("example.com", DNS_TYPE_A);
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_A, 60);
	for (int i = 0; i < DNS_TMPL_MAX_RR; i++)
		dt_tb_rd(b, dt_rd_a(10, 0, (uint8_t)(i >> 8), (uint8_t)i));
	t = dt_tb_build(b);
	cr_assert_eq(dns_template_check(t, t->total_len), 0, "largest RR count");
}

Test(dns_template, check_rejects_short_buffer)
{
	struct dns_template *t = dt_tb_build(rich_input());

	cr_assert_eq(dns_template_check(t, (size_t)t->total_len - 1), -EINVAL);
	cr_assert_eq(dns_template_check(t, sizeof(*t) - 1), -EINVAL);
	cr_assert_eq(dns_template_check(t, 0), -EINVAL);
}

/* One way to break a template, applied to a fresh copy of rich_input()'s. */
struct corruption {
	const char *what;
	void (*apply)(struct dns_template *t);
};

static void
c_total_len_up(struct dns_template *t)
{
	t->total_len = (uint16_t)(t->total_len + 4);
}

static void
c_total_len_down(struct dns_template *t)
{
	t->total_len = (uint16_t)(t->total_len - 1);
}

static void
c_count_answer(struct dns_template *t)
{
	t->count[DNS_SECTION_ANSWER]++;
}

static void
c_count_authority(struct dns_template *t)
{
	t->count[DNS_SECTION_AUTHORITY]--;
}

static void
c_count_additional(struct dns_template *t)
{
	t->count[DNS_SECTION_ADDITIONAL] = 0;
}

static void
c_count_moved(struct dns_template *t)
{
	/* Same total, wrong split between sections. */
	t->count[DNS_SECTION_ANSWER]++;
	t->count[DNS_SECTION_ADDITIONAL]--;
}

static void
c_n_rrset_up(struct dns_template *t)
{
	t->n_rrset++;
}

static void
c_n_rrset_down(struct dns_template *t)
{
	t->n_rrset--;
}

static void
c_n_rr_up(struct dns_template *t)
{
	t->n_rr++;
}

static void
c_n_rr_down(struct dns_template *t)
{
	t->n_rr--;
}

static void
c_body_len_up(struct dns_template *t)
{
	t->body_len++;
}

static void
c_body_len_down(struct dns_template *t)
{
	t->body_len--;
}

static void
c_rrset_end_past_body(struct dns_template *t)
{
	t_sets(t)[t->n_rrset - 1].end = (uint16_t)(t->body_len + 1);
}

static void
c_last_rrset_end_short(struct dns_template *t)
{
	t_sets(t)[t->n_rrset - 1].end = (uint16_t)(t->body_len - 1);
}

static void
c_rrset_end_backwards(struct dns_template *t)
{
	t_sets(t)[2].end = (uint16_t)(t_sets(t)[0].end - 1);
}

static void
c_rrset_first_rr(struct dns_template *t)
{
	t_sets(t)[2].first_rr++;
}

static void
c_rrset_n_rr(struct dns_template *t)
{
	t_sets(t)[1].n_rr++;
}

static void
c_rrset_n_rr_zero(struct dns_template *t)
{
	t_sets(t)[1].n_rr = 0;
	t_sets(t)[2].first_rr = (uint16_t)(t_sets(t)[2].first_rr - 3);
}

static void
c_rrset_section_backwards(struct dns_template *t)
{
	t_sets(t)[3].section = DNS_SECTION_ANSWER; /* additional after authority -> answer */
}

static void
c_rrset_section_invalid(struct dns_template *t)
{
	t_sets(t)[t->n_rrset - 1].section = DNS_SECTION_COUNT;
}

static void
c_rrset_section_vs_count(struct dns_template *t)
{
	/* The NS set claims to be answer data while the counts say authority. */
	t_sets(t)[2].section = DNS_SECTION_ANSWER;
}

static void
c_ttl_off_outside_body(struct dns_template *t)
{
	t_ttls(t)[t->n_rr - 1] = t->body_len;
}

static void
c_ttl_off_in_next_rrset(struct dns_template *t)
{
	/* The CNAME's TTL offset points into the A set after it. */
	t_ttls(t)[0] = (uint16_t)(t_ttls(t)[1]);
}

static void
c_ttl_off_in_previous_rrset(struct dns_template *t)
{
	t_ttls(t)[4] = t_ttls(t)[0];
}

static void
c_ttl_off_straddles_end(struct dns_template *t)
{
	/* A TTL 2 octets before the CNAME set's end would run into the A set. */
	t_ttls(t)[0] = (uint16_t)(t_sets(t)[0].end - 2);
}

static void
c_ttl_off_huge(struct dns_template *t)
{
	t_ttls(t)[2] = 0xfffe;
}

static const struct corruption corruptions[] = {
	{"total_len + 4", c_total_len_up},
	{"total_len - 1", c_total_len_down},
	{"count[answer] + 1", c_count_answer},
	{"count[authority] - 1", c_count_authority},
	{"count[additional] = 0", c_count_additional},
	{"count moved between sections", c_count_moved},
	{"n_rrset + 1", c_n_rrset_up},
	{"n_rrset - 1", c_n_rrset_down},
	{"n_rr + 1", c_n_rr_up},
	{"n_rr - 1", c_n_rr_down},
	{"body_len + 1", c_body_len_up},
	{"body_len - 1", c_body_len_down},
	{"last rrset end past body", c_rrset_end_past_body},
	{"last rrset end before body end", c_last_rrset_end_short},
	{"rrset end going backwards", c_rrset_end_backwards},
	{"rrset first_rr", c_rrset_first_rr},
	{"rrset n_rr + 1", c_rrset_n_rr},
	{"rrset n_rr = 0", c_rrset_n_rr_zero},
	{"rrset sections out of order", c_rrset_section_backwards},
	{"rrset section 3", c_rrset_section_invalid},
	{"rrset section disagrees with counts", c_rrset_section_vs_count},
	{"ttl_off outside body", c_ttl_off_outside_body},
	{"ttl_off in the next rrset", c_ttl_off_in_next_rrset},
	{"ttl_off in a previous rrset", c_ttl_off_in_previous_rrset},
	{"ttl_off straddles rrset end", c_ttl_off_straddles_end},
	{"ttl_off 0xfffe", c_ttl_off_huge},
};

Test(dns_template, check_rejects_each_corrupted_field)
{
	static uint32_t good[(DNS_TMPL_MAXLEN + 64) / 4];
	static uint32_t bad[(DNS_TMPL_MAXLEN + 64) / 4];
	struct dns_template *t = dt_tb_build(rich_input());
	size_t len = t->total_len;

	memcpy(good, t, len);
	cr_assert_eq(dns_template_check(good, len), 0);
	for (size_t i = 0; i < VD_ARRAY_SIZE(corruptions); i++) {
		struct dns_template *c = (struct dns_template *)(void *)bad;

		memcpy(bad, good, sizeof(good));
		corruptions[i].apply(c);
		cr_expect_eq(dns_template_check(bad, len), -EINVAL, "not rejected: %s",
			     corruptions[i].what);
		/* With len following a corrupted total_len too. */
		if (c->total_len <= sizeof(bad) && c->total_len != len)
			cr_expect_eq(dns_template_check(bad, c->total_len), -EINVAL,
				     "not rejected with len = total_len: %s", corruptions[i].what);
	}
}

Test(dns_template, check_never_reads_past_len)
{
	/* Random garbage in every header field: check must answer, not crash (ASan watches). */
	struct dns_template *t = dt_tb_build(rich_input());
	size_t len = t->total_len;
	uint32_t seed = 12345;
	static uint32_t work[(DNS_TMPL_MAXLEN + 64) / 4];

	memcpy(work, t, len);
	for (int i = 0; i < 20000; i++) {
		uint8_t *copy;
		uint8_t *p;
		size_t n = len;

		seed = seed * 1103515245u + 12345u;
		copy = malloc(n);
		cr_assert_not_null(copy);
		memcpy(copy, work, n);
		p = copy + (seed >> 8) % (sizeof(struct dns_template) +
					   t->n_rrset * sizeof(struct dns_tmpl_rrset) +
					   2u * t->n_rr);
		*p = (uint8_t)(seed >> 24);
		(void)dns_template_check(copy, n);
		free(copy);
	}
}
