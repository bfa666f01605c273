/* SPDX-License-Identifier: BSD-3-Clause */
/* Synthetic names and answers for the bench harness (see bench_gen.h for the shapes). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dns_template.h"
#include "dns_wire.h"
#include "vd_hash.h"

#include "bench_gen.h"

struct bench_weighted {
	const char *s; /* dotted labels; "#": cdn-<digit>; "*": a random label */
	uint32_t w;
};

/* Roughly the share of TLDs in resolver traffic of a European ISP; only the shape matters. */
static const struct bench_weighted bench_tlds[] = {
	{ "com", 460 },   { "net", 90 }, { "org", 70 }, { "de", 60 },  { "co.uk", 40 },
	{ "ru", 40 },     { "io", 30 },  { "fr", 30 },  { "nl", 20 },  { "jp", 20 },
	{ "com.br", 20 }, { "it", 20 },  { "pl", 20 },  { "cn", 15 },  { "com.au", 10 },
	{ "info", 10 },   { "eu", 10 },  { "xyz", 10 }, { "app", 10 }, { "ch", 10 },
	{ "es", 10 },     { "ca", 10 },  { "uk", 5 },   { "dev", 5 },  { "se", 5 },
};

/* Host labels in front of the registered domain. */
static const struct bench_weighted bench_prefixes[] = {
	{ "www", 300 },  { "*", 90 },      { "mail", 60 }, { "#", 50 },    { "api", 50 },
	{ "m", 30 },     { "static", 30 }, { "img", 30 },  { "app", 30 },  { "smtp", 20 },
	{ "ns1", 20 },   { "login", 20 },  { "shop", 20 }, { "blog", 20 }, { "docs", 15 },
	{ "video", 15 }, { "auth", 15 },
};

/* Second prefix label, next to the registered domain (img.eu.example.com). */
static const struct bench_weighted bench_inner[] = {
	{ "*", 40 },    { "eu", 15 },    { "us", 15 }, { "cdn", 10 },
	{ "edge", 10 }, { "static", 5 }, { "s3", 5 },
};

/* Where CNAMEs of the CNAME + A answers point when they leave the zone. */
static const struct bench_weighted bench_cdns[] = {
	{ "edgekey.net", 30 }, { "akamaiedge.net", 20 }, { "cloudfront.net", 20 },
	{ "fastly.net", 10 },  { "azureedge.net", 10 },  { "cdn.cloudflare.net", 10 },
};

/* Percent shares of the answer kinds, in enum order. */
static const uint32_t bench_kind_pct[BENCH_ANS_COUNT] = { 60, 15, 10, 10, 5 };

#define BENCH_PICK(r, tab) bench_pick((r), (tab), sizeof(tab) / sizeof((tab)[0]))

static const char *
bench_pick(struct bench_rng *r, const struct bench_weighted *tab, size_t n)
{
	uint32_t total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += tab[i].w;
	x = bench_rng_below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < tab[i].w)
			return tab[i].s;
		x -= tab[i].w;
	}
	return tab[n - 1].s;
}

/* A hostname label of @p len octets: letters, some digits, inner hyphens now and then. */
static size_t
bench_put_random_label(uint8_t *p, struct bench_rng *r, uint32_t len)
{
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789";

	p[0] = (uint8_t)len;
	for (uint32_t i = 0; i < len; i++) {
		bool inner = i > 0 && i + 1 < len;

		if (inner && bench_rng_below(r, 32) == 0)
			p[1 + i] = '-';
		else
			p[1 + i] = (uint8_t)alnum[bench_rng_below(r, sizeof(alnum) - 1)];
	}
	return 1 + len;
}

/* Append the labels of dotted @p s (expanding "#" and "*") at @p p. @return octets written. */
static size_t
bench_put_labels(uint8_t *p, struct bench_rng *r, const char *s)
{
	size_t n = 0;

	if (strcmp(s, "*") == 0)
		return bench_put_random_label(p, r, bench_rng_range(r, 3, 10));
	if (strcmp(s, "#") == 0) {
		p[0] = 5;
		memcpy(p + 1, "cdn-", 4);
		p[5] = (uint8_t)('1' + bench_rng_below(r, 9));
		return 6;
	}
	while (*s != '\0') {
		size_t l = strcspn(s, ".");

		p[n] = (uint8_t)l;
		memcpy(p + n + 1, s, l);
		n += 1 + l;
		s += l;
		if (*s == '.')
			s++;
	}
	return n;
}

/* One candidate name into @p w; @p zone_off gets where the registered domain starts. */
static size_t
bench_draw_name(uint8_t *w, struct bench_rng *r, uint8_t *zone_off)
{
	uint32_t np = bench_rng_below(r, 100);
	size_t len = 0;

	/* 20% bare domain, 60% one host label, 20% two. */
	if (np >= 20)
		len += bench_put_labels(w + len, r, BENCH_PICK(r, bench_prefixes));
	if (np >= 80)
		len += bench_put_labels(w + len, r, BENCH_PICK(r, bench_inner));
	*zone_off = (uint8_t)len;
	len += bench_put_random_label(w + len, r, bench_rng_range(r, 5, 15));
	len += bench_put_labels(w + len, r, BENCH_PICK(r, bench_tlds));
	w[len++] = 0;
	return len;
}

