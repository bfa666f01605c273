/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of serve-stale answers (control/cp_stale.c) and of the iterator's
 * refresh mode (cp_iter_start_refresh(), for prefetch), over a scripted network:
 * one root server, authoritative for everything, answers from a small table, or
 * nothing at all while "down". Queries are answered by pump(), never inside
 * cp_net_query(), so runs are synchronous and deterministic; the fake clock
 * moves 10 ms per reply and by the timeout for a silence.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "cp_iter.h"
#include "cp_stale.h"
#include "dns_name.h"
#include "msg_builder.h"

#define ROOT "10.0.0.1"
#define T0_MS 5000000ull

struct fq {
	cp_upq_done_fn cb;
	void *arg;
	uint16_t qtype;
	char qname[300];
	bool live;
};

static struct {
	struct fq q[64];
	unsigned n, next;
	bool down;       /* every query times out */
	uint32_t ttl;    /* of every answer RR */
	uint64_t now_ms;
} fake;

static void
text_of(const uint8_t *name, char *out)
{
	size_t o = 0;

	for (; *name != 0; name += *name + 1) {
		memcpy(out + o, name + 1, *name);
		o += *name;
		out[o++] = '.';
	}
	out[o] = '\0';
}

static int
fake_query(void *ctx, const struct cp_upq_params *p, cp_upq_done_fn cb, void *arg, void **handle)
{
	struct fq *q;

	(void)ctx;
	cr_assert_lt(fake.n, 64, "too many queries");
	q = &fake.q[fake.n++];
	q->cb = cb;
	q->arg = arg;
	q->qtype = p->qtype;
	text_of(p->qname, q->qname);
	q->live = true;
	*handle = q;
	return 0;
}

static void
fake_cancel(void *ctx, void *handle)
{
	(void)ctx;
	((struct fq *)handle)->live = false;
}

static const struct cp_net_ops fake_ops = { .query = fake_query, .cancel = fake_cancel };

static uint64_t
fake_now(void *ctx)
{
	(void)ctx;
	return fake.now_ms;
}

static void
rr_a(struct mb *m, const char *owner, uint8_t last)
{
	size_t at = mb_rr_begin(m, owner, DNS_TYPE_A, DNS_CLASS_IN, fake.ttl);

	mb_put8(m, 192), mb_put8(m, 0), mb_put8(m, 2), mb_put8(m, last);
	mb_end_rr(m, at);
}

/* The root's answers: www. A, alias. CNAME www., anything else NXDOMAIN. */
static void
answer(struct mb *m, const struct fq *q)
{
	uint16_t aa = DNS_FLAG_AA;
	size_t at;

	if (strcasecmp(q->qname, "www.stale.test.") == 0 && q->qtype == DNS_TYPE_A) {
		mb_start(m, 1, DNS_FLAG_QR | aa, q->qname, q->qtype);
		rr_a(m, q->qname, (uint8_t)(fake.now_ms / 1000 % 200));
	} else if (strcasecmp(q->qname, "alias.stale.test.") == 0) {
		mb_start(m, 1, DNS_FLAG_QR | aa, q->qname, q->qtype);
		at = mb_rr_begin(m, q->qname, DNS_TYPE_CNAME, DNS_CLASS_IN, fake.ttl);
		mb_name(m, "www.stale.test.");
		mb_end_rr(m, at);
	} else {
		mb_start(m, 1, DNS_FLAG_QR | aa | DNS_RCODE_NXDOMAIN, q->qname, q->qtype);
		m->sec = 1;
		at = mb_rr_begin(m, "stale.test.", DNS_TYPE_SOA, DNS_CLASS_IN, fake.ttl);
		mb_name(m, "ns.stale.test.");
		mb_name(m, "hostmaster.stale.test.");
		mb_put32(m, 1), mb_put32(m, 3600), mb_put32(m, 600), mb_put32(m, 86400);
		mb_put32(m, fake.ttl);
		mb_end_rr(m, at);
	}
}

static void
pump(void)
{
	for (; fake.next < fake.n; fake.next++) {
		struct fq *q = &fake.q[fake.next];
		struct cp_upq_result r = { 0 };
		struct mb m;

		if (!q->live)
			continue;
		q->live = false;
		if (fake.down) {
			fake.now_ms += 1000;
			r.status = CP_UPQ_TIMEOUT;
		} else {
			answer(&m, q);
			fake.now_ms += 10;
			r.status = CP_UPQ_OK;
			r.msg = m.b;
			r.len = (uint16_t)m.len;
			r.rtt_us = 10000;
		}
		q->cb(q->arg, &r);
	}
}

/* ---- environment ---- */

static struct cp_iter_env env;
static struct cp_rrcache *cache;
static struct cp_infra *infra;
static uint8_t hint_name[DNS_NAME_MAXLEN];
static struct cp_iter_hint hint;

