/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-server RTT, backoff, EDNS and lame data, and server choice, by the rules of cp_infra.h. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>

#include "cp_infra.h"
#include "dns_name.h"
#include "vd_hash.h"

struct host_key {
	uint16_t family;
	uint16_t port; /* network order, as in the sockaddr */
	uint8_t addr[16];
};

struct lame_mark {
	uint64_t expire_ms;
	uint8_t len;
	uint8_t zone[DNS_NAME_MAXLEN]; /* lower-cased */
};

struct infra_host {
	struct infra_host *next;         /* hash chain */
	TAILQ_ENTRY(infra_host) lru;     /* head: most recently used */
	struct host_key key;
	uint64_t updated_ms;
	uint64_t probe_at_ms;            /* backoff: earliest next probe */
	uint32_t srtt_us;
	uint32_t rttvar_us;
	uint32_t rto_ms;
	uint32_t timeouts;
	bool measured;
	bool backoff;
	enum cp_infra_edns edns;
	unsigned n_lame;
	struct lame_mark *lame;          /* [max_lame_per_server], allocated on first mark */
};

struct cp_infra {
	struct cp_infra_params p;
	struct infra_host **buckets;
	size_t mask;
	size_t count;
	TAILQ_HEAD(infra_host_lru, infra_host) lru;
	uint64_t rng;                    /* splitmix64 state */
};

