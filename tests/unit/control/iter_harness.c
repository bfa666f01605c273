/* SPDX-License-Identifier: BSD-3-Clause */
/* The iterator suites' scripted network, world and helpers (see iter_harness.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "cp_response.h"
#include "dns_name.h"
#include "iter_harness.h"
#include "msg_builder.h"

struct fake_net fake;
struct cp_iter_env env;
struct cp_rrcache *cache;
struct cp_infra *infra;

static uint8_t hint_name[DNS_NAME_MAXLEN];
static struct cp_iter_hint hint;
static const struct script *extra;
static unsigned n_extra;

/* ---- messages: tests/unit/control/msg_builder.h ---- */

void
ih_text_of(const uint8_t *name, char *out)
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
mb_rr(struct mb *m, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	size_t at;
	char a[320], b[320];

	at = mb_rr_begin(m, owner, type, DNS_CLASS_IN, ttl);
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
		mb_put32(m, *rdata != '\0' ? (uint32_t)strtoul(rdata, NULL, 10) : 60);
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

/* "SEC OWNER [TTL] TYPE RDATA; ..." after the question. */
static void
mb_spec(struct mb *m, const char *qname, const char *spec)
{
	char buf[2048], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *rec = strtok_r(buf, ";", &save); rec != NULL; rec = strtok_r(NULL, ";", &save)) {
		char sec[8], owner[300], type[16], rdata[300] = "";
		unsigned ttl = 3600;
		int n, used = 0;

		n = sscanf(rec, " %7s %299s %n", sec, owner, &used);
		cr_assert_eq(n, 2, "bad spec record '%s'", rec);
		rec += used;
		if (isdigit((unsigned char)*rec)) {
			cr_assert_eq(sscanf(rec, "%u %n", &ttl, &used), 1);
			rec += used;
		}
		n = sscanf(rec, "%15s %299[^;]", type, rdata);
		cr_assert_geq(n, 1, "bad spec record '%s'", rec);
		m->sec = strcmp(sec, "AN") == 0 ? 0 : strcmp(sec, "AU") == 0 ? 1 : 2;
		mb_rr(m, strcmp(owner, "@") == 0 ? qname : owner, type_of(type), ttl, rdata);
	}
}

/* ---- the world every test sees: root, com., net., and zones below ---- */

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
	/* A referral upwards, to com.: lame for up.com. */
	{ "10.0.8.1", NULL, ANY_TYPE, 0, "AU com. NS a.gtld.com.; AD a.gtld.com. A 10.0.1.1" },
};

/* ---- the scripted network ---- */

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

		return nl >= zl && strcasecmp(qname + nl - zl, s->qname + 2) == 0 &&
		       (nl == zl || qname[nl - zl - 1] == '.');
	}
	return strcasecmp(s->qname, qname) == 0;
}

static const struct script *
find_script(const char *srv, const char *qname, uint16_t qtype)
{
	for (unsigned i = 0; i < n_extra; i++)
		if (script_matches(&extra[i], srv, qname, qtype))
			return &extra[i];
	for (size_t i = 0; i < sizeof(world) / sizeof(world[0]); i++)
		if (script_matches(&world[i], srv, qname, qtype))
			return &world[i];
	return NULL;
}

bool
pump_one(void)
{
	char srv[INET_ADDRSTRLEN], qname[300];
	const struct script *s;
	struct cp_upq_result r = { 0 };
	struct fq *q = NULL;
	bool drop;
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
	ih_text_of(q->name, qname);
	s = find_script(srv, qname, q->p.qtype);
	drop = s != NULL && fake.dropped < s->drop_first;
	fake.dropped += drop;
	q->live = false;
	if (s == NULL || s->timeout || drop || fake.down) {
		fake.unscripted += s == NULL;
		fake.now_ms += q->p.timeout_ms;
		r.status = CP_UPQ_TIMEOUT;
	} else {
		mb_start(&m, (uint16_t)(0x1000 + fake.next), DNS_FLAG_QR | s->flags, qname,
		         q->p.qtype);
		if (s->rrs != NULL)
			mb_spec(&m, qname, s->rrs);
		if (s->garbage)
			m.len -= 3;
		fake.now_ms += 10;
		r.status = CP_UPQ_OK;
		r.msg = m.b;
		r.len = (uint16_t)m.len;
		r.rtt_us = 10000;
	}
	q->cb(q->arg, &r);
	return true;
}

