/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of forwarding in the iterator (control/cp_iter_forward.c and its
 * hooks in cp_iter.c) against the iterator suites' scripted network
 * (iter_harness.h): every query recorded, answered by pump() from the test's
 * script first, deterministic, on a fake clock.
 *
 * Forwarders live in 10.1.0.0/16 (nothing in the shared world answers there),
 * the private root of the iterative tests at 10.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cp_forward.h"
#include "cp_iter.h"
#include "cp_response.h"
#include "iter_harness.h"
#include "msg_builder.h"

/* What a recursive resolver sets: RA, and RD echoed. */
#define REC (DNS_FLAG_RA | DNS_FLAG_RD)
#define F1  "10.1.0.1"
#define F2  "10.1.0.2"
#define F3  "10.1.0.3"

#define SCRIPT(arr) ih_script((arr), sizeof(arr) / sizeof((arr)[0]))

static struct cp_forward *fwd;

static void
setup(void)
{
	ih_setup();
	fwd = cp_forward_new();
	cr_assert_not_null(fwd);
	env.forward = fwd;
}

static void
teardown(void)
{
	ih_teardown();
	cp_forward_free(fwd);
}

TestSuite(cp_iter_forward, .init = setup, .fini = teardown);

/* Forward @p zone to the @p n forwarders given. */
static void
forward(const char *zone, unsigned n, ...)
{
	struct sockaddr_storage ss[CP_FWD_MAX_SERVERS];
	uint8_t z[DNS_NAME_MAXLEN];
	va_list ap;

	va_start(ap, n);
	for (unsigned i = 0; i < n; i++)
		ss[i] = v4(va_arg(ap, const char *));
	va_end(ap);
	mb_wire(z, zone);
	cr_assert_geq(cp_forward_set(fwd, z, ss, n), 0);
}

/* The servers asked, in order, from query @p from on: "10.1.0.1 10.1.0.2". */
static const char *
servers_asked(unsigned from)
{
	static char out[MAX_FQ * 16];
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = from; i < fake.n; i++) {
		char srv[INET_ADDRSTRLEN];
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&fake.q[i].p.server;

		inet_ntop(AF_INET, &s4->sin_addr, srv, sizeof(srv));
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o > 0 ? " " : "", srv);
	}
	return out;
}

/* The rank of the cached (name, type) entry, or -1 if nothing is cached. */
static int
cached_rank(const char *name, uint16_t type)
{
	uint8_t qn[DNS_NAME_MAXLEN];
	const struct cp_rrc_rrset *e;

	mb_wire(qn, name);
	if (cp_rrcache_lookup(cache, qn, type, DNS_CLASS_IN, fake.now_ms / 1000, &e, NULL) < 0)
		return -1;
	return e->rank;
}

static struct cp_infra_info
info_of(const char *server)
{
	struct sockaddr_storage ss = v4(server);
	struct cp_infra_info i;

	cp_infra_get(infra, (const struct sockaddr *)&ss, fake.now_ms, &i);
	return i;
}

static void
expect_a(const struct done *d, const char *owner, const char *a)
{
	struct in_addr ia;

	cr_assert_eq(d->called, 1);
	cr_assert_eq(d->rcode, DNS_RCODE_NOERROR, "rcode %u cause %s", d->rcode,
	             cp_iter_cause_name(d->cause));
	cr_assert_geq(d->n, 1);
	cr_assert_eq(d->type[d->n - 1], DNS_TYPE_A);
	cr_assert_str_eq(d->owner[d->n - 1], owner);
	cr_assert_eq(inet_pton(AF_INET, a, &ia), 1);
	cr_assert_eq(memcmp(d->first_rdata[d->n - 1], &ia, 4), 0, "not %s", a);
	cr_assert_gt(d->tmpl_rc, 0, "template %d", d->tmpl_rc);
}

/* ---- answers ---- */

