/* SPDX-License-Identifier: BSD-3-Clause */
/* Root hints, forward zones, and the bridge between flights and iterators (control thread). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libzscanner/scanner.h>

#include "cp_answer.h"
#include "cp_forward.h"
#include "cp_resolver.h"
#include "cp_stale.h"
#include "dns_name.h"
#include "vd_log.h"
#include "vd_time.h"

#define MAX_HINTS     64
#define HINTS_TTL     3600000

/* One flight being resolved; listed so shutdown can cancel it. */
struct resolution {
	struct resolution *next;
	struct resolution **prev;
	struct cp_resolver *r;
	struct cp_flight *flight; /* NULL once answered early from stale data */
	struct cp_iter *it;
	bool starting;           /* inside cp_iter_start(): the callback must not free */
	bool finished;
	bool refresh;            /* a prefetch (cp_resolver_refresh()) */
	bool timed;              /* on the client-timer queue */
	uint16_t qtype;
	uint16_t qclass;
	struct resolution *tq_next; /* client-timer queue, oldest first */
	struct resolution *tq_prev;
	uint64_t deadline_ms;       /* of the client-response timer */
	struct dns_key key;         /* after an early stale answer: where the fresh one goes */
	uint64_t worker_mask[CP_FLIGHT_MASK_WORDS];
};

struct cp_resolver {
	struct cp_daemon *d;
	struct cp_rrcache *rrcache;
	struct cp_infra *infra;
	struct cp_upstream *upstream;
	struct cp_forward *forward;  /* taken from the configuration; changed by the control socket */
	struct cp_iter_env env;
	struct cp_iter_hint hints[MAX_HINTS];
	uint8_t hint_names[MAX_HINTS][DNS_NAME_MAXLEN];
	struct resolution *active;
	/* Serve-stale's client-response timer (RFC 8767 5): every resolution waits the
	 * same time, so one timer over a FIFO of deadlines does for all of them. */
	uv_timer_t *client_timer;
	struct resolution *tq_head;
	struct resolution *tq_tail;
	struct cp_resolver_stats stats;
};

static bool
is_root(const uint8_t *name)
{
	return name[0] == 0;
}

int
cp_hints_load(const char *path, struct cp_iter_hint *hints, size_t cap,
	      uint8_t (*names)[DNS_NAME_MAXLEN], char *err, size_t errlen)
{
	uint8_t ns[MAX_HINTS][DNS_NAME_MAXLEN];
	size_t n_ns = 0, n = 0;
	zs_scanner_t zs;
	int rc = 0;

	if (zs_init(&zs, ".", DNS_CLASS_IN, HINTS_TTL) != 0)
		return -ENOMEM;
	if (zs_set_input_file(&zs, path) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, zs_strerror(zs.error.code));
		zs_deinit(&zs);
		return -ENOENT;
	}
	/* First pass: the names the root's NS records name; second: their addresses. */
	while (zs_parse_record(&zs) == 0 && zs.state == ZS_STATE_DATA) {
		if (zs.r_type == DNS_TYPE_NS && is_root(zs.r_owner) && n_ns < MAX_HINTS &&
		    dns_name_scan(zs.r_data, zs.r_data_length, NULL) > 0)
			memcpy(ns[n_ns++], zs.r_data, zs.r_data_length);
	}
	if (zs.state == ZS_STATE_ERROR) {
		snprintf(err, errlen, "%s:%llu: %s", path, (unsigned long long)zs.line_counter,
			 zs_strerror(zs.error.code));
		zs_deinit(&zs);
		return -EINVAL;
	}
	zs_deinit(&zs);
	if (zs_init(&zs, ".", DNS_CLASS_IN, HINTS_TTL) != 0 || zs_set_input_file(&zs, path) != 0)
		return -EIO;
	while (zs_parse_record(&zs) == 0 && zs.state == ZS_STATE_DATA && n < cap) {
		struct cp_iter_hint *h = &hints[n];
		bool named = false;

		if (zs.r_type != DNS_TYPE_A && zs.r_type != DNS_TYPE_AAAA)
			continue;
		for (size_t i = 0; i < n_ns && !named; i++)
			named = dns_name_equal(ns[i], zs.r_owner);
		if (!named)
			continue;
		memset(&h->addr, 0, sizeof(h->addr));
		if (zs.r_type == DNS_TYPE_A && zs.r_data_length == 4) {
			struct sockaddr_in *s = (struct sockaddr_in *)&h->addr;
			s->sin_family = AF_INET;
			s->sin_port = htons(53);
			memcpy(&s->sin_addr, zs.r_data, 4);
		} else if (zs.r_type == DNS_TYPE_AAAA && zs.r_data_length == 16) {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)&h->addr;
			s->sin6_family = AF_INET6;
			s->sin6_port = htons(53);
			memcpy(&s->sin6_addr, zs.r_data, 16);
		} else {
			continue;
		}
		memcpy(names[n], zs.r_owner, zs.r_owner_length);
		h->name = names[n];
		n++;
	}
	zs_deinit(&zs);
	if (n == 0) {
		snprintf(err, errlen, "%s: no root server addresses (NS records of \".\" and the"
			 " A/AAAA of their names)", path);
		rc = -EINVAL;
	}
	return rc < 0 ? rc : (int)n;
}

