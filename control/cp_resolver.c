/* SPDX-License-Identifier: BSD-3-Clause */
/* Root hints, and the bridge between flights and iterators (control thread). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libzscanner/scanner.h>

#include "cp_answer.h"
#include "cp_resolver.h"
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
	struct cp_flight *flight;
	struct cp_iter *it;
	bool starting;           /* inside cp_iter_start(): the callback must not free */
	bool finished;
};

struct cp_resolver {
	struct cp_daemon *d;
	struct cp_rrcache *rrcache;
	struct cp_infra *infra;
	struct cp_upstream *upstream;
	struct cp_iter_env env;
	struct cp_iter_hint hints[MAX_HINTS];
	uint8_t hint_names[MAX_HINTS][DNS_NAME_MAXLEN];
	struct resolution *active;
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
	int n;

	if (r == NULL)
		return NULL;
	r->d = d;
	n = cp_hints_load(d->conf.resolver.root_hints, r->hints, MAX_HINTS, r->hint_names, err,
			  sizeof(err));
	if (n < 0) {
		VD_ERR("resolver.root-hints: %s", err);
		free(r);
		return NULL;
	}
	cp_rrcache_conf_default(&rc);
	rc.min_ttl = d->conf.cache.min_ttl;
	rc.max_ttl = d->conf.cache.max_ttl;
	rc.max_neg_ttl = d->conf.cache.max_negative_ttl;
	cp_infra_params_init(&ip);
	cp_upstream_params_init(&up);
	r->rrcache = cp_rrcache_new(&rc);
	r->infra = cp_infra_create(&ip);
	r->upstream = cp_upstream_create(d->loop, &up);
	if (r->rrcache == NULL || r->infra == NULL || r->upstream == NULL ||
	    cp_iter_env_init(&r->env) != 0) {
		VD_ERR("resolver: out of memory");
		cp_resolver_destroy(r);
		return NULL;
	}
	r->env.rrcache = r->rrcache;
	r->env.infra = r->infra;
	r->env.net = cp_upstream_net(r->upstream);
	r->env.hints = r->hints;
	r->env.n_hints = (size_t)n;
	r->env.now_ms = clock_ms;
	VD_INFO("resolver: %d root server address(es) from %s", n, d->conf.resolver.root_hints);
	return r;
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
	if (r->env.scratch != NULL)
		cp_iter_env_fini(&r->env);
	if (r->upstream != NULL)
		cp_upstream_destroy(r->upstream);
	cp_infra_destroy(r->infra);
	cp_rrcache_free(r->rrcache);
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

static void
resolution_done(void *arg, const struct cp_iter_result *res)
{
	struct resolution *s = arg;
	struct cp_daemon *d = s->r->d;
	_Alignas(8) uint8_t buf[DNS_TMPL_MAXLEN];
	int n = -EINVAL;

	unlink_resolution(s);
	if (res->rcode != DNS_RCODE_SERVFAIL)
		n = dns_template_build(&res->tmpl, buf, sizeof(buf));
	if (n > 0) {
		const struct dns_template *t = (const struct dns_template *)(const void *)buf;
		cp_answer_flight(d, s->flight, t, cp_answer_cache_ttl(&d->conf.cache, t), 0);
	} else {
		d->stats.fail[CP_FAIL_RESOLVE]++;
		cp_answer_flight(d, s->flight, NULL, 0, DNS_RCODE_SERVFAIL);
	}
	s->finished = true;
	if (!s->starting)
		free(s);
}

int
cp_resolver_start(struct cp_resolver *r, struct cp_flight *f, const struct dns_query *q)
{
	struct resolution *s = calloc(1, sizeof(*s));
	struct cp_iter *it = NULL;
	int rc;

	if (s == NULL)
		return -ENOMEM;
	s->r = r;
	s->flight = f;
	s->next = r->active;
	s->prev = &r->active;
	if (r->active != NULL)
		r->active->prev = &s->next;
	r->active = s;
	s->starting = true;
	rc = cp_iter_start(&r->env, q->key.bytes, q->qtype, q->qclass, resolution_done, s, &it);
	s->starting = false;
	if (rc < 0 || s->finished) {
		/* Failed to start, or a cache answer finished it inside cp_iter_start(). */
		unlink_resolution(s);
		free(s);
		return rc < 0 ? rc : 0;
	}
	s->it = it;
	return 0;
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

uint64_t
cp_resolver_now_ms(const struct cp_resolver *r)
{
	return clock_ms(r->d);
}