static const struct script farm[] = {
	{ F1, "www.example.com.", DNS_TYPE_A, REC, "AN @ A 192.0.2.1" },
	{ F1, "aa.example.com.", DNS_TYPE_A, REC | DNS_FLAG_AA, "AN @ A 192.0.2.7" },
	{ F1, "alias.example.com.", DNS_TYPE_A, REC,
	  "AN @ CNAME www.example.org.; AN www.example.org. A 192.0.2.2" },
	{ F1, "nx.example.com.", 0, REC | DNS_RCODE_NXDOMAIN, "AU example.com. SOA" },
	{ F1, "www.example.com.", DNS_TYPE_MX, REC, "AU example.com. SOA" },
	{ F1, "nosoa.example.com.", 0, REC, NULL },
	{ F1, "loop.example.com.", DNS_TYPE_A, REC,
	  "AN @ CNAME loop2.example.com.; AN loop2.example.com. CNAME loop.example.com." },
	{ F1, "zero.example.com.", DNS_TYPE_A, REC, "AN @ 0 A 192.0.2.8" },
	{ F2, "nosoa.example.com.", 0, DNS_FLAG_RD, NULL }, /* RA=0: did not recurse */
	{ F2, "*.example.com.", 0, 0,
	  "AU example.com. NS ns1.example.com.; AD ns1.example.com. A 10.9.0.1" },
};

Test(cp_iter_forward, answer_asked_whole_with_rd_cached_not_authoritative)
{
	struct done d;

	SCRIPT(farm);
	forward(".", 1, F1);
	cr_assert_eq(resolve("www.example.com.", DNS_TYPE_A, &d), 0);
	expect_a(&d, "www.example.com.", "192.0.2.1");
	cr_assert_str_eq(servers_asked(0), F1, "only the forwarder, nothing iterated");
	cr_assert(env.qname_minimisation, "minimisation on, yet not for a forwarder");
	cr_assert(fake.q[0].p.rd, "RD=1 to a forwarder");
	cr_assert_eq(fake.q[0].p.qtype, DNS_TYPE_A);
	cr_assert_eq(memcmp(fake.q[0].name, "\3www\7example\3com", 17), 0, "the whole name");
	cr_assert_eq(env.stats.forwarded, 1);
	cr_assert_eq(env.stats.fwd_failovers, 0);
	cr_assert_eq(cached_rank("www.example.com.", DNS_TYPE_A), CP_RRC_RANK_NONAUTH_ANSWER);
	cr_assert(info_of(F1).measured, "the forwarder's RTT is measured");
	/* From the master cache the second time. */
	cr_assert_eq(resolve("www.example.com.", DNS_TYPE_A, &d), 0);
	expect_a(&d, "www.example.com.", "192.0.2.1");
	cr_assert_eq(fake.n, 1);
	cr_assert_eq(env.stats.cache_answers, 1);
}

Test(cp_iter_forward, aa_from_a_forwarder_still_non_authoritative_rank)
{
	struct done d;

	SCRIPT(farm);
	forward(".", 1, F1);
	resolve("aa.example.com.", DNS_TYPE_A, &d);
	expect_a(&d, "aa.example.com.", "192.0.2.7");
	cr_assert_eq(cached_rank("aa.example.com.", DNS_TYPE_A), CP_RRC_RANK_NONAUTH_ANSWER);
}

Test(cp_iter_forward, cname_chain_in_one_answer)
{
	struct done d;

	SCRIPT(farm);
	forward(".", 1, F1);
	resolve("alias.example.com.", DNS_TYPE_A, &d);
	expect_a(&d, "www.example.org.", "192.0.2.2");
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 2);
	cr_assert_eq(d.type[0], DNS_TYPE_CNAME);
	cr_assert_str_eq(d.owner[0], "alias.example.com.");
	cr_assert_eq(fake.n, 1, "bailiwick of \".\": the whole chain taken at once");
}

