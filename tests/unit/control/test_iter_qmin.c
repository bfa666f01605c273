/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of QNAME minimisation (control/cp_iter_qmin.c, RFC 9156, relaxed)
 * against the scripted network of iter_harness.h: what each server is asked,
 * empty non-terminals, zone cuts found on the way, the relaxed fallbacks
 * (NXDOMAIN, errors, timeouts) and the bound on steps.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "cp_response.h"
#include "dns_name.h"
#include "iter_harness.h"
#include "msg_builder.h"

TestSuite(cp_iter_qmin, .init = ih_setup, .fini = ih_teardown);

/* Query @p i was (@p qname, @p qtype) to @p server. */
static void
assert_query(unsigned i, const char *server, const char *qname, uint16_t qtype)
{
	char want[400];

	cr_assert_lt(i, fake.n, "only %u queries", fake.n);
	snprintf(want, sizeof(want), "%s %s %u", server, qname, qtype);
	cr_assert_str_eq(ih_query_text(i), want, "query %u: %s, want %s", i, ih_query_text(i),
	                 want);
}

/* Zones of these tests, all delegated from com. (10.0.1.1). */
static const struct script zones[] = {
	/* deep.com.: a.b.c.deep.com. exists, b.c and c are empty non-terminals */
	{ "10.0.1.1", "*.deep.com.", ANY_TYPE, 0,
	  "AU deep.com. NS ns1.deep.com.; AD ns1.deep.com. A 10.0.10.1" },
	{ "10.0.10.1", "c.deep.com.", DNS_TYPE_A, AA, "AU deep.com. SOA" },
	{ "10.0.10.1", "b.c.deep.com.", DNS_TYPE_A, AA, "AU deep.com. SOA" },
	{ "10.0.10.1", "*.b.c.deep.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.1" },
	/* deleg.com. delegates sub.deleg.com. */
	{ "10.0.1.1", "*.deleg.com.", ANY_TYPE, 0,
	  "AU deleg.com. NS ns1.deleg.com.; AD ns1.deleg.com. A 10.0.11.1" },
	{ "10.0.11.1", "*.sub.deleg.com.", ANY_TYPE, 0,
	  "AU sub.deleg.com. NS ns.sub.deleg.com.; AD ns.sub.deleg.com. A 10.0.11.2" },
	{ "10.0.11.2", "www.sub.deleg.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.2" },
	/* nxent.com.: denies the empty non-terminal b (RFC 8020 says it may not) */
	{ "10.0.1.1", "*.nxent.com.", ANY_TYPE, 0,
	  "AU nxent.com. NS ns1.nxent.com.; AD ns1.nxent.com. A 10.0.12.1" },
	{ "10.0.12.1", "b.nxent.com.", DNS_TYPE_A, AA | DNS_RCODE_NXDOMAIN, "AU nxent.com. SOA" },
	{ "10.0.12.1", "a.b.nxent.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.3" },
	/* below a name that does not exist */
	{ "10.0.3.1", "*.nx.example.com.", ANY_TYPE, AA | DNS_RCODE_NXDOMAIN, "AU example.com. SOA" },
	/* refmin.com.: refuses shortened names */
	{ "10.0.1.1", "*.refmin.com.", ANY_TYPE, 0,
	  "AU refmin.com. NS ns1.refmin.com.; AD ns1.refmin.com. A 10.0.13.1" },
	{ "10.0.13.1", "a.b.refmin.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.4" },
	{ "10.0.13.1", NULL, ANY_TYPE, DNS_RCODE_REFUSED, NULL },
	/* cn.com.: b.cn.com. is an alias, a.b.cn.com. exists (broken, but seen) */
	{ "10.0.1.1", "*.cn.com.", ANY_TYPE, 0,
	  "AU cn.com. NS ns1.cn.com.; AD ns1.cn.com. A 10.0.14.1" },
	{ "10.0.14.1", "b.cn.com.", DNS_TYPE_A, AA, "AN @ CNAME www.example.net." },
	{ "10.0.14.1", "a.b.cn.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.5" },
	/* tmo.com.: its one server drops shortened names */
	{ "10.0.1.1", "*.tmo.com.", ANY_TYPE, 0,
	  "AU tmo.com. NS ns1.tmo.com.; AD ns1.tmo.com. A 10.0.15.1" },
	{ "10.0.15.1", "a.b.tmo.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.6" },
	{ "10.0.15.1", NULL, ANY_TYPE, 0, NULL, true },
	/* long.com.: any name below is an empty non-terminal but the one asked */
	{ "10.0.1.1", "*.long.com.", ANY_TYPE, 0,
	  "AU long.com. NS ns1.long.com.; AD ns1.long.com. A 10.0.16.1" },
	{ "10.0.16.1", "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.long.com.", DNS_TYPE_A,
	  AA, "AN @ A 10.1.0.7" },
	{ "10.0.16.1", "*.long.com.", DNS_TYPE_A, AA, "AU long.com. SOA" },
};

static void
use_zones(void)
{
	ih_script(zones, sizeof(zones) / sizeof(zones[0]));
}

