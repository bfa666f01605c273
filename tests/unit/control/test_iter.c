/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the iterator (control/cp_iter*.c) against a scripted network.
 *
 * The fake cp_net records every query and answers nothing by itself; pump()
 * answers the oldest live query from a table of (server, qname, qtype) ->
 * response, then the next, until none is left. So completions never run
 * inside cp_net_query() (the real net's contract) and everything is
 * synchronous and deterministic: no loop, no sockets. A fake clock advances
 * 10 ms per reply and by the query's timeout for a scripted (or unscripted)
 * silence.
 *
 * Responses are written as text: "SEC OWNER TYPE RDATA; ..." with SEC one of
 * AN, AU, AD; OWNER "@" is the query's name; types A, NS, CNAME, MX, SOA (SOA
 * takes no RDATA: ns1.<owner> hostmaster.<owner>, MINIMUM 60). Every TTL 3600.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "cp_iter.h"
#include "cp_response.h"
#include "dns_name.h"
#include "msg_builder.h"

/* ---- messages: tests/unit/control/msg_builder.h ---- */

/* Wire name to text ("a.b."), for matching and for answers to "@". */
static void
text_of(const uint8_t *name, char *out)
{
	size_t o = 0;

	if (*name == 0) {
		strcpy(out, ".");
		return;
	}
	while (*name != 0) {
		memcpy(out + o, name + 1, *name);
		o += *name;
		out[o++] = '.';
		name += *name + 1;
	}
	out[o] = '\0';
}

static void
mb_rr(struct mb *m, const char *owner, uint16_t type, const char *rdata)
{
	size_t at;
	char a[320], b[320];

	at = mb_rr_begin(m, owner, type, DNS_CLASS_IN, 3600);
	switch (type) {
	case DNS_TYPE_A: {
		struct in_addr ia;

		cr_assert_eq(inet_pton(AF_INET, rdata, &ia), 1, "bad A %s", rdata);
		memcpy(m->b + m->len, &ia, 4);
		m->len += 4;
		break;
	}
	case DNS_TYPE_MX: {
		unsigned pref;

		cr_assert_eq(sscanf(rdata, "%u %299s", &pref, a), 2);
		mb_put16(m, (uint16_t)pref);
		mb_name(m, a);
		break;
	}
	case DNS_TYPE_SOA:
		snprintf(a, sizeof(a), "ns1.%s", owner);
		snprintf(b, sizeof(b), "hostmaster.%s", owner);
		mb_name(m, a);
		mb_name(m, b);
		mb_put32(m, 1);
		mb_put32(m, 3600);
		mb_put32(m, 600);
		mb_put32(m, 86400);
		mb_put32(m, 60);
		break;
	default: /* NS, CNAME */
		mb_name(m, rdata);
		break;
	}
	mb_end_rr(m, at);
}

static uint16_t
type_of(const char *t)
{
	static const struct {
		const char *n;
		uint16_t t;
	} types[] = { { "A", DNS_TYPE_A },
		      { "NS", DNS_TYPE_NS },
		      { "CNAME", DNS_TYPE_CNAME },
		      { "MX", DNS_TYPE_MX },
		      { "SOA", DNS_TYPE_SOA } };

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].n, t) == 0)
			return types[i].t;
	cr_assert_fail("unknown type %s", t);
	return 0;
}

/* "SEC OWNER TYPE RDATA; ..." after the question. */
static void
mb_spec(struct mb *m, const char *qname, const char *spec)
{
	char buf[2048], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *rec = strtok_r(buf, ";", &save); rec != NULL; rec = strtok_r(NULL, ";", &save)) {
		char sec[8], owner[300], type[16], rdata[300] = "";
		int n = sscanf(rec, " %7s %299s %15s %299[^;]", sec, owner, type, rdata);

		cr_assert_geq(n, 3, "bad spec record '%s'", rec);
		m->sec = strcmp(sec, "AN") == 0 ? 0 : strcmp(sec, "AU") == 0 ? 1 : 2;
		mb_rr(m, strcmp(owner, "@") == 0 ? qname : owner, type_of(type), rdata);
	}
}