static uint64_t
clock_ms(void *ctx)
{
	(void)ctx;
	return vd_now_ns() / 1000000;
}

struct cp_resolver *
cp_resolver_create(struct cp_daemon *d)
{
	struct cp_resolver *r = calloc(1, sizeof(*r));
	struct cp_upstream_params up;
	struct cp_infra_params ip;
	struct cp_rrc_conf rc;
	char err[512];
	int n = 0;

	if (r == NULL)
		return NULL;
	r->d = d;
	/* Without root hints only forward zones are resolved (a pure forwarder). */
	if (d->conf.resolver.root_hints != NULL)
		n = cp_hints_load(d->conf.resolver.root_hints, r->hints, MAX_HINTS, r->hint_names,
				  err, sizeof(err));
	if (n < 0) {
		VD_ERR("resolver.root-hints: %s", err);
		free(r);
		return NULL;
	}
	r->forward = d->conf.resolver.forward != NULL ? d->conf.resolver.forward : cp_forward_new();
	d->conf.resolver.forward = NULL; /* ours now */
	cp_rrcache_conf_default(&rc);
	rc.min_ttl = d->conf.cache.min_ttl;
	rc.max_ttl = d->conf.cache.max_ttl;
	rc.max_neg_ttl = d->conf.cache.max_negative_ttl;
	rc.stale_max_age = d->conf.resolver.serve_stale ? d->conf.resolver.stale_max_age : 0;
	cp_infra_params_init(&ip);
	cp_upstream_params_init(&up);
	r->rrcache = cp_rrcache_new(&rc);
	r->infra = cp_infra_create(&ip);
	r->upstream = cp_upstream_create(d->loop, &up);
	r->client_timer = malloc(sizeof(*r->client_timer));
	if (r->client_timer != NULL && uv_timer_init(d->loop, r->client_timer) != 0) {
		free(r->client_timer);
		r->client_timer = NULL;
	}
	if (r->client_timer != NULL)
		r->client_timer->data = r;
	if (r->rrcache == NULL || r->infra == NULL || r->upstream == NULL || r->forward == NULL ||
	    r->client_timer == NULL || cp_iter_env_init(&r->env) != 0) {
		VD_ERR("resolver: out of memory");
		cp_resolver_destroy(r);
		return NULL;
	}
	r->env.rrcache = r->rrcache;
	r->env.infra = r->infra;
	r->env.net = cp_upstream_net(r->upstream);
	r->env.hints = r->hints;
	r->env.n_hints = (size_t)n;
	r->env.forward = r->forward;
	r->env.now_ms = clock_ms;
	r->env.limits = d->conf.resolver.limits;
	r->env.qname_minimisation = d->conf.resolver.qname_minimisation;
	if (n > 0)
		VD_INFO("resolver: %d root server address(es) from %s", n,
			d->conf.resolver.root_hints);
	VD_INFO("resolver: %u forward zone(s)%s", cp_forward_count(r->forward),
		n > 0 ? "" : "; no root hints: other names get SERVFAIL");
	if (n > 0)
		cp_iter_prime(&r->env); /* RFC 8109: the hints only until the root answers */
	return r;
}

static void
free_handle(uv_handle_t *h)
{
	free(h);
}

void
cp_resolver_destroy(struct cp_resolver *r)
{
	if (r == NULL)
		return;
	while (r->active != NULL) {
		struct resolution *s = r->active;
		r->active = s->next;
		if (s->it != NULL)
			cp_iter_cancel(s->it);
		free(s);
	}
	if (r->client_timer != NULL)
		uv_close((uv_handle_t *)r->client_timer, free_handle);
	if (r->env.scratch != NULL)
		cp_iter_env_fini(&r->env);
	if (r->upstream != NULL)
		cp_upstream_destroy(r->upstream);
	cp_infra_destroy(r->infra);
	cp_rrcache_free(r->rrcache);
	cp_forward_free(r->forward);
	free(r);
}