static enum bench_answer
bench_draw_kind(struct bench_rng *r)
{
	uint32_t x = bench_rng_below(r, 100);

	for (unsigned k = 0; k < BENCH_ANS_COUNT; k++) {
		if (x < bench_kind_pct[k])
			return (enum bench_answer)k;
		x -= bench_kind_pct[k];
	}
	return BENCH_ANS_A;
}

/*
 * Dedup set: open addressing over name indexes (+1, 0 = empty). Capacity is a
 * power of two at least twice n, so probes stay short; it lives only while
 * the names are generated.
 */
struct bench_nameset {
	uint32_t *slot;
	uint64_t mask;
};

/* @return true if the name at buf[off, off + len) was new (and is now in the set as @p idx). */
static bool
bench_nameset_add(struct bench_nameset *s, const struct bench_names *nm, const uint8_t *name,
                  size_t len, uint32_t idx)
{
	uint64_t h = vd_hash_bytes(name, len, 0x62656e6368ULL) & s->mask;

	for (;; h = (h + 1) & s->mask) {
		uint32_t v = s->slot[h];

		if (v == 0) {
			s->slot[h] = idx + 1;
			return true;
		}
		if (bench_name_len(nm, v - 1) == len &&
		    memcmp(bench_name(nm, v - 1), name, len) == 0)
			return false;
	}
}

int
bench_names_generate(struct bench_names *nm, uint32_t n, struct bench_rng *rng)
{
	struct bench_nameset set;
	uint64_t cap = 4;
	uint32_t i = 0;

	memset(nm, 0, sizeof(*nm));
	while (cap < 2 * (uint64_t)n)
		cap <<= 1;
	set.mask = cap - 1;
	set.slot = calloc(cap, sizeof(set.slot[0]));
	nm->buf = malloc((size_t)n * BENCH_NAME_MAX + DNS_NAME_MAXLEN);
	nm->off = malloc(((size_t)n + 1) * sizeof(nm->off[0]));
	nm->zone_off = malloc(n > 0 ? n : 1);
	nm->kind = malloc(n > 0 ? n : 1);
	if (set.slot == NULL || nm->buf == NULL || nm->off == NULL || nm->zone_off == NULL ||
	    nm->kind == NULL) {
		free(set.slot);
		bench_names_free(nm);
		return -ENOMEM;
	}
	nm->n = n;
	nm->len_min = UINT32_MAX;
	nm->off[0] = 0;
	while (i < n) {
		uint8_t *w = nm->buf + nm->off[i];
		uint8_t zone_off;
		size_t len = bench_draw_name(w, rng, &zone_off);

		if (len < BENCH_NAME_MIN || len > BENCH_NAME_MAX)
			continue;
		nm->off[i + 1] = nm->off[i] + (uint32_t)len;
		if (!bench_nameset_add(&set, nm, w, len, i))
			continue;
		nm->zone_off[i] = zone_off;
		nm->kind[i] = (uint8_t)bench_draw_kind(rng);
		nm->kind_count[nm->kind[i]]++;
		nm->len_sum += len;
		nm->len_min = len < nm->len_min ? (uint32_t)len : nm->len_min;
		nm->len_max = len > nm->len_max ? (uint32_t)len : nm->len_max;
		i++;
	}
	free(set.slot);
	return 0;
}

void
bench_names_free(struct bench_names *nm)
{
	free(nm->buf);
	free(nm->off);
	free(nm->zone_off);
	free(nm->kind);
	memset(nm, 0, sizeof(*nm));
}

uint16_t
bench_answer_qtype(enum bench_answer k)
{
	return k == BENCH_ANS_AAAA ? DNS_TYPE_AAAA : DNS_TYPE_A;
}

const char *
bench_answer_name(enum bench_answer k)
{
	static const char *const names[BENCH_ANS_COUNT] = { "a", "multi_a", "aaaa", "cname_a",
		                                            "nxdomain" };

	return (unsigned)k < BENCH_ANS_COUNT ? names[k] : "?";
}

/* Log-uniform TTL: as many 1-5 minute records as 1-5 hour ones, like real caches hold. */
static uint32_t
bench_draw_ttl(struct bench_rng *r)
{
	double ttl =
		BENCH_TTL_MIN * exp(bench_rng_unit(r) * log((double)BENCH_TTL_MAX / BENCH_TTL_MIN));

	return ttl > BENCH_TTL_MAX ? BENCH_TTL_MAX : (uint32_t)ttl;
}