/* ---- the scripted network ---- */

#define ANY_TYPE 0

struct script {
	const char *server; /* IPv4 address */
	const char *qname;  /* exact, "*.zone." for anything below zone, NULL: any name */
	uint16_t qtype;     /* ANY_TYPE: any */
	uint16_t flags;     /* besides QR: DNS_FLAG_AA, rcode */
	const char *rrs;    /* spec, or NULL */
	bool timeout;       /* no reply at all */
	uint8_t drop_first; /* the first this many matching queries get no reply */
};

#define AA   DNS_FLAG_AA
#define ROOT "10.0.0.1"

/* The world every test sees: root, com., net., and zones below. */
static const struct script world[] = {
	{ ROOT, "*.com.", ANY_TYPE, 0,
	  "AU com. NS a.gtld.com.; AD a.gtld.com. A 10.0.1.1;"
	  "AD www.example.com. A 6.6.6.6" }, /* not glue: must not be cached */
	{ ROOT, "*.net.", ANY_TYPE, 0, "AU net. NS a.gtld.net.; AD a.gtld.net. A 10.0.2.1" },
	{ "10.0.1.1", "*.example.com.", ANY_TYPE, 0,
	  "AU example.com. NS ns1.example.com.; AD ns1.example.com. A 10.0.3.1;"
	  "AD ns.other.com. A 10.6.6.6; AD evil.net. A 6.6.6.6" }, /* out-of-bailiwick glue */
	{ "10.0.1.1", "*.glueless.com.", ANY_TYPE, 0, "AU glueless.com. NS ns.example.net." },
	{ "10.0.1.1", "*.lame.com.", ANY_TYPE, 0,
	  "AU lame.com. NS ns1.lame.com.; AU lame.com. NS ns2.lame.com.;"
	  "AD ns1.lame.com. A 10.0.6.1; AD ns2.lame.com. A 10.0.6.2" },
	{ "10.0.1.1", "*.timeout.com.", ANY_TYPE, 0,
	  "AU timeout.com. NS ns1.timeout.com.; AU timeout.com. NS ns2.timeout.com.;"
	  "AD ns1.timeout.com. A 10.0.7.1; AD ns2.timeout.com. A 10.0.7.2" },
	{ "10.0.1.1", "*.dead.com.", ANY_TYPE, 0,
	  "AU dead.com. NS ns1.dead.com.; AU dead.com. NS ns2.dead.com.;"
	  "AU dead.com. NS ns3.dead.com.; AU dead.com. NS ns4.dead.com.;"
	  "AD ns1.dead.com. A 10.0.9.1; AD ns2.dead.com. A 10.0.9.2;"
	  "AD ns3.dead.com. A 10.0.9.3; AD ns4.dead.com. A 10.0.9.4" },
	{ "10.0.1.1", "*.lossy.com.", ANY_TYPE, 0,
	  "AU lossy.com. NS ns1.lossy.com.; AD ns1.lossy.com. A 10.0.10.1" },
	{ "10.0.1.1", "*.up.com.", ANY_TYPE, 0,
	  "AU up.com. NS ns1.up.com.; AD ns1.up.com. A 10.0.8.1" },
	{ "10.0.2.1", "*.example.net.", ANY_TYPE, 0,
	  "AU example.net. NS ns1.example.net.; AD ns1.example.net. A 10.0.4.1" },
	/* example.com. */
	{ "10.0.3.1", "www.example.com.", DNS_TYPE_A, AA, "AN @ A 10.9.9.9; AN @ A 10.9.9.8" },
	{ "10.0.3.1", "www.example.com.", DNS_TYPE_MX, AA, "AU example.com. SOA" },
	{ "10.0.3.1", "nx.example.com.", ANY_TYPE, AA | DNS_RCODE_NXDOMAIN, "AU example.com. SOA" },
	{ "10.0.3.1", "alias.example.com.", DNS_TYPE_A, AA, "AN @ CNAME www.example.net." },
	{ "10.0.3.1", "loop1.example.com.", DNS_TYPE_A, AA, "AN @ CNAME loop2.example.net." },
	{ "10.0.3.1", "ns1.example.com.", DNS_TYPE_A, AA, "AN @ A 10.0.3.1" },
	{ "10.0.3.1", "mx.example.com.", DNS_TYPE_MX, AA,
	  "AN @ MX 10 mail.example.com.; AD mail.example.com. A 10.9.9.10" },
	/* example.net. */
	{ "10.0.4.1", "www.example.net.", DNS_TYPE_A, AA, "AN @ A 10.8.8.8" },
	{ "10.0.4.1", "ns.example.net.", DNS_TYPE_A, AA, "AN @ A 10.0.5.1" },
	{ "10.0.4.1", "loop2.example.net.", DNS_TYPE_A, AA, "AN @ CNAME loop1.example.com." },
	/* glueless.com., lame.com., timeout.com., dead.com., up.com. */
	{ "10.0.5.1", "www.glueless.com.", DNS_TYPE_A, AA, "AN @ A 10.7.7.7" },
	{ "10.0.6.1", NULL, ANY_TYPE, DNS_RCODE_REFUSED, NULL },
	{ "10.0.6.2", "*.lame.com.", DNS_TYPE_A, AA, "AN @ A 10.5.5.5" },
	{ "10.0.7.1", NULL, ANY_TYPE, 0, NULL, true },
	{ "10.0.7.2", "*.timeout.com.", DNS_TYPE_A, AA, "AN @ A 10.4.4.4" },
	{ "10.0.9.1", NULL, ANY_TYPE, 0, NULL, true },
	{ "10.0.9.2", NULL, ANY_TYPE, 0, NULL, true },
	{ "10.0.9.3", NULL, ANY_TYPE, 0, NULL, true },
	{ "10.0.9.4", NULL, ANY_TYPE, 0, NULL, true },
	/* lossy.com.: its only server drops the first query (loss, rate limiting). */
	{ "10.0.10.1", "*.lossy.com.", DNS_TYPE_A, AA, "AN @ A 10.3.3.3", false, 1 },
	/* A referral upwards, to com.: lame for up.com. */
	{ "10.0.8.1", NULL, ANY_TYPE, 0, "AU com. NS a.gtld.com.; AD a.gtld.com. A 10.0.1.1" },
};

