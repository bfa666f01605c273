/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The resolver section of the configuration: root hints, QNAME minimisation, the
 * iterator's bounds; the serve-stale and prefetch keys are cp_conf_stale.c's,
 * forward-zones cp_conf_forward.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp_conf_int.h"
#include "cp_forward.h"

#define RESOLVER_KEYS                                                                              \
	"root-hints, forward-zones, qname-minimisation, max-referrals, max-cname-chain, "          \
	"max-upstream-queries, max-glueless-per-delegation, max-glueless, max-depth, max-time, "   \
	"lame-ttl, max-in-flight, " CP_CONF_STALE_KEYS

#define KEY_IS(k, name) (strcmp((k)->str, (name)) == 0)

/* A count key: its name and where it goes in struct cp_iter_limits. */
struct count_key {
	const char *name;
	uint32_t min, max;
	size_t offset;
};

static const struct count_key count_keys[] = {
	{ "max-referrals", 1, CP_ITER_LIMIT_REFERRALS_MAX,
	  offsetof(struct cp_iter_limits, max_referrals) },
	{ "max-cname-chain", 0, CP_ITER_LIMIT_CNAMES_MAX,
	  offsetof(struct cp_iter_limits, max_cnames) },
	{ "max-upstream-queries", 1, CP_ITER_LIMIT_SENT_MAX,
	  offsetof(struct cp_iter_limits, max_sent) },
	{ "max-glueless-per-delegation", 0, CP_ITER_LIMIT_GLUELESS_DELEG_MAX,
	  offsetof(struct cp_iter_limits, max_glueless_deleg) },
	{ "max-glueless", 0, CP_ITER_LIMIT_GLUELESS_MAX,
	  offsetof(struct cp_iter_limits, max_glueless) },
	{ "max-depth", 0, CP_ITER_LIMIT_DEPTH_MAX, offsetof(struct cp_iter_limits, max_depth) },
};

void
cp_conf_resolver_defaults(struct cp_resolver_conf *r)
{
	r->root_hints = NULL;
	r->qname_minimisation = true;
	cp_iter_limits_default(&r->limits);
	cp_conf_stale_defaults(r);
	r->max_in_flight = CP_RESOLVER_DEFAULT_MAX_IN_FLIGHT;
}

/* A duration key into *@p out (milliseconds). */
static int
read_ms(struct cp_cctx *c, const struct cp_ynode *v, uint64_t min_ms, uint64_t max_ms,
        uint32_t *out)
{
	uint64_t ms;
	int rc = cp_get_duration_ms(c, v, min_ms, max_ms, &ms);

	if (rc == 0)
		*out = (uint32_t)ms;
	return rc;
}

static int
read_key(struct cp_cctx *c, const struct cp_ynode *k, const struct cp_ynode *v)
{
	struct cp_resolver_conf *r = &c->conf->resolver;
	uint64_t x;
	int rc;

	if (KEY_IS(k, "root-hints")) {
		free(r->root_hints);
		r->root_hints = NULL;
		return cp_get_str(c, v, &r->root_hints);
	}
	if (KEY_IS(k, "forward-zones")) {
		rc = cp_conf_read_forward_zones(c, v);
		r->forward_given = rc == 0 && cp_ynode_count(v) > 0;
		return rc;
	}
	if (KEY_IS(k, "qname-minimisation"))
		return cp_get_bool(c, v, &r->qname_minimisation);
	if (KEY_IS(k, "max-time"))
		return read_ms(c, v, CP_ITER_LIMIT_TIME_MIN_MS, CP_ITER_LIMIT_TIME_MAX_MS,
		               &r->limits.max_time_ms);
	if (KEY_IS(k, "lame-ttl"))
		return read_ms(c, v, 0, CP_ITER_LIMIT_LAME_TTL_MAX_MS, &r->limits.lame_ttl_ms);
	for (size_t i = 0; i < VD_ARRAY_SIZE(count_keys); i++) {
		const struct count_key *ck = &count_keys[i];

		if (!KEY_IS(k, ck->name))
			continue;
		rc = cp_get_uint(c, v, ck->min, ck->max, &x);
		if (rc == 0)
			*(uint32_t *)(void *)((char *)&r->limits + ck->offset) = (uint32_t)x;
		return rc;
	}
	if (KEY_IS(k, "max-in-flight")) {
		rc = cp_get_uint(c, v, 1, CP_RESOLVER_MAX_IN_FLIGHT_MAX, &x);
		if (rc == 0)
			r->max_in_flight = (uint32_t)x;
		return rc;
	}
	if ((rc = cp_conf_stale_key(c, k, v, r)) != -ENOENT)
		return rc;
	return cp_unknown_key(c, k, RESOLVER_KEYS);
}

int
cp_conf_read_resolver(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_resolver_conf *r = &c->conf->resolver;
	int rc = cp_want_map(c, n);

	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		const struct cp_ynode *k = n->keys[i], *v = n->items[i];
		size_t saved = cp_path_key(c, k->str);

		rc = read_key(c, k, v);
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	/* No hints and no forward zone for "." (a pure forwarder): IANA's root, as installed. */
	if (rc == 0 && n != NULL && !cp_ynode_is_null(n) && r->root_hints == NULL &&
	    (r->forward == NULL || cp_forward_find(r->forward, (const uint8_t *)"") == NULL)) {
		r->root_hints = strdup(CP_DEFAULT_ROOT_HINTS);
		if (r->root_hints == NULL)
			rc = cp_cerr(c, n, "out of memory");
	}
	return rc;
}