Test(cp_iter_forward, negative_answers_cached_with_their_soa)
{
	struct done d;

	SCRIPT(farm);
	forward(".", 1, F1);
	resolve("nx.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NXDOMAIN);
	cr_assert_eq(d.count[DNS_SECTION_AUTHORITY], 1);
	cr_assert_str_eq(d.owner[0], "example.com.");
	cr_assert_eq(cached_rank("nx.example.com.", DNS_TYPE_A), CP_RRC_RANK_NONAUTH_AUTHORITY);
	resolve("www.example.com.", DNS_TYPE_MX, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 0);
	cr_assert_eq(d.count[DNS_SECTION_AUTHORITY], 1);
	cr_assert_gt(d.tmpl_rc, 0);
	resolve("nx.example.com.", DNS_TYPE_AAAA, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NXDOMAIN);
	cr_assert_eq(fake.n, 2, "the NXDOMAIN covers AAAA from the cache");
}

Test(cp_iter_forward, empty_noerror_with_ra_is_uncached_nodata)
{
	struct done d;

	SCRIPT(farm);
	forward(".", 1, F1);
	resolve("nosoa.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(d.n, 0);
	cr_assert_gt(d.tmpl_rc, 0);
	cr_assert_eq(cached_rank("nosoa.example.com.", DNS_TYPE_A), -1, "no SOA: nothing cached");
	/* The same reply without RA comes from a server that did not recurse: no answer. */
	cp_forward_free(fwd);
	fwd = cp_forward_new();
	env.forward = fwd;
	forward(".", 1, F2);
	resolve("nosoa.example.com.", DNS_TYPE_AAAA, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
}

Test(cp_iter_forward, cname_loop_is_servfail)
{
	struct done d;

	SCRIPT(farm);
	forward(".", 1, F1);
	resolve("loop.example.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_CNAME_LOOP);
}

/* TTL 0: returned as it came, not cached, and one question stays one query. */
Test(cp_iter_forward, ttl_zero_answer_returned_not_cached)
{
	struct done d;

	SCRIPT(farm);
	forward(".", 1, F1);
	resolve("zero.example.com.", DNS_TYPE_A, &d);
	expect_a(&d, "zero.example.com.", "192.0.2.8");
	cr_assert_eq(d.ttl_min, 0);
	cr_assert_eq(fake.n, 1, "%u queries", fake.n);
	cr_assert_eq(cached_rank("zero.example.com.", DNS_TYPE_A), -1);
}

Test(cp_iter_forward, referral_from_a_forwarder_is_a_failure)
{
	struct done d;

	SCRIPT(farm);
	forward(".", 2, F1, F2);
	prime_rtt(F2, 1000); /* asked first */
	resolve("www.example.com.", DNS_TYPE_A, &d);
	expect_a(&d, "www.example.com.", "192.0.2.1");
	cr_assert_str_eq(servers_asked(0), F2 " " F1);
	cr_assert(is_lame(F2, "."), "a non-recursing forwarder is lame for the zone");
	cr_assert_eq(cached_rank("ns1.example.com.", DNS_TYPE_A), -1, "its referral not cached");
	cr_assert_eq(env.stats.verdicts[CP_RESP_REFERRAL], 1);
}

/* ---- failover ---- */

static const struct script flaky[] = {
	{ F1, NULL, 0, 0, NULL, true },
	{ F2, "*.servfail.test.", 0, REC | DNS_RCODE_SERVFAIL, NULL },
	{ F2, "*.refused.test.", 0, REC | DNS_RCODE_REFUSED, NULL },
	{ F2, "*.garbage.test.", 0, REC, "AN @ A 192.0.2.66", false, 0, true },
	{ F2, "*.dead.test.", 0, 0, NULL, true },
	{ F2, NULL, DNS_TYPE_A, REC, "AN @ A 192.0.2.2" },
	{ F3, "*.dead.test.", 0, REC | DNS_RCODE_SERVFAIL, NULL },
	{ F3, NULL, DNS_TYPE_A, REC, "AN @ A 192.0.2.3" },
};

Test(cp_iter_forward, first_forwarder_times_out_second_answers)
{
	struct done d;

	SCRIPT(flaky);
	forward(".", 2, F1, F2);
	prime_rtt(F1, 1000); /* the silent one looks fastest */
	resolve("www.example.net.", DNS_TYPE_A, &d);
	expect_a(&d, "www.example.net.", "192.0.2.2");
	cr_assert_str_eq(servers_asked(0), F1 " " F2);
	cr_assert_eq(env.stats.timeouts, 1);
	cr_assert_eq(env.stats.fwd_failovers, 1);
	cr_assert_eq(info_of(F1).timeouts, 1, "infra learnt the timeout");
	cr_assert_eq(fake.unscripted, 0);
	/* Its RTO doubled: the next question goes to the one that answered. */
	resolve("www2.example.net.", DNS_TYPE_A, &d);
	expect_a(&d, "www2.example.net.", "192.0.2.2");
	cr_assert_str_eq(servers_asked(2), F2);
}

/* A forwarder answering from its cache has an RTO of a few ms; its misses need longer. */
Test(cp_iter_forward, forwarders_get_time_to_recurse)
{
	struct done d;

	SCRIPT(flaky);
	forward(".", 1, F2);
	prime_rtt(F2, 1000); /* RTO: the 50 ms clamp */
	cr_assert_lt(info_of(F2).rto_ms, CP_ITER_FWD_MIN_TIMEOUT_MS);
	resolve("www.example.net.", DNS_TYPE_A, &d);
	expect_a(&d, "www.example.net.", "192.0.2.2");
	cr_assert_eq(fake.q[0].p.timeout_ms, CP_ITER_FWD_MIN_TIMEOUT_MS);
	/* Still cut to what is left of the question. */
	env.limits.max_time_ms = 300;
	resolve("www2.example.net.", DNS_TYPE_A, &d);
	cr_assert_eq(fake.q[1].p.timeout_ms, 300);
}

Test(cp_iter_forward, servfail_moves_on_without_a_lame_mark)
{
	struct done d;

	SCRIPT(flaky);
	forward(".", 2, F2, F3);
	prime_rtt(F2, 1000);
	resolve("a.servfail.test.", DNS_TYPE_A, &d);
	expect_a(&d, "a.servfail.test.", "192.0.2.3");
	cr_assert_str_eq(servers_asked(0), F2 " " F3);
	cr_assert_eq(env.stats.fwd_failovers, 1);
	cr_assert_not(is_lame(F2, "."), "one failing name says nothing of the forwarder");
	cr_assert_eq(env.stats.verdicts[CP_RESP_SERVER_ERROR], 1);
}

/* The farm said SERVFAIL: a forwarder in backoff is not worth the client's wait. */
Test(cp_iter_forward, servfail_does_not_wait_on_a_forwarder_in_backoff)
{
	struct sockaddr_storage dead = v4(F1);
	struct done d;

	SCRIPT(flaky);
	forward(".", 2, F1, F2);
	for (int i = 0; i < 8; i++) {
		struct cp_infra_info info = info_of(F1);

		cr_assert_eq(cp_infra_timeout(infra, (const struct sockaddr *)&dead, info.rto_ms,
		                              fake.now_ms),
		             0);
	}
	cr_assert(info_of(F1).backoff);
	resolve("a.servfail.test.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
	cr_assert_str_eq(servers_asked(0), F2);
	cr_assert_eq(env.stats.fwd_failovers, 0);
	/* After a timeout it stays a candidate: the network, not the farm, may be at fault. */
	resolve("www.dead.test.", DNS_TYPE_A, &d);
	cr_assert_str_eq(servers_asked(1), F2 " " F1, "%s", servers_asked(1));
}

Test(cp_iter_forward, refused_marks_lame_and_moves_on)
{
	struct done d;

	SCRIPT(flaky);
	forward(".", 2, F2, F3);
	prime_rtt(F2, 1000);
	resolve("a.refused.test.", DNS_TYPE_A, &d);
	expect_a(&d, "a.refused.test.", "192.0.2.3");
	cr_assert(is_lame(F2, "."));
	/* Lame for ".": F3 is preferred although F2 is faster. */
	resolve("b.example.", DNS_TYPE_A, &d);
	expect_a(&d, "b.example.", "192.0.2.3");
	cr_assert_str_eq(servers_asked(2), F3);
}

Test(cp_iter_forward, garbage_moves_on)
{
	struct done d;

	SCRIPT(flaky);
	forward(".", 2, F2, F3);
	prime_rtt(F2, 1000);
	resolve("a.garbage.test.", DNS_TYPE_A, &d);
	expect_a(&d, "a.garbage.test.", "192.0.2.3");
	cr_assert_str_eq(servers_asked(0), F2 " " F3);
	cr_assert_eq(env.stats.verdicts[CP_RESP_FORMERR], 1);
}

Test(cp_iter_forward, all_fail_servfail_within_bounds)
{
	struct done d;
	uint64_t t0 = fake.now_ms;

	SCRIPT(flaky);
	forward(".", 3, F1, F2, F3);
	/* RTO 3 x RTT (above the 50 ms clamp): asked F1, F2, F3 in that order. */
	prime_rtt(F1, 100000);
	prime_rtt(F2, 200000);
	prime_rtt(F3, 300000);
	resolve("www.dead.test.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
	/* F1 and F2 only timed out: asked once more; F3 said SERVFAIL: not again. */
	cr_assert_str_eq(servers_asked(0), F1 " " F2 " " F3 " " F1 " " F2, "%s", servers_asked(0));
	cr_assert_eq(env.stats.fwd_failovers, 4);
	cr_assert_leq(fake.now_ms - t0, CP_ITER_DEFAULT_MAX_TIME_MS);
	cr_assert_eq(fake.unscripted, 0);
}

Test(cp_iter_forward, all_fail_bounded_by_max_sent)
{
	struct done d;

	SCRIPT(flaky);
	env.limits.max_sent = 2;
	forward(".", 3, F1, F2, F3);
	resolve("www.dead.test.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_SENT);
	cr_assert_eq(fake.n, 2);
}

Test(cp_iter_forward, all_fail_bounded_by_max_time)
{
	struct done d;
	uint64_t t0 = fake.now_ms;

	SCRIPT(flaky);
	env.limits.max_time_ms = 1000; /* 376 ms each, then 752 in the second round: no */
	forward(".", 2, F1, F2);
	resolve("www.dead.test.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_TIME);
	cr_assert_leq(fake.now_ms - t0, 1000, "took %llu ms",
	              (unsigned long long)(fake.now_ms - t0));
}

static const struct script lossy[] = {
	{ F1, NULL, DNS_TYPE_A, REC, "AN @ A 192.0.2.9", false, 1 },
};

Test(cp_iter_forward, one_lost_datagram_recovered_by_the_second_round)
{
	struct done d;

	SCRIPT(lossy);
	forward(".", 1, F1);
	resolve("www.example.net.", DNS_TYPE_A, &d);
	expect_a(&d, "www.example.net.", "192.0.2.9");
	cr_assert_str_eq(servers_asked(0), F1 " " F1);
	cr_assert_eq(env.stats.fwd_failovers, 1);
}

/* ---- forward zones beside iteration ---- */

static const struct script mixed[] = {
	/* corp.example.'s forwarder: a CNAME out of its zone, with a poisoned target. */
	{ F1, "alias.corp.example.", DNS_TYPE_A, REC,
	  "AN @ CNAME www.example.net.; AN www.example.net. A 203.0.113.66" },
	{ F1, "*.corp.example.", DNS_TYPE_A, REC, "AN @ A 192.0.2.10" },
	{ F1, "*.corp.example.", DNS_TYPE_MX, REC, "AU example. SOA" },
	/* The root of the iterative side answers example.net. itself. */
	{ ROOT, "*.example.net.", DNS_TYPE_A, DNS_FLAG_AA, "AN @ A 192.0.2.20" },
};

Test(cp_iter_forward, cname_out_of_the_forward_zone_resolved_iteratively)
{
	struct done d;

	SCRIPT(mixed);
	/* The iterative side kept simple: no priming query, no minimised steps. */
	env.priming = false;
	env.qname_minimisation = false;
	forward("corp.example.", 1, F1);
	resolve("alias.corp.example.", DNS_TYPE_A, &d);
	expect_a(&d, "www.example.net.", "192.0.2.20");
	cr_assert_eq(d.count[DNS_SECTION_ANSWER], 2);
	cr_assert_str_eq(servers_asked(0), F1 " " ROOT);
	cr_assert_not(fake.q[1].p.rd, "iteration asks with RD=0");
	cr_assert_eq(env.stats.forwarded, 1);
	cr_assert_eq(cached_rank("www.example.net.", DNS_TYPE_A), CP_RRC_RANK_AUTH_ANSWER,
	             "the forwarder's out-of-zone record was dropped");
	/* A name outside the forward zone never goes to its forwarder. */
	resolve("other.example.net.", DNS_TYPE_A, &d);
	expect_a(&d, "other.example.net.", "192.0.2.20");
	cr_assert_str_eq(servers_asked(2), ROOT);
}

Test(cp_iter_forward, nodata_with_the_soa_above_the_forward_zone)
{
	struct done d;

	SCRIPT(mixed);
	forward("corp.example.", 1, F1);
	resolve("www.corp.example.", DNS_TYPE_MX, &d);
	/* The SOA of example. is out of the forward zone's bailiwick: dropped, NODATA stays. */
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(d.n, 0);
	cr_assert_str_eq(servers_asked(0), F1);
}

Test(cp_iter_forward, forward_zone_wins_over_a_cached_delegation)
{
	struct done d;
	uint8_t owner[DNS_NAME_MAXLEN], target[DNS_NAME_MAXLEN];
	struct dns_rdata rd = { .data = target, .len = 0 };
	struct dns_rrset_in ns = { .owner = owner,
		                   .type = DNS_TYPE_NS,
		                   .rclass = DNS_CLASS_IN,
		                   .ttl = 3600,
		                   .n_rdata = 1,
		                   .rdata = &rd };

	SCRIPT(mixed);
	mb_wire(owner, "corp.example.");
	rd.len = (uint16_t)mb_wire(target, "ns.corp.example.");
	cr_assert_eq(cp_rrcache_store(cache, &ns, CP_RRC_RANK_AUTH_ANSWER, fake.now_ms / 1000), 0);
	forward("corp.example.", 1, F1);
	resolve("host.corp.example.", DNS_TYPE_A, &d);
	expect_a(&d, "host.corp.example.", "192.0.2.10");
	cr_assert_str_eq(servers_asked(0), F1);
}

Test(cp_iter_forward, pure_forwarder_without_hints)
{
	struct done d;
	uint8_t qn[DNS_NAME_MAXLEN];

	SCRIPT(mixed);
	env.hints = NULL;
	env.n_hints = 0;
	forward("corp.example.", 1, F1);
	resolve("host.corp.example.", DNS_TYPE_A, &d);
	expect_a(&d, "host.corp.example.", "192.0.2.10");
	/* Outside every forward zone and no hints: nobody to ask. */
	resolve("www.example.net.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
	cr_assert_eq(fake.n, 1);
	env.forward = NULL;
	mb_wire(qn, "www.example.net.");
	cr_assert_eq(cp_iter_start(&env, qn, DNS_TYPE_A, DNS_CLASS_IN, ih_on_done, &d, NULL),
	             -EINVAL, "neither hints nor forward zones");
}

Test(cp_iter_forward, table_changed_while_a_question_waits)
{
	struct done d = { 0 };
	uint8_t qn[DNS_NAME_MAXLEN];
	struct cp_iter *it = NULL;

	SCRIPT(mixed);
	forward("corp.example.", 1, F1);
	mb_wire(qn, "host.corp.example.");
	cr_assert_eq(cp_iter_start(&env, qn, DNS_TYPE_A, DNS_CLASS_IN, ih_on_done, &d, &it), 0);
	cr_assert_not_null(it);
	/* Removed and re-added elsewhere before the reply: the question keeps its copy. */
	cr_assert_eq(cp_forward_remove(fwd, qn + 5), 0);
	forward("corp.example.", 1, F2);
	pump();
	expect_a(&d, "host.corp.example.", "192.0.2.10");
	cr_assert_str_eq(servers_asked(0), F1);
}