struct fq {
	struct cp_upq_params p;
	uint8_t name[DNS_NAME_MAXLEN];
	cp_upq_done_fn cb;
	void *arg;
	bool live;
};

#define MAX_FQ 512

static struct {
	struct fq q[MAX_FQ];
	unsigned n;    /* queries sent, ever */
	unsigned next; /* oldest possibly live */
	unsigned cancels;
	unsigned unscripted; /* queries nothing in the table matched */
	unsigned dropped[64]; /* per world[] entry: queries dropped by drop_first */
	uint64_t now_ms;
} fake;

static int
fake_query(void *ctx, const struct cp_upq_params *p, cp_upq_done_fn cb, void *arg, void **handle)
{
	struct fq *q;

	(void)ctx;
	if (fake.n == MAX_FQ)
		return -EBUSY;
	q = &fake.q[fake.n++];
	q->p = *p;
	memcpy(q->name, p->qname, dns_name_length(p->qname));
	q->p.qname = q->name;
	q->cb = cb;
	q->arg = arg;
	q->live = true;
	*handle = q;
	return 0;
}

static void
fake_cancel(void *ctx, void *handle)
{
	struct fq *q = handle;

	(void)ctx;
	cr_assert(q->live, "cancel of a finished query");
	q->live = false;
	fake.cancels++;
}

static const struct cp_net_ops fake_ops = { .query = fake_query, .cancel = fake_cancel };

static uint64_t
fake_now(void *ctx)
{
	(void)ctx;
	return fake.now_ms;
}

