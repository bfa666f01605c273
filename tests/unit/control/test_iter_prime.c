/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of priming (control/cp_iter_prime.c, RFC 8109) against the
 * scripted network of iter_harness.h: the primed root replaces the hints, bad
 * or missing answers keep the hints with a backoff, an expired root NS set is
 * primed again, rounds are bounded.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "cp_response.h"
#include "dns_name.h"
#include "iter_harness.h"
#include "msg_builder.h"

static void
setup(void)
{
	ih_setup();
	env.priming = true;
}

TestSuite(cp_iter_prime, .init = setup, .fini = ih_teardown);

/* The primed root: a.root. 10.0.0.2 (answers like the hint), b.root. 10.0.0.3 (silent). */
#define PRIMED "AN . NS a.root.; AN . NS b.root.; AD a.root. A 10.0.0.2; AD b.root. A 10.0.0.3"

static const struct script good[] = {
	{ ROOT, ".", DNS_TYPE_NS, AA, PRIMED },
	{ "10.0.0.2", "*.com.", ANY_TYPE, 0, "AU com. NS a.gtld.com.; AD a.gtld.com. A 10.0.1.1" },
	{ "10.0.0.2", "*.net.", ANY_TYPE, 0, "AU net. NS a.gtld.net.; AD a.gtld.net. A 10.0.2.1" },
	{ "10.0.0.3", NULL, ANY_TYPE, 0, NULL, true },
};

static const struct script short_ttl[] = {
	{ ROOT, ".", DNS_TYPE_NS, AA,
	  "AN . 60 NS a.root.; AD a.root. 60 A 10.0.0.2" },
	{ "10.0.0.2", "*.com.", ANY_TYPE, 0, "AU com. NS a.gtld.com.; AD a.gtld.com. A 10.0.1.1" },
};

static const struct script no_addresses[] = {
	{ ROOT, ".", DNS_TYPE_NS, AA, "AN . NS a.root.; AN . NS b.root." },
};

static const struct script not_aa[] = {
	{ ROOT, ".", DNS_TYPE_NS, 0, PRIMED },
};

#define USE(s) ih_script((s), sizeof(s) / sizeof((s)[0]))

Test(cp_iter_prime, primed_root_replaces_the_hints)
{
	struct done d;
	unsigned from;

	USE(good);
	cp_iter_prime(&env);
	cr_assert_eq(fake.n, 1);
	cr_assert_str_eq(ih_query_text(0), ROOT " . 2");
	cr_assert(fake.q[0].p.edns, "priming asks with EDNS (RFC 8109 3)");
	pump();
	cr_assert_eq(env.stats.prime_sent, 1);
	cr_assert_eq(env.stats.prime_ok, 1);
	cr_assert(cached(".", DNS_TYPE_NS));
	cr_assert(cached("a.root.", DNS_TYPE_A));
	cr_assert_eq(env.stats.sent, 0, "priming is not a question's query");
	prime_rtt("10.0.0.2", 1000); /* before the silent b.root. */
	from = fake.n;
	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_str_eq(ih_query_text(from), "10.0.0.2 com. 1");
	cr_assert_not(asked(ROOT, from), "the hint is not used any more");
	cr_assert_eq(env.stats.prime_sent, 1);
}

/* An answer without addresses cannot replace the hints (nor one without AA). */
Test(cp_iter_prime, useless_answer_keeps_hints_then_backoff)
{
	struct done d;

	USE(no_addresses);
	cp_iter_prime(&env);
	pump();
	cr_assert_eq(env.stats.prime_ok, 0);
	cr_assert_eq(env.stats.prime_failed, 1);
	cr_assert_not(cached(".", DNS_TYPE_NS));
	/* The hints answer; no new round within the 1 s backoff. */
	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(count_asked(".", DNS_TYPE_NS, 0), 1);
	/* Each question below starts at the hints again (empty cache). */
	fake.now_ms += 1500;
	cp_rrcache_flush_all(cache);
	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(count_asked(".", DNS_TYPE_NS, 0), 2, "past the backoff: primed again");
	cr_assert_eq(env.stats.prime_failed, 2);
	/* The backoff doubled: 1.5 s later is still too early, 2.5 s is not. */
	fake.now_ms += 1500;
	cp_rrcache_flush_all(cache);
	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(count_asked(".", DNS_TYPE_NS, 0), 2);
	fake.now_ms += 1000;
	cp_rrcache_flush_all(cache);
	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(count_asked(".", DNS_TYPE_NS, 0), 3);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR);
}