static void
unlink_resolution(struct resolution *s)
{
	if (s->prev != NULL) {
		*s->prev = s->next;
		if (s->next != NULL)
			s->next->prev = s->prev;
	}
	s->prev = NULL;
}

/* ---- serve-stale (RFC 8767) ---- */

static void client_timer_fired(uv_timer_t *t);

/* Arm the client timer for the oldest deadline, or stop it. */
static void
client_timer_arm(struct cp_resolver *r)
{
	uint64_t now = clock_ms(r->d);

	if (r->tq_head == NULL) {
		uv_timer_stop(r->client_timer);
		return;
	}
	uv_timer_start(r->client_timer, client_timer_fired,
		       r->tq_head->deadline_ms > now ? r->tq_head->deadline_ms - now : 0, 0);
}

static void
tq_remove(struct cp_resolver *r, struct resolution *s)
{
	bool head = r->tq_head == s;

	if (!s->timed)
		return;
	if (s->tq_prev != NULL)
		s->tq_prev->tq_next = s->tq_next;
	else
		r->tq_head = s->tq_next;
	if (s->tq_next != NULL)
		s->tq_next->tq_prev = s->tq_prev;
	else
		r->tq_tail = s->tq_prev;
	s->tq_next = s->tq_prev = NULL;
	s->timed = false;
	if (head)
		client_timer_arm(r);
}

static void
tq_append(struct cp_resolver *r, struct resolution *s, uint64_t deadline_ms)
{
	s->deadline_ms = deadline_ms;
	s->tq_prev = r->tq_tail;
	s->tq_next = NULL;
	if (r->tq_tail != NULL)
		r->tq_tail->tq_next = s;
	else
		r->tq_head = s;
	r->tq_tail = s;
	s->timed = true;
	if (r->tq_head == s)
		client_timer_arm(r);
}

/*
 * Answer @p s's flight from stale data, if the master cache has any. Stale
 * answers go to every worker (for stale-answer-ttl at most), so that during an
 * outage the other workers do not each start the same doomed resolution: their
 * cached copy is RFC 8767's failure-recheck timer. @return true if answered.
 */
static bool
answer_stale(struct resolution *s)
{
	struct cp_resolver *r = s->r;
	struct cp_daemon *d = r->d;
	struct cp_flight *f = s->flight;
	_Alignas(8) uint8_t buf[DNS_TMPL_MAXLEN];
	const struct dns_template *t = (const struct dns_template *)(const void *)buf;
	bool stale = false;
	int n;

	if (!d->conf.resolver.serve_stale)
		return false;
	n = cp_stale_build(r->rrcache, f->key.bytes, s->qtype, s->qclass, clock_ms(d) / 1000,
			   d->conf.resolver.stale_answer_ttl, buf, sizeof(buf), &stale);
	if (n <= 0)
		return false;
	if (stale)
		r->stats.stale_answers += f->n_waiters;
	cp_answer_flight_opts(d, f, t, t->ttl_min, 0, CP_ANSWER_PREFETCH | CP_ANSWER_ALL_WORKERS);
	return true;
}

/* Client timer: clients still waiting get the stale answer; resolution goes on. */
static void
client_timer_fired(uv_timer_t *t)
{
	struct cp_resolver *r = t->data;
	uint64_t now = clock_ms(r->d);

	/* Bounded: each turn takes one resolution off the queue. */
	while (r->tq_head != NULL && r->tq_head->deadline_ms <= now) {
		struct resolution *s = r->tq_head;
		struct cp_flight *f = s->flight;
		struct dns_key key;
		uint64_t mask[CP_FLIGHT_MASK_WORDS];

		r->tq_head = s->tq_next;
		if (r->tq_head != NULL)
			r->tq_head->tq_prev = NULL;
		else
			r->tq_tail = NULL;
		s->tq_next = s->tq_prev = NULL;
		s->timed = false;
		if (f == NULL || f->n_waiters == 0)
			continue; /* a prefetch nobody waits for: nothing to answer early */
		key = f->key;
		memcpy(mask, f->worker_mask, sizeof(mask));
		if (answer_stale(s)) {
			/* The flight is gone; the fresh answer, if any, follows it to the workers. */
			s->flight = NULL;
			s->key = key;
			memcpy(s->worker_mask, mask, sizeof(mask));
			r->stats.stale_early++;
		}
	}
	client_timer_arm(r);
}