static const char *
server_of(const struct fq *q, char *buf)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&q->p.server;

	return inet_ntop(AF_INET, &s4->sin_addr, buf, INET_ADDRSTRLEN);
}

static bool
script_matches(const struct script *s, const char *srv, const char *qname, uint16_t qtype)
{
	if (strcmp(s->server, srv) != 0 || (s->qtype != ANY_TYPE && s->qtype != qtype))
		return false;
	if (s->qname == NULL)
		return true;
	if (strncmp(s->qname, "*.", 2) == 0) {
		size_t zl = strlen(s->qname + 2), nl = strlen(qname);

		return nl > zl && strcasecmp(qname + nl - zl, s->qname + 2) == 0 &&
		       qname[nl - zl - 1] == '.';
	}
	return strcasecmp(s->qname, qname) == 0;
}

/* Answer the oldest live query. @return false if there was none. */
static bool
pump_one(void)
{
	char srv[INET_ADDRSTRLEN], qname[300];
	const struct script *s = NULL;
	bool drop = false;
	struct cp_upq_result r = { 0 };
	struct fq *q = NULL;
	struct mb m;

	for (; fake.next < fake.n; fake.next++) {
		if (fake.q[fake.next].live) {
			q = &fake.q[fake.next];
			break;
		}
	}
	if (q == NULL)
		return false;
	server_of(q, srv);
	text_of(q->name, qname);
	for (size_t i = 0; i < sizeof(world) / sizeof(world[0]) && s == NULL; i++) {
		if (script_matches(&world[i], srv, qname, q->p.qtype)) {
			s = &world[i];
			cr_assert_lt(i, sizeof(fake.dropped) / sizeof(fake.dropped[0]));
			drop = fake.dropped[i] < s->drop_first;
			fake.dropped[i] += drop;
		}
	}
	q->live = false;
	if (s == NULL || s->timeout || drop) {
		fake.unscripted += s == NULL;
		fake.now_ms += q->p.timeout_ms;
		r.status = CP_UPQ_TIMEOUT;
	} else {
		mb_start(&m, (uint16_t)(0x1000 + fake.next), DNS_FLAG_QR | s->flags, qname,
		         q->p.qtype);
		if (s->rrs != NULL)
			mb_spec(&m, qname, s->rrs);
		fake.now_ms += 10;
		r.status = CP_UPQ_OK;
		r.msg = m.b;
		r.len = (uint16_t)m.len;
		r.rtt_us = 10000;
	}
	q->cb(q->arg, &r);
	return true;
}

static void
pump(void)
{
	while (pump_one())
		;
}

/* Was @p server asked anything among queries [from, fake.n)? */
static bool
asked(const char *server, unsigned from)
{
	char srv[INET_ADDRSTRLEN];

	for (unsigned i = from; i < fake.n; i++)
		if (strcmp(server_of(&fake.q[i], srv), server) == 0)
			return true;
	return false;
}

/* ---- the environment and results ---- */

static struct cp_iter_env env;
static struct cp_rrcache *cache;
static struct cp_infra *infra;
static uint8_t hint_name[DNS_NAME_MAXLEN];
static struct cp_iter_hint hint;

static struct sockaddr_storage
v4(const char *a)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(53);
	cr_assert_eq(inet_pton(AF_INET, a, &s4->sin_addr), 1);
	return ss;
}

static void
setup(void)
{
	struct cp_infra_params ip;

	memset(&fake, 0, sizeof(fake));
	fake.now_ms = 5000000;
	cache = cp_rrcache_new(NULL);
	cp_infra_params_init(&ip);
	ip.seed = 7;
	ip.explore_band_ms = 0; /* the lowest RTO always wins: order set by priming RTTs */
	infra = cp_infra_create(&ip);
	cr_assert_not_null(cache);
	cr_assert_not_null(infra);
	cr_assert_eq(cp_iter_env_init(&env), 0);
	mb_wire(hint_name, "a.root.");
	hint.name = hint_name;
	hint.addr = v4(ROOT);
	env.rrcache = cache;
	env.infra = infra;
	env.net = (struct cp_net){ .ops = &fake_ops, .ctx = NULL };
	env.hints = &hint;
	env.n_hints = 1;
	env.now_ms = fake_now;
}