Test(cp_iter_prime, answer_without_aa_is_refused)
{
	USE(not_aa);
	cp_iter_prime(&env);
	pump();
	cr_assert_eq(env.stats.prime_ok, 0);
	cr_assert_not(cached(".", DNS_TYPE_NS));
}

Test(cp_iter_prime, expired_root_ns_is_primed_again)
{
	struct done d;

	USE(short_ttl);
	cp_iter_prime(&env);
	pump();
	cr_assert_eq(env.stats.prime_ok, 1);
	fake.now_ms += 61000;
	cr_assert_not(cached(".", DNS_TYPE_NS));
	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_eq(count_asked(".", DNS_TYPE_NS, 0), 2);
	cr_assert_eq(env.stats.prime_ok, 2);
	cr_assert(cached(".", DNS_TYPE_NS));
}

/* A silent hint: the next one is asked; a round asks at most 3. */
Test(cp_iter_prime, round_tries_next_hints_bounded)
{
	static const struct script silent[] = {
		{ ROOT, ".", DNS_TYPE_NS, 0, NULL, true },
		{ "10.0.0.4", ".", DNS_TYPE_NS, AA, PRIMED },
	};
	static const char *const addrs[] = { ROOT, "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7" };
	struct cp_iter_hint hints[5];
	uint8_t name[DNS_NAME_MAXLEN];

	USE(silent);
	mb_wire(name, "a.root.");
	for (unsigned i = 0; i < 5; i++) {
		hints[i].name = name;
		hints[i].addr = v4(addrs[i]);
	}
	env.hints = hints;
	env.n_hints = 2;
	prime_rtt(ROOT, 1000); /* the silent one first */
	cp_iter_prime(&env);
	pump();
	cr_assert_eq(env.stats.prime_sent, 2);
	cr_assert_eq(env.stats.prime_ok, 1);
	/* Five silent hints (10.0.0.5-8 are nowhere in the scripts): three tries, one round. */
	hints[1].addr = v4("10.0.0.8");
	env.n_hints = 5;
	cp_iter_prime(&env);
	pump();
	cr_assert_eq(env.stats.prime_sent, 2 + 3);
	cr_assert_eq(env.stats.prime_failed, 1);
	cr_assert_eq(env.stats.prime_ok, 1);
}

Test(cp_iter_prime, fini_cancels_a_priming_query)
{
	USE(good);
	cp_iter_prime(&env);
	cp_iter_prime(&env); /* one out already: nothing more */
	cr_assert_eq(fake.n, 1);
	cp_iter_env_fini(&env);
	cr_assert_eq(fake.cancels, 1);
	cp_iter_env_fini(&env); /* twice is harmless (the suite's fini does it again) */
}

/* A cached root NS set whose addresses are gone: the hints serve, and priming is asked. */
Test(cp_iter_prime, root_ns_without_addresses_uses_hints)
{
	struct done d;
	uint8_t target[DNS_NAME_MAXLEN];
	struct dns_rdata rd = { .data = target, .len = 0 };
	struct dns_rrset_in ns = { .owner = (const uint8_t *)"",
		                   .type = DNS_TYPE_NS,
		                   .rclass = DNS_CLASS_IN,
		                   .ttl = 3600,
		                   .n_rdata = 1,
		                   .rdata = &rd };

	env.priming = false;
	rd.len = (uint16_t)mb_wire(target, "gone.root.");
	cr_assert_eq(cp_rrcache_store(cache, &ns, CP_RRC_RANK_AUTH_ANSWER, fake.now_ms / 1000), 0);
	resolve("www.example.com.", DNS_TYPE_A, &d);
	cr_assert_eq(d.rcode, DNS_RCODE_NOERROR, "cause %s", cp_iter_cause_name(d.cause));
	cr_assert_str_eq(ih_query_text(0), ROOT " com. 1");
	cr_assert_eq(env.stats.sub_started, 0, "no lookup of the root servers' names");
}
