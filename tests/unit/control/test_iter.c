/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the iterator (control/cp_iter*.c) against a scripted network
 * (iter_harness.h): resolution root -> TLD -> authoritative, the cache, CNAMEs,
 * negative answers, lame and silent servers, TTL-0 answers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cp_response.h"
#include "dns_name.h"
#include "iter_harness.h"
#include "msg_builder.h"

TestSuite(cp_iter, .init = ih_setup, .fini = ih_teardown);

/* ---- the cases ---- */

Test(cp_iter, root_tld_authoritative_with_glue)
{
	struct done d;

	cr_assert_eq(resolve("www.example.com.", DNS_TYPE_A, &d), 0);
	cr_assert_eq(d.called, 1);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_eq(fake.n, 3, "root, com., example.com.: %u queries", fake.n);
	cr_assert(asked(ROOT, 0) && asked("10.0.1.1", 0) && asked("10.0.3.1", 0));
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 1);
	cr_assert_eq(d.type[0], DNS_TYPE_A);
	cr_assert_str_eq(d.owner[0], "www.example.com.");
	cr_assert_eq(d.ttl_min, 3600);
	cr_assert_gt(d.tmpl_rc, 0, "template: %d", d.tmpl_rc);
	cr_assert_eq(fake.unscripted, 0);
	/* Referrals were cached: com. and example.com. NS and their glue. */
	cr_assert(cached("com.", DNS_TYPE_NS));
	cr_assert(cached("example.com.", DNS_TYPE_NS));
	cr_assert(cached("ns1.example.com.", DNS_TYPE_A));
}

Test(cp_iter, answer_cached_second_resolution_sends_nothing)
{
	struct done d;
	unsigned sent;

	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	sent = fake.n;
	cr_assert_eq(resolve("www.example.com.", DNS_TYPE_A, &d), 0);
	cr_assert_eq(d.called, 1);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_eq(fake.n, sent, "nothing sent for a cached answer");
	cr_assert_eq(env.stats.cache_answers, 1);
	/* The poisoning attempt in the root's additional section lost: the answer is real. */
	cr_assert_eq(memcmp(d.first_rdata[0], "\x0a\x09\x09\x09", 4), 0);
	/* A sibling name starts at the cached example.com. delegation: one query. */
	resolve("mx.example.com.", DNS_TYPE_MX, &d);
	cr_assert_eq(fake.n, sent + 1);
}

/* Glue guides the iteration but is never an answer (RFC 2181 5.4.1): it is asked again. */
Test(cp_iter, glue_is_not_an_answer)
{
	struct done d;
	unsigned sent;

	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert(cached("ns1.example.com.", DNS_TYPE_A), "the referral's glue is cached");
	sent = fake.n;
	cr_assert_eq(resolve("ns1.example.com.", DNS_TYPE_A, &d), 0);
	cr_assert_eq(d.called, 1);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_eq(fake.n, sent + 1, "the zone's own server was asked");
	cr_assert_eq(env.stats.cache_answers, 0);
	/* Now the authoritative answer is cached, and that one may answer. */
	resolve("ns1.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(fake.n, sent + 1);
	cr_assert_eq(env.stats.cache_answers, 1);
}

Test(cp_iter, synchronous_cache_answer_leaves_no_handle)
{
	struct done d;
	uint8_t qn[DNS_NAME_MAXLEN];
	struct cp_iter *it = (struct cp_iter *)&d;

	resolve("www.example.com.", DNS_TYPE_A, &d);
	mb_wire(qn, "www.example.com.");
	memset(&d, 0, sizeof(d));
	cr_assert_eq(cp_iter_start(&env, qn, DNS_TYPE_A, DNS_CLASS_IN, ih_on_done, &d, &it), 0);
	cr_assert_eq(d.called, 1);
	cr_assert_null(it);
	cr_assert_eq(cp_iter_start(&env, (const uint8_t *)"\x40", DNS_TYPE_A, DNS_CLASS_IN, ih_on_done,
	                           &d, &it),
	             -EINVAL);
}

Test(cp_iter, mx_answer_carries_target_addresses)
{
	struct done d;

	resolve("mx.example.com.", DNS_TYPE_MX, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 1);
	cr_assert_eq(d.count[DNS_SECTION_ADDITIONAL], 1);
	cr_assert_eq(d.type[1], DNS_TYPE_A);
	cr_assert_str_eq(d.owner[1], "mail.example.com.");
	cr_assert_gt(d.tmpl_rc, 0);
}

Test(cp_iter, glueless_ns_resolved_by_sub_resolution)
{
	struct done d;

	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.called, 1);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(memcmp(d.first_rdata[0], "\x0a\x07\x07\x07", 4), 0);
	cr_assert_eq(env.stats.sub_started, 1);
	cr_assert(asked("10.0.4.1", 0) && asked("10.0.5.1", 0));
	cr_assert(cached("ns.example.net.", DNS_TYPE_A));
	cr_assert_eq(fake.unscripted, 0);
}