static void
teardown(void)
{
	/* Forget the handles and args the fake holds, so LeakSanitizer sees real leaks. */
	memset(&fake, 0, sizeof(fake));
	cp_iter_env_fini(&env);
	cp_infra_destroy(infra);
	cp_rrcache_free(cache);
}

/* What the done callback saw, copied out (the result is valid only during it). */
struct done {
	int called;
	uint8_t rcode;
	enum cp_iter_cause cause;
	uint16_t count[3];
	unsigned n;
	uint16_t type[16];
	char owner[16][300];
	uint8_t first_rdata[16][16];
	uint32_t ttl_min;
	int tmpl_rc;
};

static void
on_done(void *arg, const struct cp_iter_result *res)
{
	struct done *d = arg;
	static uint8_t tbuf[DNS_TMPL_MAXLEN] __attribute__((aligned(4)));

	d->called++;
	d->rcode = res->rcode;
	d->cause = res->cause;
	memcpy(d->count, res->count, sizeof(d->count));
	d->n = res->tmpl.n_rrset;
	d->ttl_min = res->ttl_min;
	for (unsigned i = 0; i < d->n && i < 16; i++) {
		const struct dns_rrset_in *rr = &res->tmpl.rrsets[i];

		d->type[i] = rr->type;
		text_of(rr->owner, d->owner[i]);
		memcpy(d->first_rdata[i], rr->rdata[0].data,
		       rr->rdata[0].len < 16 ? rr->rdata[0].len : 16);
	}
	/* The result must be something the template builder takes as it is. */
	d->tmpl_rc = dns_template_build(&res->tmpl, tbuf, sizeof(tbuf));
}

static int
resolve(const char *name, uint16_t qtype, struct done *d)
{
	uint8_t qn[DNS_NAME_MAXLEN];
	struct cp_iter *it = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	mb_wire(qn, name);
	rc = cp_iter_start(&env, qn, qtype, DNS_CLASS_IN, on_done, d, &it);
	if (rc == 0)
		pump();
	return rc;
}

static bool
cached(const char *name, uint16_t type)
{
	uint8_t qn[DNS_NAME_MAXLEN];
	const struct cp_rrc_rrset *e;

	mb_wire(qn, name);
	return cp_rrcache_lookup(cache, qn, type, DNS_CLASS_IN, fake.now_ms / 1000, &e, NULL) >= 0;
}

static bool
is_lame(const char *server, const char *zone)
{
	struct sockaddr_storage ss = v4(server);
	uint8_t z[DNS_NAME_MAXLEN];

	mb_wire(z, zone);
	return cp_infra_is_lame(infra, (const struct sockaddr *)&ss, z, fake.now_ms);
}

static void
prime_rtt(const char *server, uint64_t rtt_us)
{
	struct sockaddr_storage ss = v4(server);

	cr_assert_eq(cp_infra_rtt(infra, (const struct sockaddr *)&ss, rtt_us, fake.now_ms), 0);
}

static void
assert_servfail(const struct done *d, enum cp_iter_cause cause)
{
	cr_assert_eq(d->called, 1);
	cr_assert_eq(d->rcode, DNS_RCODE_SERVFAIL);
	cr_assert_eq(d->cause, cause, "cause %s, expected %s", cp_iter_cause_name(d->cause),
	             cp_iter_cause_name(cause));
	cr_assert_eq(env.stats.servfail[cause], 1);
}

