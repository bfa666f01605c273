/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the iterator's bounds (struct cp_iter_limits), dependency loops
 * and cancellation, against the scripted network of iter_harness.h.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cp_response.h"
#include "dns_name.h"
#include "iter_harness.h"
#include "msg_builder.h"

TestSuite(cp_iter_bounds, .init = ih_setup, .fini = ih_teardown);

/* ---- every bound ---- */

Test(cp_iter_bounds, bound_referrals)
{
	struct done d;

	env.limits.max_referrals = 1;
	resolve("www.example.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_REFERRALS);
}

Test(cp_iter_bounds, bound_cnames)
{
	struct done d;

	env.limits.max_cnames = 0;
	resolve("alias.example.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_CNAMES);
}

Test(cp_iter_bounds, bound_sent)
{
	struct done d;

	env.limits.max_sent = 2;
	resolve("www.example.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_SENT);
	cr_assert_eq(fake.n, 2);
}

Test(cp_iter_bounds, bound_sent_counts_sub_resolutions)
{
	struct done d;

	env.limits.max_sent = 4; /* root, com., then the sub needs root, net., example.net. */
	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_SENT);
	cr_assert_eq(fake.n, 4);
}

Test(cp_iter_bounds, bound_glueless_per_delegation)
{
	struct done d;

	env.limits.max_glueless_deleg = 0;
	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_GLUELESS_DELEG);
}

Test(cp_iter_bounds, bound_glueless_total)
{
	struct done d;

	env.limits.max_glueless = 0;
	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_GLUELESS);
}

Test(cp_iter_bounds, bound_sub_resolution_depth)
{
	struct done d;

	env.limits.max_depth = 0;
	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_DEPTH);
}

Test(cp_iter_bounds, bound_total_time)
{
	struct done d;
	uint64_t t0 = fake.now_ms;

	env.limits.max_time_ms = 1000; /* 4 dead servers at 376 ms each do not fit */
	resolve("www.dead.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_TIME);
	cr_assert_leq(fake.now_ms - t0, 1000, "took %llu ms",
	              (unsigned long long)(fake.now_ms - t0));
}

/* ---- loops and cancellation ---- */

Test(cp_iter_bounds, glueless_dependency_loop_not_asked_again)
{
	static const struct script parent[] = {
		/* com. still delegates loop.com. to ns.loop.com. without glue */
		{ "10.0.1.1", "*.loop.com.", ANY_TYPE, 0, "AU loop.com. NS ns.loop.com." },
	};
	struct done d;
	uint8_t qn[DNS_NAME_MAXLEN];
	struct dns_rdata rd = { .data = qn, .len = 0 };
	struct dns_rrset_in ns = { .owner = (const uint8_t *)"\4loop\3com",
		                   .type = DNS_TYPE_NS,
		                   .rclass = DNS_CLASS_IN,
		                   .ttl = 3600,
		                   .n_rdata = 1,
		                   .rdata = &rd };

	/* loop.com. served only by ns.loop.com., no glue anywhere: unresolvable. */
	ih_script(parent, 1);
	rd.len = (uint16_t)mb_wire(qn, "ns.loop.com.");
	cr_assert_eq(cp_rrcache_store(cache, &ns, CP_RRC_RANK_AUTH_ANSWER, fake.now_ms / 1000), 0);
	resolve("www.loop.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
	/*
	 * www -> sub ns.loop.com A (its own NS: loop, skipped) -> AAAA sub (the same);
	 * each finds loop.com. cached and goes to its parent (root, com.), which
	 * delegates to the same glueless name: the loop again. Two fallbacks for
	 * the question at most, then the end.
	 */
	cr_assert_eq(env.stats.parent_fallbacks, CP_ITER_MAX_PARENT_FALLBACKS, "%llu fallbacks",
	             (unsigned long long)env.stats.parent_fallbacks);
	cr_assert_leq(fake.n, 4, "only the parent side was asked: %u", fake.n);
	cr_assert_eq(count_asked("www.loop.com.", ANY_TYPE, 0), 0);
	cr_assert_leq(env.stats.sub_started, 4);
	cr_assert_eq(fake.unscripted, 0);
}

Test(cp_iter_bounds, cancel_mid_resolution)
{
	struct done d = { 0 };
	uint8_t qn[DNS_NAME_MAXLEN];
	struct cp_iter *it;

	mb_wire(qn, "www.example.com.");
	cr_assert_eq(cp_iter_start(&env, qn, DNS_TYPE_A, DNS_CLASS_IN, ih_on_done, &d, &it), 0);
	cr_assert_not_null(it);
	cr_assert(pump_one()); /* the root answers; com. is being asked */
	cr_assert_eq(fake.n, 2);
	cp_iter_cancel(it);
	cr_assert_eq(fake.cancels, 1);
	pump();
	cr_assert_eq(d.called, 0, "no callback after cancel");
}

Test(cp_iter_bounds, cancel_during_sub_resolution)
{
	struct done d = { 0 };
	uint8_t qn[DNS_NAME_MAXLEN];
	struct cp_iter *it;

	mb_wire(qn, "www.glueless.com.");
	cr_assert_eq(cp_iter_start(&env, qn, DNS_TYPE_A, DNS_CLASS_IN, ih_on_done, &d, &it), 0);
	cr_assert(pump_one()); /* root */
	cr_assert(pump_one()); /* com.: glueless referral, the sub asks the root */
	cr_assert_eq(env.stats.sub_started, 1);
	cp_iter_cancel(it);
	cr_assert_eq(fake.cancels, 1, "the sub's query cancelled");
	pump();
	cr_assert_eq(d.called, 0);
}

/* NXNSAttack: NS names that do not exist are looked up 5 times per question at most. */
Test(cp_iter_bounds, glueless_nxdomain_bounded)
{
	static const struct script nxns[] = {
		{ "10.0.1.1", "*.nxns.com.", ANY_TYPE, 0,
		  "AU nxns.com. NS a.gone.example.com.; AU nxns.com. NS b.gone.example.com.;"
		  "AU nxns.com. NS c.gone.example.com.; AU nxns.com. NS d.gone.example.com.;"
		  "AU nxns.com. NS e.gone.example.com.; AU nxns.com. NS f.gone.example.com.;"
		  "AU nxns.com. NS g.gone.example.com.; AU nxns.com. NS h.gone.example.com." },
		{ "10.0.3.1", "*.gone.example.com.", ANY_TYPE, AA | DNS_RCODE_NXDOMAIN,
		  "AU example.com. SOA" },
	};
	struct done d;

	ih_script(nxns, sizeof(nxns) / sizeof(nxns[0]));
	env.limits.max_glueless_deleg = 16;
	resolve("www.nxns.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_GLUELESS);
	cr_assert_eq(env.stats.sub_started, CP_ITER_MAX_GLUELESS_NX, "%llu lookups",
	             (unsigned long long)env.stats.sub_started);
	cr_assert_eq(count_asked("f.gone.example.com.", ANY_TYPE, 0), 0);
	cr_assert_eq(fake.unscripted, 0);
}