void
pump(void)
{
	/* Bounded: the fake refuses queries past MAX_FQ, so this ends. */
	while (pump_one())
		;
}

bool
asked(const char *server, unsigned from)
{
	char srv[INET_ADDRSTRLEN];

	for (unsigned i = from; i < fake.n; i++)
		if (strcmp(server_of(&fake.q[i], srv), server) == 0)
			return true;
	return false;
}

unsigned
count_asked(const char *qname, uint16_t qtype, unsigned from)
{
	char name[300];
	unsigned n = 0;

	for (unsigned i = from; i < fake.n; i++) {
		ih_text_of(fake.q[i].name, name);
		n += strcasecmp(name, qname) == 0 && (qtype == ANY_TYPE || fake.q[i].p.qtype == qtype);
	}
	return n;
}

const char *
ih_query_text(unsigned i)
{
	static char buf[400];
	char srv[INET_ADDRSTRLEN], name[300];

	ih_text_of(fake.q[i].name, name);
	snprintf(buf, sizeof(buf), "%s %s %u", server_of(&fake.q[i], srv), name,
	         fake.q[i].p.qtype);
	return buf;
}

/* ---- the environment and results ---- */

struct sockaddr_storage
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

void
ih_script(const struct script *s, unsigned n)
{
	extra = s;
	n_extra = n;
}

void
ih_setup(void)
{
	ih_setup_cache(NULL);
}

void
ih_setup_cache(const struct cp_rrc_conf *rc)
{
	struct cp_infra_params ip;

	memset(&fake, 0, sizeof(fake));
	extra = NULL;
	n_extra = 0;
	fake.now_ms = 5000000;
	cache = cp_rrcache_new(rc);
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
	env.priming = false; /* the priming suite turns it on: others count every query */
}

void
ih_teardown(void)
{
	cp_iter_env_fini(&env);
	/* Forget the handles and args the fake holds, so LeakSanitizer sees real leaks. */
	memset(&fake, 0, sizeof(fake));
	cp_infra_destroy(infra);
	cp_rrcache_free(cache);
}

void
ih_on_done(void *arg, const struct cp_iter_result *res)
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
		d->ttl[i] = rr->ttl;
		ih_text_of(rr->owner, d->owner[i]);
		memcpy(d->first_rdata[i], rr->rdata[0].data,
		       rr->rdata[0].len < 16 ? rr->rdata[0].len : 16);
	}
	/* The result must be something the template builder takes as it is. */
	d->tmpl_rc = dns_template_build(&res->tmpl, tbuf, sizeof(tbuf));
}

int
resolve(const char *name, uint16_t qtype, struct done *d)
{
	uint8_t qn[DNS_NAME_MAXLEN];
	struct cp_iter *it = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	mb_wire(qn, name);
	rc = cp_iter_start(&env, qn, qtype, DNS_CLASS_IN, ih_on_done, d, &it);
	if (rc == 0)
		pump();
	return rc;
}

bool
cached(const char *name, uint16_t type)
{
	uint8_t qn[DNS_NAME_MAXLEN];
	const struct cp_rrc_rrset *e;

	mb_wire(qn, name);
	return cp_rrcache_lookup(cache, qn, type, DNS_CLASS_IN, fake.now_ms / 1000, &e, NULL) >= 0;
}

bool
is_lame(const char *server, const char *zone)
{
	struct sockaddr_storage ss = v4(server);
	uint8_t z[DNS_NAME_MAXLEN];

	mb_wire(z, zone);
	return cp_infra_is_lame(infra, (const struct sockaddr *)&ss, z, fake.now_ms);
}

void
prime_rtt(const char *server, uint64_t rtt_us)
{
	struct sockaddr_storage ss = v4(server);

	cr_assert_eq(cp_infra_rtt(infra, (const struct sockaddr *)&ss, rtt_us, fake.now_ms), 0);
}

void
assert_servfail(const struct done *d, enum cp_iter_cause cause)
{
	cr_assert_eq(d->called, 1);
	cr_assert_eq(d->rcode, DNS_RCODE_SERVFAIL);
	cr_assert_eq(d->cause, cause, "cause %s, expected %s", cp_iter_cause_name(d->cause),
	             cp_iter_cause_name(cause));
	cr_assert_eq(env.stats.servfail[cause], 1);
}
