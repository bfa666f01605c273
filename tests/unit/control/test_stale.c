/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of serve-stale answers (control/cp_stale.c) and of the iterator's
 * refresh mode (cp_iter_start_refresh(), for prefetch), over the iterator suites'
 * scripted network (iter_harness.c): the root server is authoritative for
 * stale.test. and answers from the table below, or nothing at all while
 * fake.down. The cache keeps expired entries for an hour (stale_max_age).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cp_iter.h"
#include "cp_stale.h"
#include "iter_harness.h"
#include "msg_builder.h"

/* The root's answers, TTL 100: www. A, alias. CNAME www., anything else NXDOMAIN. */
static const struct script stale_zone[] = {
	{ ROOT, "www.stale.test.", DNS_TYPE_A, AA, "AN @ 100 A 192.0.2.1" },
	{ ROOT, "alias.stale.test.", ANY_TYPE, AA, "AN @ 100 CNAME www.stale.test." },
	{ ROOT, "*.stale.test.", ANY_TYPE, AA | DNS_RCODE_NXDOMAIN, "AU stale.test. 100 SOA 100" },
};

static void
setup(void)
{
	struct cp_rrc_conf rc;

	cp_rrcache_conf_default(&rc);
	rc.stale_max_age = 3600;
	ih_setup_cache(&rc);
	ih_script(stale_zone, sizeof(stale_zone) / sizeof(stale_zone[0]));
	/* These cases count the queries of the full-name iteration they were written for. */
	env.qname_minimisation = false;
}

TestSuite(cp_stale, .init = setup, .fini = ih_teardown);

static const uint8_t *
N(const char *text)
{
	static uint8_t buf[4][DNS_NAME_MAXLEN];
	static unsigned i;
	uint8_t *out = buf[i++ % 4];

	mb_wire(out, text);
	return out;
}

/* Resolve (name, type) to the end; @return the rcode, with the queries it sent. */
static uint8_t
resolve_to_end(const char *name, uint16_t type, bool refresh, unsigned *sent, uint32_t *ttl_min)
{
	struct done d;
	unsigned before = fake.n;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = refresh ? cp_iter_start_refresh(&env, N(name), type, DNS_CLASS_IN, ih_on_done, &d,
	                                     NULL)
	             : cp_iter_start(&env, N(name), type, DNS_CLASS_IN, ih_on_done, &d, NULL);

	cr_assert_eq(rc, 0);
	pump();
	cr_assert_eq(d.called, 1);
	if (sent != NULL)
		*sent = fake.n - before;
	if (ttl_min != NULL)
		*ttl_min = d.ttl_min;
	return d.rcode;
}

static _Alignas(8) uint8_t tbuf[DNS_TMPL_MAXLEN];

static const struct dns_template *
stale(const char *name, uint16_t type, int *len, bool *was_stale)
{
	*len = cp_stale_build(cache, N(name), type, DNS_CLASS_IN, fake.now_ms / 1000, 30, tbuf,
	                      sizeof(tbuf), was_stale);
	return (const struct dns_template *)(const void *)tbuf;
}

/* ---- serve-stale ---- */

Test(cp_stale, failed_resolution_gets_stale_answer_with_ttl_30)
{
	const struct dns_template *t;
	bool was_stale;
	int len;

	cr_assert_eq(resolve_to_end("www.stale.test.", DNS_TYPE_A, false, NULL, NULL),
	             DNS_RCODE_NOERROR);
	fake.now_ms += 101 * 1000; /* past the 100 s TTL */
	fake.down = true;
	cr_assert_eq(resolve_to_end("www.stale.test.", DNS_TYPE_A, false, NULL, NULL),
	             DNS_RCODE_SERVFAIL);
	t = stale("www.stale.test.", DNS_TYPE_A, &len, &was_stale);
	cr_assert_gt(len, 0);
	cr_assert(was_stale);
	cr_assert_eq(t->flags & DNS_RCODE_MASK, DNS_RCODE_NOERROR);
	cr_assert_eq(t->count[DNS_SECTION_ANSWER], 1);
	cr_assert_eq(t->ttl_min, 30, "RFC 8767 4: stale RRsets go out with TTL 30");
	cr_assert_eq(dns_template_check(tbuf, (size_t)len), 0);
}

Test(cp_stale, stale_cname_chain_and_nxdomain)
{
	const struct dns_template *t;
	bool was_stale;
	int len;

	cr_assert_eq(resolve_to_end("alias.stale.test.", DNS_TYPE_A, false, NULL, NULL),
	             DNS_RCODE_NOERROR);
	cr_assert_eq(resolve_to_end("nx.stale.test.", DNS_TYPE_A, false, NULL, NULL),
	             DNS_RCODE_NXDOMAIN);
	fake.now_ms += 500 * 1000;
	t = stale("alias.stale.test.", DNS_TYPE_A, &len, &was_stale);
	cr_assert_gt(len, 0);
	cr_assert(was_stale);
	cr_assert_eq(t->count[DNS_SECTION_ANSWER], 2, "CNAME and the target's A");
	cr_assert_eq(t->ttl_min, 30);
	t = stale("nx.stale.test.", DNS_TYPE_A, &len, &was_stale);
	cr_assert_gt(len, 0);
	cr_assert_eq(t->flags & DNS_RCODE_MASK, DNS_RCODE_NXDOMAIN);
	cr_assert_eq(t->count[DNS_SECTION_AUTHORITY], 1, "the SOA");
	cr_assert_eq(t->ttl_min, 30);
}