static uint64_t
rng_next(struct cp_infra *in)
{
	uint64_t z = (in->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
make_key(const struct sockaddr *sa, struct host_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa == NULL)
		return -EAFNOSUPPORT;
	k->family = sa->sa_family;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;

		k->port = a->sin_port;
		memcpy(k->addr, &a->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;

		k->port = a->sin6_port;
		memcpy(k->addr, &a->sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

static size_t
key_hash(const struct host_key *k)
{
	uint64_t a, b;

	memcpy(&a, k->addr, 8);
	memcpy(&b, k->addr + 8, 8);
	return (size_t)vd_hash_mix(vd_hash_mix(a, b), (uint64_t)k->family << 16 | k->port);
}

/* Start an entry over: no RTT, unknown EDNS, no lame marks. */
static void
host_reset(const struct cp_infra *in, struct infra_host *h, uint64_t now_ms)
{
	h->updated_ms = now_ms;
	h->probe_at_ms = 0;
	h->srtt_us = 0;
	h->rttvar_us = 0;
	h->rto_ms = in->p.rtt_unknown_ms;
	h->timeouts = 0;
	h->measured = false;
	h->backoff = false;
	h->edns = CP_INFRA_EDNS_UNKNOWN;
	h->n_lame = 0;
}

static bool
host_expired(const struct cp_infra *in, const struct infra_host *h, uint64_t now_ms)
{
	return now_ms > h->updated_ms && now_ms - h->updated_ms > in->p.host_ttl_ms;
}

static struct infra_host *
host_find(const struct cp_infra *in, const struct host_key *k)
{
	struct infra_host *h = in->buckets[key_hash(k) & in->mask];

	while (h != NULL && memcmp(&h->key, k, sizeof(*k)) != 0)
		h = h->next;
	return h;
}

static void
host_unlink(struct cp_infra *in, struct infra_host *h)
{
	struct infra_host **pp = &in->buckets[key_hash(&h->key) & in->mask];

	while (*pp != h)
		pp = &(*pp)->next;
	*pp = h->next;
	TAILQ_REMOVE(&in->lru, h, lru);
	in->count--;
}

/* The entry of @p sa, created (evicting the LRU one if full) and reset if expired. */
static int
host_get(struct cp_infra *in, const struct sockaddr *sa, uint64_t now_ms, struct infra_host **out)
{
	struct host_key k;
	struct infra_host *h;
	int rc = make_key(sa, &k);

	if (rc != 0)
		return rc;
	h = host_find(in, &k);
	if (h != NULL) {
		if (host_expired(in, h, now_ms))
			host_reset(in, h, now_ms);
		TAILQ_REMOVE(&in->lru, h, lru);
		TAILQ_INSERT_HEAD(&in->lru, h, lru);
	} else {
		if (in->count >= in->p.max_servers) {
			h = TAILQ_LAST(&in->lru, infra_host_lru);
			host_unlink(in, h);
			free(h->lame);
			memset(h, 0, sizeof(*h));
		} else {
			h = calloc(1, sizeof(*h));
			if (h == NULL)
				return -ENOMEM;
		}
		h->key = k;
		host_reset(in, h, now_ms);
		h->next = in->buckets[key_hash(&k) & in->mask];
		in->buckets[key_hash(&k) & in->mask] = h;
		TAILQ_INSERT_HEAD(&in->lru, h, lru);
		in->count++;
	}
	h->updated_ms = now_ms;
	*out = h;
	return 0;
}

/* The live entry of @p sa, or NULL (unknown or expired). */
static struct infra_host *
host_peek(const struct cp_infra *in, const struct sockaddr *sa, uint64_t now_ms)
{
	struct host_key k;
	struct infra_host *h;

	if (make_key(sa, &k) != 0)
		return NULL;
	h = host_find(in, &k);
	return h != NULL && !host_expired(in, h, now_ms) ? h : NULL;
}

static uint32_t
clamp_rto(const struct cp_infra *in, uint64_t ms)
{
	if (ms < in->p.rto_min_ms)
		return in->p.rto_min_ms;
	return ms > in->p.rto_max_ms ? in->p.rto_max_ms : (uint32_t)ms;
}

static struct lame_mark *
lame_find(const struct infra_host *h, const uint8_t *lz, int len, uint64_t now_ms)
{
	for (unsigned i = 0; i < h->n_lame; i++) {
		struct lame_mark *m = &h->lame[i];

		if (m->len == len && memcmp(m->zone, lz, (size_t)len) == 0)
			return m->expire_ms > now_ms ? m : NULL;
	}
	return NULL;
}

/* Tier of a candidate for cp_infra_select() (0 best, 2 worst) and its RTO. */
static unsigned
cand_rank(const struct cp_infra *in, const struct sockaddr_storage *c, const uint8_t *lz,
	  int zlen, uint64_t now_ms, uint32_t *rto)
{
	const struct infra_host *h = host_peek(in, (const struct sockaddr *)c, now_ms);

	*rto = h != NULL ? h->rto_ms : in->p.rtt_unknown_ms;
	if (h != NULL && zlen > 0 && h->n_lame > 0 && lame_find(h, lz, zlen, now_ms) != NULL)
		return 2;
	if (h != NULL && h->backoff && now_ms < h->probe_at_ms)
		return 1;
	return 0;
}

void
cp_infra_params_init(struct cp_infra_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_servers = 10000;
	p->rtt_unknown_ms = 376;
	p->rto_min_ms = 50;
	p->rto_max_ms = 12000;
	p->probe_interval_ms = 12000;
	p->explore_band_ms = 400;
	p->host_ttl_ms = 900000;
	p->max_lame_per_server = 16;
	p->seed = 0;
}

struct cp_infra *
cp_infra_create(const struct cp_infra_params *p)
{
	struct cp_infra *in;
	size_t nb = 16;

	in = calloc(1, sizeof(*in));
	if (in == NULL)
		return NULL;
	if (p != NULL)
		in->p = *p;
	else
		cp_infra_params_init(&in->p);
	if (in->p.max_servers == 0 || in->p.rto_min_ms == 0 ||
	    in->p.rto_max_ms < in->p.rto_min_ms || in->p.max_lame_per_server == 0 ||
	    in->p.max_lame_per_server > 255) {
		free(in);
		errno = EINVAL;
		return NULL;
	}
	while (nb < in->p.max_servers && nb < ((size_t)1 << 24))
		nb <<= 1;
	in->buckets = calloc(nb, sizeof(*in->buckets));
	if (in->buckets == NULL) {
		free(in);
		return NULL;
	}
	in->mask = nb - 1;
	TAILQ_INIT(&in->lru);
	in->rng = in->p.seed;
	if (in->rng == 0 && getrandom(&in->rng, sizeof(in->rng), 0) != (ssize_t)sizeof(in->rng))
		in->rng = (uint64_t)(uintptr_t)in ^ 0x5851f42d4c957f2dULL; /* choice, not secrecy */
	return in;
}

void
cp_infra_destroy(struct cp_infra *in)
{
	struct infra_host *h;

	if (in == NULL)
		return;
	while ((h = TAILQ_FIRST(&in->lru)) != NULL) {
		TAILQ_REMOVE(&in->lru, h, lru);
		free(h->lame);
		free(h);
	}
	free(in->buckets);
	free(in);
}

int
cp_infra_rtt(struct cp_infra *in, const struct sockaddr *addr, uint64_t rtt_us, uint64_t now_ms)
{
	struct infra_host *h;
	uint32_t r = rtt_us > UINT32_MAX / 8 ? UINT32_MAX / 8 : (uint32_t)rtt_us;
	int rc = host_get(in, addr, now_ms, &h);

	if (rc != 0)
		return rc;
	if (!h->measured) {
		h->srtt_us = r;
		h->rttvar_us = r / 2;
		h->measured = true;
	} else {
		uint32_t diff = h->srtt_us > r ? h->srtt_us - r : r - h->srtt_us;

		h->rttvar_us = (uint32_t)(((uint64_t)h->rttvar_us * 3 + diff) / 4);
		h->srtt_us = (uint32_t)(((uint64_t)h->srtt_us * 7 + r) / 8);
	}
	h->rto_ms = clamp_rto(in, ((uint64_t)h->srtt_us + 4 * (uint64_t)h->rttvar_us + 999) / 1000);
	h->timeouts = 0;
	h->backoff = false;
	return 0;
}

int
cp_infra_timeout(struct cp_infra *in, const struct sockaddr *addr, uint32_t sent_rto_ms,
		 uint64_t now_ms)
{
	struct infra_host *h;
	int rc = host_get(in, addr, now_ms, &h);

	if (rc != 0)
		return rc;
	h->timeouts++;
	if (h->rto_ms > sent_rto_ms)
		return 0;
	h->rto_ms = clamp_rto(in, (uint64_t)h->rto_ms * 2);
	if (h->rto_ms >= in->p.rto_max_ms) {
		h->backoff = true;
		h->probe_at_ms = now_ms + in->p.probe_interval_ms;
	}
	return 0;
}

int
cp_infra_set_edns(struct cp_infra *in, const struct sockaddr *addr, enum cp_infra_edns e,
		  uint64_t now_ms)
{
	struct infra_host *h;
	int rc = host_get(in, addr, now_ms, &h);

	if (rc != 0)
		return rc;
	h->edns = e;
	return 0;
}

int
cp_infra_set_lame(struct cp_infra *in, const struct sockaddr *addr, const uint8_t *zone,
		  uint64_t ttl_ms, uint64_t now_ms)
{
	uint8_t lz[DNS_NAME_MAXLEN];
	struct infra_host *h;
	struct lame_mark *m = NULL;
	int len = zone != NULL ? dns_name_scan(zone, DNS_NAME_MAXLEN, lz) : -EINVAL;
	int rc;

	if (len < 0)
		return -EINVAL;
	rc = host_get(in, addr, now_ms, &h);
	if (rc != 0)
		return rc;
	if (h->lame == NULL) {
		h->lame = calloc(in->p.max_lame_per_server, sizeof(*h->lame));
		if (h->lame == NULL)
			return -ENOMEM;
	}
	for (unsigned i = 0; i < h->n_lame && m == NULL; i++)
		if (h->lame[i].len == len && memcmp(h->lame[i].zone, lz, (size_t)len) == 0)
			m = &h->lame[i];
	if (m == NULL && h->n_lame < in->p.max_lame_per_server)
		m = &h->lame[h->n_lame++];
	if (m == NULL) {
		/* Full: replace the mark that expires first (expired ones first of all). */
		m = &h->lame[0];
		for (unsigned i = 1; i < h->n_lame; i++)
			if (h->lame[i].expire_ms < m->expire_ms)
				m = &h->lame[i];
	}
	m->expire_ms = now_ms + ttl_ms;
	m->len = (uint8_t)len;
	memcpy(m->zone, lz, (size_t)len);
	return 0;
}

bool
cp_infra_is_lame(const struct cp_infra *in, const struct sockaddr *addr, const uint8_t *zone,
		 uint64_t now_ms)
{
	uint8_t lz[DNS_NAME_MAXLEN];
	const struct infra_host *h = host_peek(in, addr, now_ms);
	int len;

	if (h == NULL || h->n_lame == 0 || zone == NULL)
		return false;
	len = dns_name_scan(zone, DNS_NAME_MAXLEN, lz);
	return len > 0 && lame_find(h, lz, len, now_ms) != NULL;
}

void
cp_infra_get(const struct cp_infra *in, const struct sockaddr *addr, uint64_t now_ms,
	     struct cp_infra_info *out)
{
	const struct infra_host *h = host_peek(in, addr, now_ms);

	memset(out, 0, sizeof(*out));
	out->rto_ms = in->p.rtt_unknown_ms;
	if (h == NULL)
		return;
	out->known = true;
	out->measured = h->measured;
	out->backoff = h->backoff;
	out->srtt_us = h->srtt_us;
	out->rttvar_us = h->rttvar_us;
	out->rto_ms = h->rto_ms;
	out->timeouts = h->timeouts;
	out->edns = h->edns;
}

int
cp_infra_select(struct cp_infra *in, const struct sockaddr_storage *cands, unsigned n,
		const uint8_t *zone, uint64_t now_ms)
{
	uint8_t lz[DNS_NAME_MAXLEN];
	int zlen = zone != NULL ? dns_name_scan(zone, DNS_NAME_MAXLEN, lz) : -1;
	uint32_t best[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
	unsigned tier_n[3] = {0, 0, 0};
	unsigned tier, k = 0, pick = 0;
	int chosen = -1;

	if (n == 0 || cands == NULL)
		return -EINVAL;
	/* Pass 1: tier and RTO of every candidate, best RTO per tier. */
	for (unsigned i = 0; i < n; i++) {
		uint32_t rto;
		unsigned t = cand_rank(in, &cands[i], lz, zlen, now_ms, &rto);

		tier_n[t]++;
		if (rto < best[t])
			best[t] = rto;
	}
	tier = tier_n[0] > 0 ? 0 : tier_n[1] > 0 ? 1 : 2;
	/* Pass 2: count those within the band, then draw one and find it. */
	for (int pass = 0; pass < 2; pass++) {
		unsigned seen = 0;

		if (pass == 1)
			pick = (unsigned)(rng_next(in) % k);
		for (unsigned i = 0; i < n; i++) {
			uint32_t rto;
			unsigned t = cand_rank(in, &cands[i], lz, zlen, now_ms, &rto);

			if (t != tier || rto > (uint64_t)best[tier] + in->p.explore_band_ms)
				continue;
			if (pass == 0) {
				k++;
			} else if (seen++ == pick) {
				chosen = (int)i;
				break;
			}
		}
	}
	if (chosen >= 0) {
		const struct sockaddr *sa = (const struct sockaddr *)&cands[chosen];
		struct infra_host *h = host_peek(in, sa, now_ms);

		/* A probe of a backed-off server: one at a time, the next an interval later. */
		if (h != NULL && h->backoff && now_ms >= h->probe_at_ms)
			h->probe_at_ms = now_ms + in->p.probe_interval_ms;
	}
	return chosen;
}

size_t
cp_infra_count(const struct cp_infra *in)
{
	return in->count;
}

int
cp_infra_foreach(const struct cp_infra *in, uint64_t now_ms,
		 int (*fn)(const struct cp_infra_server *s, void *arg), void *arg)
{
	struct cp_infra_server *s = malloc(sizeof(*s));
	const struct infra_host *h;
	int rc = 0;

	if (s == NULL)
		return -ENOMEM;
	TAILQ_FOREACH (h, &in->lru, lru) {
		if (host_expired(in, h, now_ms))
			continue;
		memset(&s->addr, 0, sizeof(s->addr));
		if (h->key.family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&s->addr;

			a->sin_family = AF_INET;
			a->sin_port = h->key.port;
			memcpy(&a->sin_addr, h->key.addr, 4);
		} else {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->addr;

			a->sin6_family = AF_INET6;
			a->sin6_port = h->key.port;
			memcpy(&a->sin6_addr, h->key.addr, 16);
		}
		cp_infra_get(in, (const struct sockaddr *)&s->addr, now_ms, &s->info);
		s->updated_ms = h->updated_ms;
		s->probe_at_ms = h->probe_at_ms;
		s->n_lame = 0;
		for (unsigned i = 0; i < h->n_lame && s->n_lame < CP_INFRA_MAX_LAME; i++) {
			if (h->lame[i].expire_ms <= now_ms)
				continue;
			s->lame[s->n_lame].zone = h->lame[i].zone;
			s->lame[s->n_lame++].expire_ms = h->lame[i].expire_ms;
		}
		rc = fn(s, arg);
		if (rc != 0)
			break;
	}
	free(s);
	return rc;
}