/* ---- flights to iterators ---- */

static void
resolution_done(void *arg, const struct cp_iter_result *res)
{
	struct resolution *s = arg;
	struct cp_resolver *r = s->r;
	struct cp_daemon *d = r->d;
	_Alignas(8) uint8_t buf[DNS_TMPL_MAXLEN];
	int n = -EINVAL;

	unlink_resolution(s);
	tq_remove(r, s);
	if (res->rcode != DNS_RCODE_SERVFAIL)
		n = dns_template_build(&res->tmpl, buf, sizeof(buf));
	if (n > 0) {
		const struct dns_template *t = (const struct dns_template *)(const void *)buf;
		uint32_t ttl = cp_answer_cache_ttl(&d->conf.cache, t);

		if (s->flight != NULL)
			cp_answer_flight_opts(d, s->flight, t, ttl, 0, CP_ANSWER_PREFETCH);
		else /* answered stale already; the stale copies went to every worker */
			(void)cp_answer_push(d, &s->key, t, ttl, s->worker_mask,
					     CP_ANSWER_PREFETCH | CP_ANSWER_ALL_WORKERS);
		r->stats.prefetch_done += s->refresh;
	} else {
		r->stats.prefetch_failed += s->refresh;
		if (s->flight != NULL && !answer_stale(s)) {
			/* A prefetch nobody joined fails quietly: no client saw SERVFAIL. */
			d->stats.fail[CP_FAIL_RESOLVE] += s->flight->n_waiters > 0;
			cp_answer_flight(d, s->flight, NULL, 0, DNS_RCODE_SERVFAIL);
		}
	}
	s->finished = true;
	if (!s->starting)
		free(s);
}

static int
resolver_start(struct cp_resolver *r, struct cp_flight *f, const struct dns_query *q,
	       bool refresh)
{
	struct resolution *s = calloc(1, sizeof(*s));
	struct cp_iter *it = NULL;
	int rc;

	if (s == NULL)
		return -ENOMEM;
	s->r = r;
	s->flight = f;
	s->refresh = refresh;
	s->qtype = q->qtype;
	s->qclass = q->qclass;
	s->next = r->active;
	s->prev = &r->active;
	if (r->active != NULL)
		r->active->prev = &s->next;
	r->active = s;
	s->starting = true;
	rc = refresh ? cp_iter_start_refresh(&r->env, q->key.bytes, q->qtype, q->qclass,
					     resolution_done, s, &it)
		     : cp_iter_start(&r->env, q->key.bytes, q->qtype, q->qclass, resolution_done,
				     s, &it);
	s->starting = false;
	if (rc < 0 || s->finished) {
		/* Failed to start, or a cache answer finished it inside cp_iter_start(). */
		unlink_resolution(s);
		free(s);
		return rc < 0 ? rc : 0;
	}
	s->it = it;
	if (r->d->conf.resolver.serve_stale && r->d->conf.resolver.stale_client_timeout_ms > 0)
		tq_append(r, s, clock_ms(r->d) + r->d->conf.resolver.stale_client_timeout_ms);
	return 0;
}

int
cp_resolver_start(struct cp_resolver *r, struct cp_flight *f, const struct dns_query *q)
{
	return resolver_start(r, f, q, false);
}

int
cp_resolver_refresh(struct cp_resolver *r, struct cp_flight *f, const struct dns_query *q)
{
	r->stats.prefetch_started++;
	return resolver_start(r, f, q, true);
}

struct cp_resolver_stats *
cp_resolver_counters(struct cp_resolver *r)
{
	return &r->stats;
}

const struct cp_iter_stats *
cp_resolver_stats(const struct cp_resolver *r)
{
	return &r->env.stats;
}

struct cp_rrcache *
cp_resolver_rrcache(const struct cp_resolver *r)
{
	return r->rrcache;
}

void
cp_resolver_upstream_stats(const struct cp_resolver *r, struct cp_upstream_stats *out)
{
	cp_upstream_get_stats(r->upstream, out);
}

struct cp_infra *
cp_resolver_infra(const struct cp_resolver *r)
{
	return r->infra;
}

struct cp_forward *
cp_resolver_forward(const struct cp_resolver *r)
{
	return r->forward;
}

uint64_t
cp_resolver_now_ms(const struct cp_resolver *r)
{
	return clock_ms(r->d);
}
