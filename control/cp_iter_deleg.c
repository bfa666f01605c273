/* SPDX-License-Identifier: BSD-3-Clause */
/* The iterator's delegations: from the cache, the root hints or a referral. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "cp_iter_int.h"

void
cp_iter_deleg_reset(struct cp_iter *it, const uint8_t *zone)
{
	uint8_t z[DNS_NAME_MAXLEN];
	bool downwards;

	/* zone may point into it->dp (or the arena): copy before clearing. */
	if (dns_name_scan(zone, DNS_NAME_MAXLEN, z) < 0)
		z[0] = 0;
	downwards = it->dp.zone_set && dns_name_in_zone(z, it->dp.zone) &&
	            !dns_name_equal(z, it->dp.zone);
	memset(&it->dp, 0, sizeof(it->dp));
	memcpy(it->dp.zone, z, dns_name_length(z));
	it->dp.zone_set = true;
	it->blocked = CP_ITER_OK; /* a bound met at the old zone cut says nothing of the new */
	cp_iter_qmin_deleg(it, downwards);
}

int
cp_iter_deleg_add_ns(struct cp_iter *it, const uint8_t *name)
{
	uint8_t low[DNS_NAME_MAXLEN];
	struct cp_iter_deleg *dp = &it->dp;
	int len = dns_name_scan(name, DNS_NAME_MAXLEN, low);

	if (len < 0)
		return -EINVAL;
	for (unsigned i = 0; i < dp->n_ns; i++)
		if (dns_name_equal(dp->ns[i].name, low))
			return (int)i;
	if (dp->n_ns == CP_ITER_MAX_NS)
		return -ENOSPC;
	memcpy(dp->ns[dp->n_ns].name, low, (size_t)len);
	return (int)dp->n_ns++;
}

static void
add_addr(struct cp_iter *it, int ns, const struct sockaddr_storage *ss)
{
	struct cp_iter_deleg *dp = &it->dp;

	it->dp.ns[ns].has_addr = true;
	for (unsigned i = 0; i < dp->n_addr; i++)
		if (memcmp(&dp->addr[i].ss, ss, sizeof(*ss)) == 0)
			return;
	if (dp->n_addr == CP_ITER_MAX_ADDRS)
		return;
	dp->addr[dp->n_addr].ss = *ss;
	dp->addr[dp->n_addr].timeouts = 0;
	dp->addr[dp->n_addr++].tried = false;
}

void
cp_iter_deleg_add_rdata(struct cp_iter *it, int ns, uint16_t type, const struct dns_rdata *rd,
                        unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct sockaddr_storage ss;

		/* memset: addresses are compared with memcmp for deduplication. */
		memset(&ss, 0, sizeof(ss));
		if (type == DNS_TYPE_A && rd[i].len == 4) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			s4->sin_port = htons(53);
			memcpy(&s4->sin_addr, rd[i].data, 4);
		} else if (type == DNS_TYPE_AAAA && rd[i].len == 16) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(53);
			memcpy(&s6->sin6_addr, rd[i].data, 16);
		} else {
			continue;
		}
		add_addr(it, ns, &ss);
	}
}

unsigned
cp_iter_deleg_from_cache_addrs(struct cp_iter *it, int ns)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	uint64_t now_s = cp_iter_now_ms(it) / 1000;
	unsigned before = it->dp.n_addr;

	for (unsigned t = 0; t < 2; t++) {
		const struct cp_rrc_rrset *e;

		if (cp_rrcache_lookup(it->env->rrcache, it->dp.ns[ns].name, types[t], it->qclass,
		                      now_s, &e, NULL) == CP_RRC_POSITIVE)
			cp_iter_deleg_add_rdata(it, ns, types[t], e->rdata, e->n_rdata);
	}
	return it->dp.n_addr - before;
}

/*
 * Work on the cached delegation @p d: its NS names, and the addresses the cache
 * has for them (glue in bailiwick and what earlier sub-resolutions learnt alike).
 * @return false if it cannot be used: a root NS set whose addresses expired cannot
 * be resolved from itself.
 */
static bool
use_cached(struct cp_iter *it, const struct cp_rrc_deleg *d)
{
	cp_iter_deleg_reset(it, d->ns->owner);
	it->dp.from_cache = true;
	/* Copy the names now: the next store may move the cache's memory. */
	for (unsigned i = 0; i < d->ns->n_rdata; i++)
		(void)cp_iter_deleg_add_ns(it, d->ns->rdata[i].data);
	for (unsigned i = 0; i < it->dp.n_ns; i++)
		(void)cp_iter_deleg_from_cache_addrs(it, (int)i);
	return it->dp.zone[0] != 0 || it->dp.n_addr > 0;
}