Test(cp_iter, cname_chain_across_zones)
{
	struct done d;
	unsigned sent;

	resolve("alias.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 2);
	cr_assert_eq(d.type[0], DNS_TYPE_CNAME);
	cr_assert_str_eq(d.owner[0], "alias.example.com.");
	cr_assert_eq(d.type[1], DNS_TYPE_A);
	cr_assert_str_eq(d.owner[1], "www.example.net.");
	cr_assert_gt(d.tmpl_rc, 0);
	sent = fake.n;
	resolve("alias.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 2);
	cr_assert_eq(fake.n, sent, "the chain is answered from the cache");
}

Test(cp_iter, cname_loop_is_servfail)
{
	struct done d;

	resolve("loop1.example.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_CNAME_LOOP);
	cr_assert_eq(d.n, 0);
	cr_assert_gt(d.tmpl_rc, 0, "a SERVFAIL template builds too");
}

Test(cp_iter, nxdomain_with_soa_cached)
{
	struct done d;
	unsigned sent;

	resolve("nx.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NXDOMAIN);
	cr_assert_eq(d.count[DNS_SECTION_AUTHORITY], 1);
	cr_assert_eq(d.type[0], DNS_TYPE_SOA);
	cr_assert_str_eq(d.owner[0], "example.com.");
	cr_assert_eq(d.ttl_min, 60, "min(SOA TTL, MINIMUM)");
	cr_assert_gt(d.tmpl_rc, 0);
	sent = fake.n;
	resolve("nx.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NXDOMAIN);
	cr_assert_eq(d.count[DNS_SECTION_AUTHORITY], 1);
	resolve("nx.example.com.", DNS_TYPE_AAAA, &d); /* NXDOMAIN covers every type */
	cr_assert_eq(d.rcode, DNS_RCODE_NXDOMAIN);
	cr_assert_eq(fake.n, sent);
}

Test(cp_iter, nodata_with_soa_cached)
{
	struct done d;
	unsigned sent;

	resolve("www.example.com.", DNS_TYPE_MX, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 0);
	cr_assert_eq(d.count[DNS_SECTION_AUTHORITY], 1);
	cr_assert_eq(d.type[0], DNS_TYPE_SOA);
	sent = fake.n;
	resolve("www.example.com.", DNS_TYPE_MX, &d);
	cr_assert_eq(d.count[DNS_SECTION_AUTHORITY], 1);
	cr_assert_eq(fake.n, sent);
}

Test(cp_iter, lame_server_marked_and_skipped_next_time)
{
	struct done d;
	unsigned from;

	prime_rtt("10.0.6.1", 1000); /* the lame one looks fastest: asked first */
	resolve("a.lame.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert(asked("10.0.6.1", 0) && asked("10.0.6.2", 0));
	cr_assert(is_lame("10.0.6.1", "lame.com."));
	from = fake.n;
	resolve("b.lame.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_not(asked("10.0.6.1", from), "lame server asked again");
	cr_assert_eq(fake.n, from + 1);
}

Test(cp_iter, timeout_moves_to_next_server)
{
	struct done d;
	struct sockaddr_storage dead = v4("10.0.7.1");
	struct cp_infra_info info;

	prime_rtt("10.0.7.1", 1000);
	resolve("www.timeout.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(env.stats.timeouts, 1);
	cp_infra_get(infra, (const struct sockaddr *)&dead, fake.now_ms, &info);
	cr_assert_eq(info.timeouts, 1);
	cr_assert_eq(fake.unscripted, 0);
}

/* lossy.com.: its only server drops the first query (loss, rate limiting). */
static const struct script lossy[] = {
	{ "10.0.1.1", "*.lossy.com.", ANY_TYPE, 0,
	  "AU lossy.com. NS ns1.lossy.com.; AD ns1.lossy.com. A 10.0.10.1" },
	{ "10.0.10.1", "*.lossy.com.", DNS_TYPE_A, AA, "AN @ A 10.3.3.3", false, 1 },
};

Test(cp_iter, lost_reply_retried_at_doubled_rto)
{
	struct done d;
	struct sockaddr_storage srv = v4("10.0.10.1");
	struct cp_infra_info info;

	ih_script(lossy, sizeof(lossy) / sizeof(lossy[0]));
	resolve("www.lossy.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(env.stats.timeouts, 1);
	cr_assert_eq(fake.n, 2 + 2, "root, com., then the lossy server twice");
	cr_assert_eq(fake.q[2].p.timeout_ms, 376, "first send: the unknown server's RTO");
	cr_assert_eq(fake.q[3].p.timeout_ms, 752, "the retry waits the doubled RTO");
	cp_infra_get(infra, (const struct sockaddr *)&srv, fake.now_ms, &info);
	cr_assert_eq(info.timeouts, 0, "the reply ended the timeout run");
	cr_assert_eq(fake.unscripted, 0);
}

Test(cp_iter, all_servers_dead_servfail_within_bounds)
{
	struct done d;
	uint64_t t0 = fake.now_ms;

	resolve("www.dead.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
	cr_assert_eq(fake.n, 2 + 4 * 2, "each dead server twice (one retry at the doubled RTO)");
	cr_assert_eq(env.stats.parent_fallbacks, 0, "a referral just received is not stale");
	cr_assert_leq(fake.now_ms - t0, CP_ITER_DEFAULT_MAX_TIME_MS);
	cr_assert_eq(fake.unscripted, 0);
}

Test(cp_iter, referral_upwards_is_lame)
{
	struct done d;

	resolve("www.up.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
	cr_assert(is_lame("10.0.8.1", "up.com."));
	cr_assert_eq(env.stats.verdicts[CP_RESP_LAME], 1);
}

Test(cp_iter, out_of_bailiwick_glue_not_cached)
{
	struct done d;

	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_not(cached("ns.other.com.", DNS_TYPE_A), "glue outside the child zone");
	cr_assert_not(cached("evil.net.", DNS_TYPE_A), "data outside com.");
	cr_assert(cached("ns1.example.com.", DNS_TYPE_A));
}

/* ---- TTL 0: answered once, never cached (RFC 1035 3.2.1, RFC 2181 8) ---- */

static const struct script ttl0[] = {
	{ "10.0.3.1", "zero.example.com.", DNS_TYPE_A, AA, "AN @ 0 A 10.1.2.3" },
	{ "10.0.3.1", "zc.example.com.", DNS_TYPE_A, AA, "AN @ 0 CNAME www.example.net." },
	{ "10.0.3.1", "zneg.example.com.", ANY_TYPE, AA | DNS_RCODE_NXDOMAIN,
	  "AU example.com. SOA 0" },
	{ "10.0.1.1", "*.zglue.com.", ANY_TYPE, 0, "AU zglue.com. NS ns.zero.example.net." },
	{ "10.0.4.1", "ns.zero.example.net.", DNS_TYPE_A, AA, "AN @ 0 A 10.0.5.2" },
	{ "10.0.4.1", "zero.example.net.", DNS_TYPE_A, AA, "AU example.net. SOA" }, /* ENT */
	{ "10.0.5.2", "www.zglue.com.", DNS_TYPE_A, AA, "AN @ A 10.7.7.8" },
};

Test(cp_iter, ttl0_answer_returned_not_cached)
{
	struct done d;
	unsigned sent;

	ih_script(ttl0, sizeof(ttl0) / sizeof(ttl0[0]));
	resolve("zero.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.called, 1);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 1);
	cr_assert_eq(d.type[0], DNS_TYPE_A);
	cr_assert_eq(d.ttl[0], 0);
	cr_assert_eq(d.ttl_min, 0);
	cr_assert_eq(memcmp(d.first_rdata[0], "\x0a\x01\x02\x03", 4), 0);
	cr_assert_gt(d.tmpl_rc, 0);
	cr_assert_not(cached("zero.example.com.", DNS_TYPE_A));
	/* Not cached: the next question asks again. */
	sent = fake.n;
	resolve("zero.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_eq(fake.n, sent + 1);
}

Test(cp_iter, ttl0_cname_then_cached_target)
{
	struct done d;

	ih_script(ttl0, sizeof(ttl0) / sizeof(ttl0[0]));
	resolve("zc.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 2);
	cr_assert_eq(d.type[0], DNS_TYPE_CNAME);
	cr_assert_eq(d.ttl[0], 0);
	cr_assert_str_eq(d.owner[1], "www.example.net.");
	cr_assert_eq(d.ttl[1], 3600);
	cr_assert_eq(d.ttl_min, 0);
	cr_assert_gt(d.tmpl_rc, 0);
	cr_assert_not(cached("zc.example.com.", DNS_TYPE_CNAME));
}

Test(cp_iter, ttl0_negative_answer_carries_soa)
{
	struct done d;

	ih_script(ttl0, sizeof(ttl0) / sizeof(ttl0[0]));
	resolve("zneg.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NXDOMAIN, "rcode %u cause %s", d.rcode,
	             cp_iter_cause_name(d.cause));
	cr_assert_eq(d.count[DNS_SECTION_AUTHORITY], 1);
	cr_assert_eq(d.type[0], DNS_TYPE_SOA);
	cr_assert_eq(d.ttl[0], 0);
	cr_assert_gt(d.tmpl_rc, 0);
	cr_assert_not(cached("zneg.example.com.", DNS_TYPE_A));
}

/* A glueless NS whose address has TTL 0: the sub-resolution hands it over itself. */
Test(cp_iter, ttl0_ns_address_still_used)
{
	struct done d;

	ih_script(ttl0, sizeof(ttl0) / sizeof(ttl0[0]));
	resolve("www.zglue.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(memcmp(d.first_rdata[0], "\x0a\x07\x07\x08", 4), 0);
	cr_assert(asked("10.0.5.2", 0));
	cr_assert_not(cached("ns.zero.example.net.", DNS_TYPE_A));
	cr_assert_eq(fake.unscripted, 0);
}

/* ---- a dead cached delegation: its parent is asked once ---- */

/* Store (@p owner, @p type) with one RDATA: a name (NS) or an IPv4 address (A). */
static void
store(const char *owner, uint16_t type, const char *rdata, enum cp_rrc_rank rank)
{
	uint8_t o[DNS_NAME_MAXLEN], data[DNS_NAME_MAXLEN];
	struct dns_rdata rd = { .data = data };
	struct dns_rrset_in rr = { .owner = o, .type = type, .rclass = DNS_CLASS_IN, .ttl = 3600,
		                   .n_rdata = 1, .rdata = &rd };
	struct sockaddr_storage ss;

	mb_wire(o, owner);
	if (type == DNS_TYPE_A) {
		ss = v4(rdata);
		memcpy(data, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		rd.len = 4;
	} else {
		rd.len = (uint16_t)mb_wire(data, rdata);
	}
	cr_assert_eq(cp_rrcache_store(cache, &rr, rank, fake.now_ms / 1000), 0);
}

static const struct script moved[] = {
	/* com. now delegates moved.com. to a new server; the cache still has the old one */
	{ "10.0.1.1", "*.moved.com.", ANY_TYPE, 0,
	  "AU moved.com. NS ns2.moved.com.; AD ns2.moved.com. A 10.0.20.2" },
	{ "10.0.20.2", "www.moved.com.", DNS_TYPE_A, AA, "AN @ A 10.1.2.4" },
	{ "10.0.20.1", NULL, ANY_TYPE, 0, NULL, true },
	/* still.com.: com. delegates to the same dead server as the cache says */
	{ "10.0.1.1", "*.still.com.", ANY_TYPE, 0,
	  "AU still.com. NS ns.still.com.; AD ns.still.com. A 10.0.20.1" },
	{ "10.0.0.9", NULL, ANY_TYPE, 0, NULL, true },
};

Test(cp_iter, dead_cached_delegation_asks_the_parent)
{
	struct done d;

	ih_script(moved, sizeof(moved) / sizeof(moved[0]));
	store("moved.com.", DNS_TYPE_NS, "ns.moved.com.", CP_RRC_RANK_NONAUTH_AUTHORITY);
	store("ns.moved.com.", DNS_TYPE_A, "10.0.20.1", CP_RRC_RANK_ADDITIONAL);
	resolve("www.moved.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(memcmp(d.first_rdata[0], "\x0a\x01\x02\x04", 4), 0);
	cr_assert_str_eq(ih_query_text(0), "10.0.20.1 www.moved.com. 1");
	cr_assert(asked(ROOT, 1) && asked("10.0.1.1", 1), "up to the hints: root, com.");
	cr_assert_eq(env.stats.parent_fallbacks, 1);
	cr_assert_eq(fake.unscripted, 0);
}

/* The parent names the same dead server: it is not asked again, and that is the end. */
Test(cp_iter, parent_with_the_same_servers_ends_it)
{
	struct done d;

	ih_script(moved, sizeof(moved) / sizeof(moved[0]));
	store("still.com.", DNS_TYPE_NS, "ns.still.com.", CP_RRC_RANK_NONAUTH_AUTHORITY);
	store("ns.still.com.", DNS_TYPE_A, "10.0.20.1", CP_RRC_RANK_ADDITIONAL);
	store("com.", DNS_TYPE_NS, "a.gtld.com.", CP_RRC_RANK_NONAUTH_AUTHORITY);
	store("a.gtld.com.", DNS_TYPE_A, "10.0.1.1", CP_RRC_RANK_ADDITIONAL);
	resolve("www.still.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
	cr_assert_eq(fake.n, 3, "dead server twice (one retry), then com. (the cached parent): %u",
	             fake.n);
	cr_assert_str_eq(ih_query_text(1), "10.0.20.1 www.still.com. 1");
	cr_assert_str_eq(ih_query_text(2), "10.0.1.1 still.com. 1");
	cr_assert_eq(env.stats.parent_fallbacks, 1);
}

/* A primed root whose servers are all dead: the hints. */
Test(cp_iter, dead_cached_root_falls_back_to_hints)
{
	struct done d;

	ih_script(moved, sizeof(moved) / sizeof(moved[0]));
	store(".", DNS_TYPE_NS, "dead.root.", CP_RRC_RANK_AUTH_ANSWER);
	store("dead.root.", DNS_TYPE_A, "10.0.0.9", CP_RRC_RANK_ADDITIONAL);
	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	/*
	 * The shortened name, then the full one once (cp_iter_qmin.c), then the hints;
	 * minimisation stopped for this name, so they get the full name too.
	 */
	cr_assert_str_eq(ih_query_text(0), "10.0.0.9 com. 1");
	cr_assert_str_eq(ih_query_text(1), "10.0.0.9 www.example.com. 1");
	cr_assert_str_eq(ih_query_text(2), ROOT " www.example.com. 1");
	cr_assert_eq(env.stats.parent_fallbacks, 1);
}