Test(cp_iter_qmin, one_label_more_per_zone_with_qtype_a)
{
	struct done d;

	resolve("www.example.com.", DNS_TYPE_MX, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(fake.n, 3, "no extra query: %u", fake.n);
	/* The parents learn neither the full name nor the type. */
	assert_query(0, ROOT, "com.", DNS_TYPE_A);
	assert_query(1, "10.0.1.1", "example.com.", DNS_TYPE_A);
	assert_query(2, "10.0.3.1", "www.example.com.", DNS_TYPE_MX);
	cr_assert_eq(env.stats.qmin_sent, 2);
	cr_assert_eq(env.stats.qmin_fallbacks, 0);
	cr_assert_eq(fake.unscripted, 0);
}

Test(cp_iter_qmin, off_sends_the_full_name)
{
	struct done d;

	env.qname_minimisation = false;
	resolve("www.example.com.", DNS_TYPE_MX, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	assert_query(0, ROOT, "www.example.com.", DNS_TYPE_MX);
	assert_query(1, "10.0.1.1", "www.example.com.", DNS_TYPE_MX);
	cr_assert_eq(env.stats.qmin_sent, 0);
}

/* NODATA for an intermediate name: an empty non-terminal, one more label; then cached. */
Test(cp_iter_qmin, empty_non_terminals_then_cached)
{
	struct done d;
	unsigned from;

	use_zones();
	resolve("a.b.c.deep.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(memcmp(d.first_rdata[0], "\x0a\x01\x00\x01", 4), 0);
	cr_assert_eq(fake.n, 5);
	assert_query(2, "10.0.10.1", "c.deep.com.", DNS_TYPE_A);
	assert_query(3, "10.0.10.1", "b.c.deep.com.", DNS_TYPE_A);
	assert_query(4, "10.0.10.1", "a.b.c.deep.com.", DNS_TYPE_A);
	/* A sibling below the same ENTs: their NODATA is cached, one query only. */
	from = fake.n;
	resolve("x.b.c.deep.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_eq(fake.n, from + 1, "%u queries", fake.n - from);
	assert_query(from, "10.0.10.1", "x.b.c.deep.com.", DNS_TYPE_A);
	cr_assert_eq(fake.unscripted, 0);
}

Test(cp_iter_qmin, zone_cut_found_on_the_way)
{
	struct done d;

	use_zones();
	resolve("www.sub.deleg.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(fake.n, 4);
	assert_query(2, "10.0.11.1", "sub.deleg.com.", DNS_TYPE_A);
	assert_query(3, "10.0.11.2", "www.sub.deleg.com.", DNS_TYPE_A);
	cr_assert(cached("sub.deleg.com.", DNS_TYPE_NS));
}

/* RFC 8020 would stop at the NXDOMAIN; relaxed, the full name is asked of the same server. */
Test(cp_iter_qmin, nxdomain_for_an_intermediate_name_falls_back)
{
	struct done d;

	use_zones();
	resolve("a.b.nxent.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(fake.n, 4);
	assert_query(2, "10.0.12.1", "b.nxent.com.", DNS_TYPE_A);
	assert_query(3, "10.0.12.1", "a.b.nxent.com.", DNS_TYPE_A);
	cr_assert_eq(env.stats.qmin_fallbacks, 1);
	cr_assert_not(cached("b.nxent.com.", DNS_TYPE_A), "the doubtful NXDOMAIN is not kept");
}

/* A genuinely missing name costs one more query with the full name, then is cached. */
Test(cp_iter_qmin, nxdomain_below_a_missing_name)
{
	struct done d;
	unsigned from;

	use_zones();
	resolve("www.nx.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NXDOMAIN, "cause %s", cp_iter_cause_name(d.cause));
	assert_query(2, "10.0.3.1", "nx.example.com.", DNS_TYPE_A);
	cr_assert_eq(count_asked("www.nx.example.com.", DNS_TYPE_A, 0), 1);
	from = fake.n;
	resolve("www.nx.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NXDOMAIN);
	cr_assert_eq(fake.n, from);
}

Test(cp_iter_qmin, refused_for_a_shortened_name_falls_back_not_lame)
{
	struct done d;

	use_zones();
	resolve("a.b.refmin.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	assert_query(2, "10.0.13.1", "b.refmin.com.", DNS_TYPE_A);
	assert_query(3, "10.0.13.1", "a.b.refmin.com.", DNS_TYPE_A);
	cr_assert_not(is_lame("10.0.13.1", "refmin.com."), "the shortened name's fault");
	cr_assert_eq(env.stats.qmin_fallbacks, 1);
}

Test(cp_iter_qmin, cname_at_an_intermediate_name_is_ignored)
{
	struct done d;

	use_zones();
	resolve("a.b.cn.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 1, "no CNAME in the answer");
	cr_assert_eq(memcmp(d.first_rdata[0], "\x0a\x01\x00\x05", 4), 0);
	assert_query(2, "10.0.14.1", "b.cn.com.", DNS_TYPE_A);
	assert_query(3, "10.0.14.1", "a.b.cn.com.", DNS_TYPE_A);
	cr_assert_eq(fake.n, 4, "the alias target was not chased");
	cr_assert_not(cached("b.cn.com.", DNS_TYPE_CNAME));
}

/* The only server drops the shortened name: once it was tried, the full name goes to it. */
Test(cp_iter_qmin, timeout_of_every_server_falls_back)
{
	struct done d;

	use_zones();
	resolve("a.b.tmo.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	assert_query(2, "10.0.15.1", "b.tmo.com.", DNS_TYPE_A);
	assert_query(3, "10.0.15.1", "a.b.tmo.com.", DNS_TYPE_A);
	cr_assert_eq(env.stats.timeouts, 1);
	cr_assert_eq(env.stats.qmin_fallbacks, 1);
}

/* RFC 9156 2.3: 4 single-label steps, the rest spread, at most 10 queries in the zone. */
Test(cp_iter_qmin, steps_bounded_for_long_names)
{
	static const char *const want[] = {
		"20.long.com.",
		"19.20.long.com.",
		"18.19.20.long.com.",
		"17.18.19.20.long.com.",
		"15.16.17.18.19.20.long.com.",
		"13.14.15.16.17.18.19.20.long.com.",
		"10.11.12.13.14.15.16.17.18.19.20.long.com.",
		"7.8.9.10.11.12.13.14.15.16.17.18.19.20.long.com.",
		"4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.long.com.",
		"1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.long.com.",
	};
	struct done d;

	use_zones();
	resolve(want[9], DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(fake.n, 2 + 10, "%u queries", fake.n);
	for (unsigned i = 0; i < 10; i++)
		assert_query(2 + i, "10.0.16.1", want[i], DNS_TYPE_A);
	cr_assert_eq(fake.unscripted, 0);
}

/* NS names without glue are looked up minimised too. */
Test(cp_iter_qmin, sub_resolutions_are_minimised)
{
	struct done d;

	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(count_asked("net.", DNS_TYPE_A, 0), 1);
	cr_assert_eq(count_asked("example.net.", DNS_TYPE_A, 0), 1);
	cr_assert_eq(count_asked("ns.example.net.", DNS_TYPE_A, 0), 1);
	cr_assert_eq(count_asked("www.glueless.com.", ANY_TYPE, 0), 1, "only its own server");
}

/* Four servers that drop shortened names: after 3 timeouts the 4th gets the full name. */
Test(cp_iter_qmin, three_timeouts_stop_minimising)
{
	static const struct script tmo4[] = {
		{ "10.0.1.1", "*.tmo4.com.", ANY_TYPE, 0,
		  "AU tmo4.com. NS ns1.tmo4.com.; AU tmo4.com. NS ns2.tmo4.com.;"
		  "AU tmo4.com. NS ns3.tmo4.com.; AU tmo4.com. NS ns4.tmo4.com.;"
		  "AD ns1.tmo4.com. A 10.0.17.1; AD ns2.tmo4.com. A 10.0.17.2;"
		  "AD ns3.tmo4.com. A 10.0.17.3; AD ns4.tmo4.com. A 10.0.17.4" },
		{ "10.0.17.1", "a.b.tmo4.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.8" },
		{ "10.0.17.2", "a.b.tmo4.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.8" },
		{ "10.0.17.3", "a.b.tmo4.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.8" },
		{ "10.0.17.4", "a.b.tmo4.com.", DNS_TYPE_A, AA, "AN @ A 10.1.0.8" },
		{ "10.0.17.1", NULL, ANY_TYPE, 0, NULL, true },
		{ "10.0.17.2", NULL, ANY_TYPE, 0, NULL, true },
		{ "10.0.17.3", NULL, ANY_TYPE, 0, NULL, true },
		{ "10.0.17.4", NULL, ANY_TYPE, 0, NULL, true },
	};
	struct done d;

	ih_script(tmo4, sizeof(tmo4) / sizeof(tmo4[0]));
	resolve("a.b.tmo4.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(count_asked("b.tmo4.com.", DNS_TYPE_A, 0), CP_ITER_MAX_MINIMISE_TIMEOUTS);
	cr_assert_eq(count_asked("a.b.tmo4.com.", DNS_TYPE_A, 0), 1);
	cr_assert_eq(env.stats.timeouts, CP_ITER_MAX_MINIMISE_TIMEOUTS);
	cr_assert_eq(env.stats.qmin_fallbacks, 1);
}

/*
 * A zone whose servers are all dead costs no more than without minimisation (each
 * of the four asked twice, 8): three minimised queries, the fourth server asked the
 * full name and once more (CP_ITER_ADDR_SENDS), then qmin's one full-name query (6).
 */
Test(cp_iter_qmin, dead_zone_costs_no_more_queries)
{
	struct done d;

	resolve("a.b.dead.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
	cr_assert_eq(count_asked("b.dead.com.", DNS_TYPE_A, 0), CP_ITER_MAX_MINIMISE_TIMEOUTS);
	cr_assert_eq(count_asked("a.b.dead.com.", DNS_TYPE_A, 0), 4 - 3 + 1 + 1);
	cr_assert_eq(fake.n, 2 + 6);
}