Test(cp_stale, nothing_past_the_window_or_never_cached)
{
	bool was_stale;
	int len;

	resolve_to_end("www.stale.test.", DNS_TYPE_A, false, NULL, NULL);
	fake.now_ms += (100 + 3600) * 1000ull; /* expired for exactly stale_max_age */
	stale("www.stale.test.", DNS_TYPE_A, &len, &was_stale);
	cr_assert_eq(len, 0);
	stale("other.stale.test.", DNS_TYPE_AAAA, &len, &was_stale);
	cr_assert_eq(len, 0);
}

/* Glue (additional section) never answers a client, stale or not (RFC 2181 5.4.1). */
Test(cp_stale, glue_is_never_a_stale_answer)
{
	static const uint8_t addr[4] = { 192, 0, 2, 53 };
	struct dns_rdata rd = { addr, 4 };
	struct dns_rrset_in rr = { .owner = N("ns.stale.test."), .type = DNS_TYPE_A,
		                   .rclass = DNS_CLASS_IN, .ttl = 60, .n_rdata = 1, .rdata = &rd };
	bool was_stale;
	int len;

	cr_assert_eq(cp_rrcache_store(cache, &rr, CP_RRC_RANK_ADDITIONAL, fake.now_ms / 1000), 0);
	fake.now_ms += 61 * 1000;
	stale("ns.stale.test.", DNS_TYPE_A, &len, &was_stale);
	cr_assert_eq(len, 0);
}

/* Live data in a stale answer keeps what it has left, never more than the stale TTL. */
Test(cp_stale, live_data_cut_to_the_stale_ttl)
{
	const struct dns_template *t;
	bool was_stale = true;
	int len;

	resolve_to_end("www.stale.test.", DNS_TYPE_A, false, NULL, NULL);
	fake.now_ms += 50 * 1000;
	t = stale("www.stale.test.", DNS_TYPE_A, &len, &was_stale);
	cr_assert_gt(len, 0);
	cr_assert_not(was_stale);
	cr_assert_eq(t->ttl_min, 30);
	fake.now_ms += 40 * 1000;
	t = stale("www.stale.test.", DNS_TYPE_A, &len, &was_stale);
	cr_assert_eq(t->ttl_min, 10);
}

/* ---- refresh mode (prefetch) ---- */

Test(cp_stale, refresh_asks_again_only_in_the_last_tenth)
{
	uint32_t ttl;
	unsigned sent;

	resolve_to_end("www.stale.test.", DNS_TYPE_A, false, &sent, NULL);
	cr_assert_eq(sent, 1);
	/* 50 s left of 100: the cache answers, refresh or not. */
	fake.now_ms += 50 * 1000;
	cr_assert_eq(resolve_to_end("www.stale.test.", DNS_TYPE_A, true, &sent, &ttl),
	             DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 0);
	/* 9 s left: a normal start still answers from the cache, a refresh asks upstream. */
	fake.now_ms += 41 * 1000;
	cr_assert_eq(resolve_to_end("www.stale.test.", DNS_TYPE_A, false, &sent, &ttl),
	             DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 0);
	cr_assert_eq(ttl, 9);
	cr_assert_eq(resolve_to_end("www.stale.test.", DNS_TYPE_A, true, &sent, &ttl),
	             DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 1);
	cr_assert_eq(ttl, 100, "the fresh answer");
	/* Just refreshed: a second report (another worker) is answered from the cache. */
	cr_assert_eq(resolve_to_end("www.stale.test.", DNS_TYPE_A, true, &sent, NULL),
	             DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 0);
}

Test(cp_stale, refresh_follows_the_chain)
{
	unsigned sent;

	resolve_to_end("alias.stale.test.", DNS_TYPE_A, false, &sent, NULL);
	cr_assert_eq(sent, 2, "CNAME, then the target");
	fake.now_ms += 95 * 1000;
	cr_assert_eq(resolve_to_end("alias.stale.test.", DNS_TYPE_A, true, &sent, NULL),
	             DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 2, "both links were in their last tenth");
}

/* A refresh that fails leaves the old entry: its clients keep their answer, then stale. */
Test(cp_stale, failed_refresh_keeps_the_entry)
{
	bool was_stale;
	int len;

	resolve_to_end("www.stale.test.", DNS_TYPE_A, false, NULL, NULL);
	fake.now_ms += 95 * 1000;
	fake.down = true;
	cr_assert_eq(resolve_to_end("www.stale.test.", DNS_TYPE_A, true, NULL, NULL),
	             DNS_RCODE_SERVFAIL);
	stale("www.stale.test.", DNS_TYPE_A, &len, &was_stale);
	cr_assert_gt(len, 0);
}