/* The closest cached delegation enclosing @p name, else the hints. */
static void
deleg_closest(struct cp_iter *it, const uint8_t *name)
{
	uint64_t now_s = cp_iter_now_ms(it) / 1000;
	struct cp_rrc_deleg d;

	if (cp_rrcache_closest_ns(it->env->rrcache, name, it->qclass, now_s, &d, NULL, 0) == 0 &&
	    use_cached(it, &d))
		return;
	cp_iter_deleg_hints(it);
}

void
cp_iter_deleg_find(struct cp_iter *it)
{
	deleg_closest(it, cp_iter_sname(it));
}

void
cp_iter_deleg_hints(struct cp_iter *it)
{
	struct cp_iter_env *env = it->env;

	cp_iter_deleg_reset(it, (const uint8_t *)"");
	it->dp.from_hints = true;
	for (size_t i = 0; i < env->n_hints; i++) {
		int ns = cp_iter_deleg_add_ns(it, env->hints[i].name);

		if (ns >= 0)
			add_addr(it, ns, &env->hints[i].addr);
	}
	/* No primed root in the cache: ask for one (RFC 8109), the hints meanwhile. */
	cp_iter_prime_due(env);
}

/* The closest cached delegation strictly above @p zone, else the hints. */
static void
deleg_above(struct cp_iter *it, const uint8_t *zone)
{
	if (zone[0] == 0)
		cp_iter_deleg_hints(it);
	else
		deleg_closest(it, zone + 1 + zone[0]);
}

bool
cp_iter_deleg_fallback(struct cp_iter *it)
{
	uint8_t zone[DNS_NAME_MAXLEN];

	if (!it->dp.from_cache || it->fell_back ||
	    it->budget->fallbacks >= CP_ITER_MAX_PARENT_FALLBACKS)
		return false;
	it->fell_back = true;
	it->budget->fallbacks++;
	it->env->stats.parent_fallbacks++;
	memcpy(zone, it->dp.zone, dns_name_length(it->dp.zone));
	memcpy(it->failed_zone, zone, sizeof(zone));
	it->n_failed = it->dp.n_addr;
	for (unsigned i = 0; i < it->dp.n_addr; i++)
		it->failed[i] = it->dp.addr[i].ss;
	deleg_above(it, zone); /* a primed root that failed: the hints */
	return true;
}

/* A referral back to the zone that failed: its servers that failed are not asked again. */
void
cp_iter_deleg_skip_failed(struct cp_iter *it)
{
	if (it->n_failed == 0 || !dns_name_equal(it->dp.zone, it->failed_zone))
		return;
	for (unsigned i = 0; i < it->dp.n_addr; i++)
		for (unsigned k = 0; k < it->n_failed; k++)
			if (memcmp(&it->dp.addr[i].ss, &it->failed[k], sizeof(it->failed[k])) == 0)
				it->dp.addr[i].tried = true;
}

void
cp_iter_deleg_from_referral(struct cp_iter *it, const struct cp_response *r)
{
	const struct dns_rrset_in *ns = &r->rrsets[r->ns];

	cp_iter_deleg_reset(it, r->child_zone);
	for (unsigned i = 0; i < ns->n_rdata; i++)
		(void)cp_iter_deleg_add_ns(it, ns->rdata[i].data);
	/* cp_response kept only glue at or below the child zone: take it as it came. */
	for (unsigned s = 0; s < r->n_rrsets; s++) {
		const struct dns_rrset_in *g = &r->rrsets[s];

		if (g->section != DNS_SECTION_ADDITIONAL ||
		    (g->type != DNS_TYPE_A && g->type != DNS_TYPE_AAAA))
			continue;
		for (unsigned i = 0; i < it->dp.n_ns; i++)
			if (dns_name_equal(it->dp.ns[i].name, g->owner))
				cp_iter_deleg_add_rdata(it, (int)i, g->type, g->rdata, g->n_rdata);
	}
	for (unsigned i = 0; i < it->dp.n_ns; i++)
		if (!it->dp.ns[i].has_addr)
			(void)cp_iter_deleg_from_cache_addrs(it, (int)i);
	cp_iter_deleg_skip_failed(it);
}
