/* SPDX-License-Identifier: BSD-3-Clause */
/* The local-data store: zones, adding and removing records, their checks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_localdata_int.h"
#include "dns_name.h"
#include "dns_present.h"

#define TTL_MAX 0x7fffffffu /* RFC 2181 8 */

struct cp_localdata *
cp_localdata_new(void)
{
	struct cp_localdata *ld = calloc(1, sizeof(*ld));

	if (ld == NULL)
		return NULL;
	if (cp_nmap_init(&ld->nodes, 64) != 0 || cp_nmap_init(&ld->zones, 8) != 0) {
		cp_nmap_fini(&ld->nodes);
		free(ld);
		return NULL;
	}
	return ld;
}

static void
rrset_clear(struct ld_rrset *s)
{
	for (uint16_t i = 0; i < s->n; i++)
		free((void *)(uintptr_t)s->rd[i].data);
	free(s->rd);
}

void
cp_localdata_free(struct cp_localdata *ld)
{
	struct ld_node *n;
	void *z;
	size_t pos = 0;

	if (ld == NULL)
		return;
	while ((n = cp_nmap_next(&ld->nodes, &pos)) != NULL) {
		for (uint16_t i = 0; i < n->n_sets; i++)
			rrset_clear(&n->sets[i]);
		free(n->sets);
		free(n);
	}
	pos = 0;
	while ((z = cp_nmap_next(&ld->zones, &pos)) != NULL)
		free(z);
	cp_nmap_fini(&ld->nodes);
	cp_nmap_fini(&ld->zones);
	free(ld->scanner);
	free(ld);
}

size_t
cp_localdata_count(const struct cp_localdata *ld)
{
	return ld->n_rr;
}

uint64_t
cp_localdata_generation(const struct cp_localdata *ld)
{
	return ld->generation;
}

/* ---- zones ---- */

static const char *const zone_types[] = {
	[CP_LZ_STATIC] = "static",
	[CP_LZ_TRANSPARENT] = "transparent",
	[CP_LZ_REFUSE] = "refuse",
};