static void
setup(void)
{
	struct cp_rrc_conf rc;
	struct cp_infra_params ip;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&hint.addr;

	memset(&fake, 0, sizeof(fake));
	fake.now_ms = T0_MS;
	fake.ttl = 100;
	cp_rrcache_conf_default(&rc);
	rc.stale_max_age = 3600;
	cache = cp_rrcache_new(&rc);
	cp_infra_params_init(&ip);
	ip.seed = 7;
	infra = cp_infra_create(&ip);
	cr_assert_not_null(cache);
	cr_assert_not_null(infra);
	cr_assert_eq(cp_iter_env_init(&env), 0);
	mb_wire(hint_name, "a.root.");
	memset(&hint.addr, 0, sizeof(hint.addr));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(53);
	inet_pton(AF_INET, ROOT, &s4->sin_addr);
	hint.name = hint_name;
	env.rrcache = cache;
	env.infra = infra;
	env.net = (struct cp_net){ .ops = &fake_ops, .ctx = NULL };
	env.hints = &hint;
	env.n_hints = 1;
	env.now_ms = fake_now;
	/* These cases count the queries of the full-name iteration they were written for. */
	env.priming = false;
	env.qname_minimisation = false;
}

static void
teardown(void)
{
	memset(&fake, 0, sizeof(fake));
	cp_iter_env_fini(&env);
	cp_infra_destroy(infra);
	cp_rrcache_free(cache);
}

TestSuite(cp_stale, .init = setup, .fini = teardown);

struct done {
	int called;
	uint8_t rcode;
	uint32_t ttl_min;
};

static void
on_done(void *arg, const struct cp_iter_result *res)
{
	struct done *d = arg;

	d->called++;
	d->rcode = res->rcode;
	d->ttl_min = res->ttl_min;
}

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
resolve(const char *name, uint16_t type, bool refresh, unsigned *sent, uint32_t *ttl_min)
{
	struct done d = { 0 };
	unsigned before = fake.n;
	int rc = refresh ? cp_iter_start_refresh(&env, N(name), type, DNS_CLASS_IN, on_done, &d,
	                                         NULL)
	                 : cp_iter_start(&env, N(name), type, DNS_CLASS_IN, on_done, &d, NULL);

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

	cr_assert_eq(resolve("www.stale.test.", DNS_TYPE_A, false, NULL, NULL), DNS_RCODE_NOERROR);
	fake.now_ms += 101 * 1000; /* past the 100 s TTL */
	fake.down = true;
	cr_assert_eq(resolve("www.stale.test.", DNS_TYPE_A, false, NULL, NULL), DNS_RCODE_SERVFAIL);
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

	cr_assert_eq(resolve("alias.stale.test.", DNS_TYPE_A, false, NULL, NULL),
	             DNS_RCODE_NOERROR);
	cr_assert_eq(resolve("nx.stale.test.", DNS_TYPE_A, false, NULL, NULL), DNS_RCODE_NXDOMAIN);
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

	resolve("www.stale.test.", DNS_TYPE_A, false, NULL, NULL);
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

	resolve("www.stale.test.", DNS_TYPE_A, false, NULL, NULL);
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

	resolve("www.stale.test.", DNS_TYPE_A, false, &sent, NULL);
	cr_assert_eq(sent, 1);
	/* 50 s left of 100: the cache answers, refresh or not. */
	fake.now_ms += 50 * 1000;
	cr_assert_eq(resolve("www.stale.test.", DNS_TYPE_A, true, &sent, &ttl), DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 0);
	/* 9 s left: a normal start still answers from the cache, a refresh asks upstream. */
	fake.now_ms += 41 * 1000;
	cr_assert_eq(resolve("www.stale.test.", DNS_TYPE_A, false, &sent, &ttl), DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 0);
	cr_assert_eq(ttl, 9);
	cr_assert_eq(resolve("www.stale.test.", DNS_TYPE_A, true, &sent, &ttl), DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 1);
	cr_assert_eq(ttl, 100, "the fresh answer");
	/* Just refreshed: a second report (another worker) is answered from the cache. */
	cr_assert_eq(resolve("www.stale.test.", DNS_TYPE_A, true, &sent, NULL), DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 0);
}

Test(cp_stale, refresh_follows_the_chain)
{
	unsigned sent;

	resolve("alias.stale.test.", DNS_TYPE_A, false, &sent, NULL);
	cr_assert_eq(sent, 2, "CNAME, then the target");
	fake.now_ms += 95 * 1000;
	cr_assert_eq(resolve("alias.stale.test.", DNS_TYPE_A, true, &sent, NULL),
	             DNS_RCODE_NOERROR);
	cr_assert_eq(sent, 2, "both links were in their last tenth");
}

/* A refresh that fails leaves the old entry: its clients keep their answer, then stale. */
Test(cp_stale, failed_refresh_keeps_the_entry)
{
	bool was_stale;
	int len;

	resolve("www.stale.test.", DNS_TYPE_A, false, NULL, NULL);
	fake.now_ms += 95 * 1000;
	fake.down = true;
	cr_assert_eq(resolve("www.stale.test.", DNS_TYPE_A, true, NULL, NULL), DNS_RCODE_SERVFAIL);
	stale("www.stale.test.", DNS_TYPE_A, &len, &was_stale);
	cr_assert_gt(len, 0);
}