TestSuite(cp_iter, .init = setup, .fini = teardown);

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
	cr_assert_eq(cp_iter_start(&env, qn, DNS_TYPE_A, DNS_CLASS_IN, on_done, &d, &it), 0);
	cr_assert_eq(d.called, 1);
	cr_assert_null(it);
	cr_assert_eq(cp_iter_start(&env, (const uint8_t *)"\x40", DNS_TYPE_A, DNS_CLASS_IN, on_done,
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

Test(cp_iter, lost_reply_retried_at_doubled_rto)
{
	struct done d;
	struct sockaddr_storage srv = v4("10.0.10.1");
	struct cp_infra_info info;

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

/* ---- every bound ---- */

Test(cp_iter, bound_referrals)
{
	struct done d;

	env.limits.max_referrals = 1;
	resolve("www.example.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_REFERRALS);
}

Test(cp_iter, bound_cnames)
{
	struct done d;

	env.limits.max_cnames = 0;
	resolve("alias.example.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_CNAMES);
}

Test(cp_iter, bound_sent)
{
	struct done d;

	env.limits.max_sent = 2;
	resolve("www.example.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_SENT);
	cr_assert_eq(fake.n, 2);
}

Test(cp_iter, bound_sent_counts_sub_resolutions)
{
	struct done d;

	env.limits.max_sent = 4; /* root, com., then the sub needs root, net., example.net. */
	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_SENT);
	cr_assert_eq(fake.n, 4);
}

Test(cp_iter, bound_glueless_per_delegation)
{
	struct done d;

	env.limits.max_glueless_deleg = 0;
	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_GLUELESS_DELEG);
}

Test(cp_iter, bound_glueless_total)
{
	struct done d;

	env.limits.max_glueless = 0;
	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_GLUELESS);
}

Test(cp_iter, bound_sub_resolution_depth)
{
	struct done d;

	env.limits.max_depth = 0;
	resolve("www.glueless.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_DEPTH);
}

Test(cp_iter, bound_total_time)
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

Test(cp_iter, glueless_dependency_loop_not_asked_again)
{
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
	rd.len = (uint16_t)mb_wire(qn, "ns.loop.com.");
	cr_assert_eq(cp_rrcache_store(cache, &ns, CP_RRC_RANK_AUTH_ANSWER, fake.now_ms / 1000), 0);
	resolve("www.loop.com.", DNS_TYPE_A, &d);
	assert_servfail(&d, CP_ITER_FAIL_NO_SERVERS);
	cr_assert_eq(fake.n, 0, "nothing to ask");
	/* www -> sub ns.loop.com A (its own NS: loop, skipped) -> AAAA sub (the same). */
	cr_assert_leq(env.stats.sub_started, 2);
}

Test(cp_iter, cancel_mid_resolution)
{
	struct done d = { 0 };
	uint8_t qn[DNS_NAME_MAXLEN];
	struct cp_iter *it;

	mb_wire(qn, "www.example.com.");
	cr_assert_eq(cp_iter_start(&env, qn, DNS_TYPE_A, DNS_CLASS_IN, on_done, &d, &it), 0);
	cr_assert_not_null(it);
	cr_assert(pump_one()); /* the root answers; com. is being asked */
	cr_assert_eq(fake.n, 2);
	cp_iter_cancel(it);
	cr_assert_eq(fake.cancels, 1);
	pump();
	cr_assert_eq(d.called, 0, "no callback after cancel");
}

Test(cp_iter, cancel_during_sub_resolution)
{
	struct done d = { 0 };
	uint8_t qn[DNS_NAME_MAXLEN];
	struct cp_iter *it;

	mb_wire(qn, "www.glueless.com.");
	cr_assert_eq(cp_iter_start(&env, qn, DNS_TYPE_A, DNS_CLASS_IN, on_done, &d, &it), 0);
	cr_assert(pump_one()); /* root */
	cr_assert(pump_one()); /* com.: glueless referral, the sub asks the root */
	cr_assert_eq(env.stats.sub_started, 1);
	cp_iter_cancel(it);
	cr_assert_eq(fake.cancels, 1, "the sub's query cancelled");
	pump();
	cr_assert_eq(d.called, 0);
}