static void
bench_fill_rdata(struct dns_rdata *rd, uint8_t (*addr)[16], unsigned n, uint16_t len,
                 struct bench_rng *r)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = bench_rng_next(r), b = bench_rng_next(r);

		memcpy(addr[i], &a, 8);
		memcpy(addr[i] + 8, &b, 8);
		rd[i].data = addr[i];
		rd[i].len = len;
	}
}

/* CNAME target: half to a CDN, a third inside the zone (compressible), the rest elsewhere. */
static size_t
bench_draw_target(uint8_t *w, struct bench_rng *r, const uint8_t *zone, size_t zone_len)
{
	uint32_t x = bench_rng_below(r, 100);
	size_t len = bench_put_random_label(w, r, bench_rng_range(r, 4, 12));

	if (x < 50) {
		len += bench_put_labels(w + len, r, BENCH_PICK(r, bench_cdns));
	} else if (x < 83) {
		memcpy(w + len, zone, zone_len);
		return len + zone_len;
	} else {
		len += bench_put_random_label(w + len, r, bench_rng_range(r, 4, 14));
		len += bench_put_labels(w + len, r, BENCH_PICK(r, bench_tlds));
	}
	w[len++] = 0;
	return len;
}

int
bench_template_make(const struct bench_names *nm, uint32_t i, struct bench_rng *rng, void *out,
                    size_t cap)
{
	enum bench_answer kind = (enum bench_answer)nm->kind[i];
	const uint8_t *name = bench_name(nm, i);
	const uint8_t *zone = name + nm->zone_off[i];
	size_t zone_len = bench_name_len(nm, i) - nm->zone_off[i];
	uint8_t addr[4][16];
	uint8_t target[DNS_NAME_MAXLEN + 16];
	uint8_t soa[2 * DNS_NAME_MAXLEN + 32];
	struct dns_rdata rd[5];
	struct dns_rrset_in rr[2] = { { 0 } };
	struct dns_tmpl_in in = {
		.qname = name,
		.qtype = bench_answer_qtype(kind),
		.qclass = DNS_CLASS_IN,
		.rrsets = rr,
	};
	size_t n;

	rr[0].owner = name;
	rr[0].type = in.qtype;
	rr[0].rclass = DNS_CLASS_IN;
	rr[0].ttl = bench_draw_ttl(rng);
	rr[0].section = DNS_SECTION_ANSWER;
	rr[0].rdata = rd;
	in.n_rrset = 1;
	switch (kind) {
	case BENCH_ANS_A:
	case BENCH_ANS_MULTI_A:
		rr[0].n_rdata = kind == BENCH_ANS_A ? 1 : (uint16_t)bench_rng_range(rng, 2, 4);
		bench_fill_rdata(rd, addr, rr[0].n_rdata, 4, rng);
		break;
	case BENCH_ANS_AAAA:
		rr[0].n_rdata = 1;
		bench_fill_rdata(rd, addr, 1, 16, rng);
		break;
	case BENCH_ANS_CNAME_A:
		n = bench_draw_target(target, rng, zone, zone_len);
		rr[0].type = DNS_TYPE_CNAME;
		rr[0].n_rdata = 1;
		rd[0].data = target;
		rd[0].len = (uint16_t)n;
		rr[1] = rr[0];
		rr[1].owner = target;
		rr[1].type = DNS_TYPE_A;
		rr[1].ttl = bench_draw_ttl(rng);
		rr[1].n_rdata = (uint16_t)bench_rng_range(rng, 1, 2);
		rr[1].rdata = rd + 1;
		bench_fill_rdata(rd + 1, addr, rr[1].n_rdata, 4, rng);
		in.n_rrset = 2;
		break;
	case BENCH_ANS_NXDOMAIN:
	default:
		/* SOA: ns1.<zone> hostmaster.<zone> serial refresh retry expire minimum */
		n = bench_put_labels(soa, rng, "ns1");
		memcpy(soa + n, zone, zone_len);
		n += zone_len;
		n += bench_put_labels(soa + n, rng, "hostmaster");
		memcpy(soa + n, zone, zone_len);
		n += zone_len;
		dns_put_u32(soa + n, 2024010100u + bench_rng_below(rng, 100));
		dns_put_u32(soa + n + 4, 7200);
		dns_put_u32(soa + n + 8, 3600);
		dns_put_u32(soa + n + 12, 1209600);
		rr[0].ttl = bench_rng_range(rng, 300, 3600); /* RFC 2308: min(SOA TTL, MINIMUM) */
		dns_put_u32(soa + n + 16, rr[0].ttl);
		n += 20;
		in.rcode = DNS_RCODE_NXDOMAIN;
		rr[0].owner = zone;
		rr[0].type = DNS_TYPE_SOA;
		rr[0].section = DNS_SECTION_AUTHORITY;
		rr[0].n_rdata = 1;
		rd[0].data = soa;
		rd[0].len = (uint16_t)n;
		break;
	}
	return dns_template_build(&in, out, cap);
}