int
cp_lz_type_parse(const char *text, enum cp_lz_type *type)
{
	for (size_t i = 0; i < VD_ARRAY_SIZE(zone_types); i++) {
		if (strcmp(text, zone_types[i]) == 0) {
			*type = (enum cp_lz_type)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
cp_lz_type_name(enum cp_lz_type type)
{
	return (size_t)type < VD_ARRAY_SIZE(zone_types) ? zone_types[type] : "?";
}

int
cp_localdata_zone_add(struct cp_localdata *ld, const uint8_t *name, enum cp_lz_type type)
{
	uint8_t key[DNS_NAME_MAXLEN];
	int len = dns_name_scan(name, DNS_NAME_MAXLEN, key);
	struct ld_zone *z;
	int rc;

	if (len < 0 || (size_t)type >= VD_ARRAY_SIZE(zone_types))
		return -EINVAL;
	z = malloc(sizeof(*z) + (size_t)len);
	if (z == NULL)
		return -ENOMEM;
	z->type = type;
	z->name_len = (uint8_t)len;
	memcpy(z->name, key, (size_t)len);
	rc = cp_nmap_put(&ld->zones, z->name, z->name_len, z);
	if (rc != 0) {
		free(z);
		return rc;
	}
	ld->generation++;
	return 0;
}

int
cp_localdata_zone_remove(struct cp_localdata *ld, const uint8_t *name)
{
	uint8_t key[DNS_NAME_MAXLEN];
	int len = dns_name_scan(name, DNS_NAME_MAXLEN, key);
	struct ld_zone *z;

	if (len < 0)
		return -EINVAL;
	z = cp_nmap_del(&ld->zones, key, (size_t)len);
	if (z == NULL)
		return -ENOENT;
	free(z);
	ld->generation++;
	return 0;
}

int
cp_localdata_zone_foreach(const struct cp_localdata *ld,
                          int (*cb)(const uint8_t *name, enum cp_lz_type type, void *arg),
                          void *arg)
{
	const struct ld_zone *z;
	size_t pos = 0;
	int rc;

	while ((z = cp_nmap_next(&ld->zones, &pos)) != NULL) {
		rc = cb(z->name, z->type, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- RDATA ---- */

/* Is there exactly one valid name filling [p, p + len)? */
static bool
exact_name(const uint8_t *p, size_t len)
{
	int n = len > 0 ? dns_name_scan(p, len, NULL) : -1;

	return n > 0 && (size_t)n == len;
}

/* Check the layout of the types whose names local data follows or compresses. */
bool
ld_rdata_valid(uint16_t type, const uint8_t *p, size_t len)
{
	int n, m;

	switch (type) {
	case DNS_TYPE_A:
		return len == 4;
	case DNS_TYPE_AAAA:
		return len == 16;
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
	case DNS_TYPE_DNAME:
		return exact_name(p, len);
	case DNS_TYPE_MX:
		return len >= 3 && exact_name(p + 2, len - 2);
	case DNS_TYPE_SRV:
		return len >= 7 && exact_name(p + 6, len - 6);
	case DNS_TYPE_SOA:
		n = dns_name_scan(p, len, NULL);
		if (n < 0)
			return false;
		m = dns_name_scan(p + n, len - (size_t)n, NULL);
		return m > 0 && (size_t)n + (size_t)m + 20 == len;
	case DNS_TYPE_TXT:
		if (len == 0)
			return false;
		for (size_t off = 0; off < len; off += 1u + p[off]) {
			if (off + 1u + p[off] > len)
				return false;
		}
		return true;
	default:
		return true;
	}
}

/* Bytes of the RDATA of @p type that are names, compared without case: [*from, *to). */
static void
name_span(uint16_t type, size_t len, size_t *from, size_t *to)
{
	*from = 0;
	*to = 0;
	switch (type) {
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
	case DNS_TYPE_DNAME:
		*to = len;
		break;
	case DNS_TYPE_MX:
		*from = 2;
		*to = len;
		break;
	case DNS_TYPE_SRV:
		*from = 6;
		*to = len;
		break;
	case DNS_TYPE_SOA:
		*to = len - 20;
		break;
	default:
		break;
	}
}

/* Equal RDATA, names compared case-insensitively (both valid for @p type). */
static bool
rdata_equal(uint16_t type, const struct dns_rdata *a, const uint8_t *b, size_t blen)
{
	size_t from, to;

	if (a->len != blen)
		return false;
	name_span(type, blen, &from, &to);
	for (size_t i = 0; i < blen; i++) {
		bool fold = i >= from && i < to;

		if (fold ? dns_lower(a->data[i]) != dns_lower(b[i]) : a->data[i] != b[i])
			return false;
	}
	return true;
}

static int
rdata_find(const struct ld_rrset *s, const uint8_t *rd, size_t len)
{
	for (uint16_t i = 0; i < s->n; i++) {
		if (rdata_equal(s->type, &s->rd[i], rd, len))
			return i;
	}
	return -1;
}

/* ---- nodes ---- */

static struct ld_node *
node_create(struct cp_localdata *ld, const uint8_t *key, size_t len)
{
	struct ld_node *n = calloc(1, sizeof(*n) + len);

	if (n == NULL)
		return NULL;
	n->name_len = (uint8_t)len;
	memcpy(n->name, key, len);
	if (cp_nmap_put(&ld->nodes, n->name, len, n) != 0) {
		free(n);
		return NULL;
	}
	return n;
}

/* Drop @p n if nothing keeps it: no RRsets and no names below. */
static void
node_gc(struct cp_localdata *ld, struct ld_node *n)
{
	if (n->n_sets == 0 && n->below == 0) {
		cp_nmap_del(&ld->nodes, n->name, n->name_len);
		free(n->sets);
		free(n);
	}
}

/* Undo the first @p upto ancestors' counts of a name that lost its data (all: SIZE_MAX). */
static void
ancestors_dec(struct cp_localdata *ld, const uint8_t *key, size_t len, size_t upto)
{
	size_t done = 0;

	for (size_t off = 1u + key[0]; key[off] != 0 && done < upto; off += 1u + key[off]) {
		struct ld_node *a = ld_node_get(ld, key + off, len - off);

		done++;
		if (a == NULL)
			continue; /* cannot happen: counted nodes exist */
		a->below--;
		node_gc(ld, a);
	}
}

/* A name gained data: count it in every ancestor (the root excepted), creating ENT nodes. */
static int
ancestors_inc(struct cp_localdata *ld, const uint8_t *key, size_t len)
{
	size_t done = 0;

	for (size_t off = 1u + key[0]; key[off] != 0; off += 1u + key[off]) {
		struct ld_node *a = ld_node_get(ld, key + off, len - off);

		if (a == NULL)
			a = node_create(ld, key + off, len - off);
		if (a == NULL) {
			ancestors_dec(ld, key, len, done);
			return -ENOMEM;
		}
		a->below++;
		done++;
	}
	return 0;
}

int
ld_say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool
is_meta_type(uint16_t type)
{
	return type == 0 || type == DNS_TYPE_OPT || (type >= 128 && type <= 255);
}

/* May a record of @p type join node @p n? (CNAME and SOA rules; the RRset of the type aside.) */
static int
check_coexist(const struct ld_node *n, const struct cp_rr *rr, const char *owner, char *err,
              size_t errlen)
{
	bool dnssec = rr->type == DNS_TYPE_RRSIG || rr->type == DNS_TYPE_NSEC;

	for (uint16_t i = 0; i < n->n_sets; i++) {
		const struct ld_rrset *s = &n->sets[i];
		bool s_dnssec = s->type == DNS_TYPE_RRSIG || s->type == DNS_TYPE_NSEC;

		if (s->rclass != rr->rclass || s->type == rr->type)
			continue;
		if ((rr->type == DNS_TYPE_CNAME && !s_dnssec) ||
		    (s->type == DNS_TYPE_CNAME && !dnssec))
			return ld_say(err, errlen,
			              "%s has a CNAME and other data; a CNAME must be the"
			              " only record at its name (RFC 1034 3.6.2)",
			              owner);
	}
	return 0;
}

/* Checks against the RRset the record joins. */
static int
check_join(const struct ld_rrset *s, const struct cp_rr *rr, const char *owner, char *err,
           size_t errlen)
{
	char tname[16];

	dns_type_to_text(rr->type, tname, sizeof(tname));
	if (rdata_find(s, rr->rdata, rr->rdlen) >= 0) {
		ld_say(err, errlen, "%s %s: this record is already present", owner, tname);
		return -EEXIST;
	}
	if (rr->type == DNS_TYPE_CNAME)
		return ld_say(err, errlen,
		              "%s has two CNAMEs; a name has at most one (RFC 2181 10.1)", owner);
	if (rr->type == DNS_TYPE_SOA)
		return ld_say(err, errlen, "%s has two SOA records; a zone has one", owner);
	if (s->ttl != rr->ttl)
		return ld_say(err, errlen,
		              "%s %s: TTL %u differs from TTL %u of the records already"
		              " there; an RRset has one TTL (RFC 2181 5.2)",
		              owner, tname, rr->ttl, s->ttl);
	if (s->n >= CP_LD_MAX_RRSET_RR) {
		ld_say(err, errlen, "%s %s: more than %d records in one RRset", owner, tname,
		       CP_LD_MAX_RRSET_RR);
		return -E2BIG;
	}
	return 0;
}

/* Room for one more RRset at @p n / one more record in @p s. */
static int
grow_sets(struct ld_node *n)
{
	struct ld_rrset *sets;
	uint16_t cap;

	if (n->n_sets < n->cap_sets)
		return 0;
	cap = n->cap_sets == 0 ? 2 : (uint16_t)(n->cap_sets * 2);
	sets = realloc(n->sets, cap * sizeof(*sets));
	if (sets == NULL)
		return -ENOMEM;
	n->sets = sets;
	n->cap_sets = cap;
	return 0;
}

static int
grow_rd(struct ld_rrset *s)
{
	struct dns_rdata *rd;
	uint16_t cap;

	if (s->n < s->cap)
		return 0;
	cap = s->cap == 0 ? 1 : (uint16_t)(s->cap * 2);
	rd = realloc(s->rd, cap * sizeof(*rd));
	if (rd == NULL)
		return -ENOMEM;
	s->rd = rd;
	s->cap = cap;
	return 0;
}

int
cp_localdata_add(struct cp_localdata *ld, const struct cp_rr *rr, char *err, size_t errlen)
{
	char owner[DNS_NAME_TEXT_MAX], tname[16];
	uint8_t key[DNS_NAME_MAXLEN];
	int klen = dns_name_scan(rr->owner, DNS_NAME_MAXLEN, key), rc;
	struct ld_node *n;
	struct ld_rrset *s = NULL;
	uint8_t *copy;
	bool fresh;

	if (klen < 0)
		return ld_say(err, errlen, "the owner is not a valid domain name");
	dns_name_to_text(key, owner, sizeof(owner));
	dns_type_to_text(rr->type, tname, sizeof(tname));
	if (is_meta_type(rr->type))
		return ld_say(err, errlen, "%s: %s is a query or meta type, not data", owner,
		              tname);
	if (rr->rclass == 0 || rr->rclass == DNS_CLASS_NONE || rr->rclass == DNS_CLASS_ANY)
		return ld_say(err, errlen, "%s: class %u is not a data class", owner, rr->rclass);
	if (rr->ttl > TTL_MAX)
		return ld_say(err, errlen, "%s: TTL %u is above %u (RFC 2181 8)", owner, rr->ttl,
		              TTL_MAX);
	if (!ld_rdata_valid(rr->type, rr->rdata, rr->rdlen))
		return ld_say(err, errlen, "%s: the RDATA is not valid for type %s", owner, tname);

	n = ld_node_get(ld, key, (size_t)klen);
	if (n != NULL) {
		s = ld_node_rrset(n, rr->type, rr->rclass);
		rc = s != NULL ? check_join(s, rr, owner, err, errlen)
		               : check_coexist(n, rr, owner, err, errlen);
		if (rc != 0)
			return rc;
	}

	copy = malloc(rr->rdlen > 0 ? rr->rdlen : 1);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, rr->rdata, rr->rdlen);
	fresh = n == NULL || n->n_sets == 0;
	if (n == NULL && (n = node_create(ld, key, (size_t)klen)) == NULL)
		goto err_copy;
	if (s == NULL) {
		if (grow_sets(n) != 0)
			goto err_node;
		s = &n->sets[n->n_sets];
		memset(s, 0, sizeof(*s));
		s->type = rr->type;
		s->rclass = rr->rclass;
		s->ttl = rr->ttl;
		if (grow_rd(s) != 0)
			goto err_node;
		n->n_sets++;
	} else if (grow_rd(s) != 0) {
		goto err_copy;
	}
	if (fresh && ancestors_inc(ld, key, (size_t)klen) != 0) {
		n->n_sets--; /* s is the fresh, still empty set */
		free(s->rd);
		goto err_node;
	}
	s->rd[s->n].data = copy;
	s->rd[s->n].len = rr->rdlen;
	s->n++;
	ld->n_rr++;
	ld->generation++;
	return 0;

err_node:
	node_gc(ld, n);
err_copy:
	free(copy);
	return -ENOMEM;
}

/* Remove record @p i of set @p s at node @p n, and what becomes empty. */
static void
remove_at(struct cp_localdata *ld, struct ld_node *n, struct ld_rrset *s, uint16_t i)
{
	free((void *)(uintptr_t)s->rd[i].data);
	memmove(&s->rd[i], &s->rd[i + 1], (size_t)(s->n - i - 1) * sizeof(s->rd[0]));
	s->n--;
	ld->n_rr--;
	ld->generation++;
	if (s->n > 0)
		return;
	free(s->rd);
	memmove(s, s + 1, (size_t)(n->sets + n->n_sets - (s + 1)) * sizeof(*s));
	n->n_sets--;
	if (n->n_sets > 0)
		return;
	ancestors_dec(ld, n->name, n->name_len, SIZE_MAX);
	node_gc(ld, n);
}

int
cp_localdata_remove(struct cp_localdata *ld, const struct cp_rr *rr)
{
	uint8_t key[DNS_NAME_MAXLEN];
	int klen = dns_name_scan(rr->owner, DNS_NAME_MAXLEN, key), i;
	struct ld_node *n;
	struct ld_rrset *s;

	if (klen < 0)
		return -EINVAL;
	n = ld_node_get(ld, key, (size_t)klen);
	s = n != NULL ? ld_node_rrset(n, rr->type, rr->rclass) : NULL;
	i = s != NULL ? rdata_find(s, rr->rdata, rr->rdlen) : -1;
	if (i < 0)
		return -ENOENT;
	remove_at(ld, n, s, (uint16_t)i);
	return 0;
}

int
cp_localdata_remove_name(struct cp_localdata *ld, const uint8_t *owner, uint16_t type)
{
	uint8_t key[DNS_NAME_MAXLEN];
	int klen = dns_name_scan(owner, DNS_NAME_MAXLEN, key), removed = 0;
	struct ld_node *n;

	if (klen < 0)
		return -EINVAL;
	n = ld_node_get(ld, key, (size_t)klen);
	while (n != NULL) {
		struct ld_rrset *s = NULL;
		bool last;

		for (uint16_t i = 0; i < n->n_sets && s == NULL; i++) {
			if (n->sets[i].rclass == DNS_CLASS_IN &&
			    (type == 0 || n->sets[i].type == type))
				s = &n->sets[i];
		}
		if (s == NULL)
			break;
		/* Removing the last record may free the node: look it up again after each. */
		last = s->n == 1 && n->n_sets == 1;
		removed++;
		remove_at(ld, n, s, (uint16_t)(s->n - 1));
		n = last ? ld_node_get(ld, key, (size_t)klen) : n;
	}
	return removed > 0 ? removed : -ENOENT;
}
