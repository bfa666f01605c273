/* SPDX-License-Identifier: BSD-3-Clause */
/* The master cache: storing with trust ranks, lookups and LRU eviction (cp_rrcache.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cp_rrcache_int.h"
#include "dns_name.h"
#include "dns_wire.h"

#define TTL_TOP_BIT 0x80000000u

/* What a store asks for, once its input is validated and lower-cased. */
struct store_req {
	const uint8_t *name; /* lower-cased */
	uint8_t name_len;
	uint8_t kind;
	uint8_t rank;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t n_rdata;
	const struct dns_rdata *rdata;
	const uint8_t *soa_owner; /* lower-cased, negative entries only */
	uint8_t soa_owner_len;
};

static uint32_t
ttl_wire(uint32_t ttl)
{
	/* RFC 2181 8: a TTL with the most significant bit set is read as zero. */
	return (ttl & TTL_TOP_BIT) != 0 ? 0 : ttl;
}

static uint32_t
ttl_clamp(const struct cp_rrcache *c, uint32_t ttl)
{
	ttl = ttl_wire(ttl);
	if (ttl < c->conf.min_ttl)
		ttl = c->conf.min_ttl;
	if (ttl > c->conf.max_ttl)
		ttl = c->conf.max_ttl;
	return ttl;
}

/* Types that never name an RRset in a cache: 0, OPT and the query-only ones. */
static bool
type_storable(uint16_t type)
{
	return type != 0 && type != DNS_TYPE_OPT && (type < DNS_TYPE_TKEY || type > DNS_TYPE_ANY);
}

static size_t
node_cost(size_t name_len)
{
	return sizeof(struct cp_rrc_node) + name_len;
}

static void
lru_unlink(struct cp_rrcache *c, struct cp_rrc_entry *e)
{
	if (e->lru_prev != NULL)
		e->lru_prev->lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next != NULL)
		e->lru_next->lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void
lru_push(struct cp_rrcache *c, struct cp_rrc_entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = c->lru_head;
	if (c->lru_head != NULL)
		c->lru_head->lru_prev = e;
	else
		c->lru_tail = e;
	c->lru_head = e;
}

void
cp_rrc_lru_touch(struct cp_rrcache *c, const struct cp_rrc_rrset *pub)
{
	/* Lookups hand out const views of entries they own: cast back to the entry. */
	struct cp_rrc_entry *e = (struct cp_rrc_entry *)(uintptr_t)pub;

	if (c->lru_head == e)
		return;
	lru_unlink(c, e);
	lru_push(c, e);
}

void
cp_rrc_entry_free(struct cp_rrcache *c, struct cp_rrc_entry *e)
{
	struct cp_rrc_node *node = e->node;
	struct cp_rrc_entry **pp = &node->entries;

	while (*pp != e)
		pp = &(*pp)->next_in_node;
	*pp = e->next_in_node;
	lru_unlink(c, e);
	c->st.bytes -= e->size;
	c->st.entries--;
	free(e);
	if (node->entries == NULL) {
		cp_nmap_del(&c->map, node->name, node->name_len);
		c->st.bytes -= node->size;
		free(node);
	}
}

/* Evict from the LRU tail until @p need more bytes fit in the budget. */
static void
make_room(struct cp_rrcache *c, size_t need)
{
	while (c->lru_tail != NULL && c->st.bytes + need > c->conf.max_bytes) {
		c->st.evictions++;
		cp_rrc_entry_free(c, c->lru_tail);
	}
}

/* Whether @p e stands in the way of @p r: same slot, or NXDOMAIN against anything of the class. */
static bool
conflicts(const struct cp_rrc_entry *e, const struct store_req *r)
{
	if (e->pub.rclass != r->rclass)
		return false;
	if (r->kind == CP_RRC_NXDOMAIN)
		return true;
	return e->pub.type == r->type || e->pub.kind == CP_RRC_NXDOMAIN;
}

static bool
rdata_seen(const struct dns_rdata *rd, uint16_t i)
{
	for (uint16_t j = 0; j < i; j++)
		if (rd[j].len == rd[i].len &&
		    (rd[i].len == 0 || memcmp(rd[j].data, rd[i].data, rd[i].len) == 0))
			return true;
	return false;
}

/* Allocate and fill the entry block for @p r (not linked anywhere yet). */
static struct cp_rrc_entry *
entry_build(const struct store_req *r, size_t size)
{
	struct cp_rrc_entry *e = malloc(size);
	struct dns_rdata *rd;
	uint8_t *p;
	uint16_t n = 0;

	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	rd = (struct dns_rdata *)(e + 1);
	p = (uint8_t *)(rd + r->n_rdata);
	for (uint16_t i = 0; i < r->n_rdata; i++) {
		if (rdata_seen(r->rdata, i))
			continue;
		if (r->rdata[i].len > 0)
			memcpy(p, r->rdata[i].data, r->rdata[i].len);
		rd[n].data = p;
		rd[n].len = r->rdata[i].len;
		p += r->rdata[i].len;
		n++;
	}
	if (r->soa_owner != NULL) {
		memcpy(p, r->soa_owner, r->soa_owner_len);
		e->pub.soa_owner = p;
	}
	e->pub.type = r->type;
	e->pub.rclass = r->rclass;
	e->pub.kind = r->kind;
	e->pub.rank = r->rank;
	e->pub.n_rdata = n;
	e->pub.ttl = r->ttl;
	e->pub.rdata = rd;
	e->size = size;
	return e;
}

static int
store(struct cp_rrcache *c, const struct store_req *r, uint64_t now)
{
	struct cp_rrc_node *node = cp_rrc_node_find(c, r->name, r->name_len);
	struct cp_rrc_entry *e = NULL, *x, *next;
	size_t size = sizeof(struct cp_rrc_entry) + r->soa_owner_len;

	for (uint16_t i = 0; i < r->n_rdata; i++)
		size += sizeof(struct dns_rdata) + r->rdata[i].len;
	if (size + node_cost(r->name_len) > c->conf.max_bytes)
		return -EMSGSIZE;
	/* Check every conflicting entry before changing anything: all or nothing. */
	if (node != NULL) {
		for (x = node->entries; x != NULL; x = x->next_in_node) {
			if (conflicts(x, r) && cp_rrc_alive(x, now) && x->pub.rank > r->rank) {
				c->st.refused_rank++;
				return -EEXIST;
			}
		}
	}
	if (r->ttl > 0) {
		e = entry_build(r, size);
		if (e == NULL)
			return -ENOMEM;
		e->pub.expire = now + r->ttl;
	}
	if (node != NULL) {
		/* The last entry's removal frees the node: stop before touching it again. */
		for (x = node->entries; x != NULL; x = next) {
			bool last = x->next_in_node == NULL;

			next = x->next_in_node;
			if (conflicts(x, r)) {
				if (cp_rrc_alive(x, now))
					c->st.replaced++;
				else
					c->st.expired++;
				cp_rrc_entry_free(c, x);
			}
			if (last)
				break;
		}
	}
	if (e == NULL)
		return 0;
	make_room(c, size + node_cost(r->name_len));
	node = cp_rrc_node_find(c, r->name, r->name_len);
	if (node == NULL) {
		node = malloc(node_cost(r->name_len));
		if (node == NULL)
			goto err_free_entry;
		node->entries = NULL;
		node->size = node_cost(r->name_len);
		node->name_len = r->name_len;
		memcpy(node->name, r->name, r->name_len);
		if (cp_nmap_put(&c->map, node->name, node->name_len, node) != 0)
			goto err_free_node;
		c->st.bytes += node->size;
	}
	e->node = node;
	e->pub.owner = node->name;
	e->next_in_node = node->entries;
	node->entries = e;
	lru_push(c, e);
	c->st.bytes += e->size;
	c->st.entries++;
	return 0;

err_free_node:
	free(node);
err_free_entry:
	free(e);
	return -ENOMEM;
}

int
cp_rrc_scan_name(const uint8_t *name, uint8_t *lname)
{
	int len;

	if (name == NULL)
		return -EINVAL;
	len = dns_name_scan(name, DNS_NAME_MAXLEN, lname);
	return len > 0 ? len : -EINVAL;
}

void
cp_rrcache_conf_default(struct cp_rrc_conf *conf)
{
	conf->max_bytes = CP_RRC_DEFAULT_MAX_BYTES;
	conf->min_ttl = CP_RRC_DEFAULT_MIN_TTL;
	conf->max_ttl = CP_RRC_DEFAULT_MAX_TTL;
	conf->max_neg_ttl = CP_RRC_DEFAULT_MAX_NEG_TTL;
	conf->stale_max_age = CP_RRC_DEFAULT_STALE_MAX_AGE;
}

struct cp_rrcache *
cp_rrcache_new(const struct cp_rrc_conf *conf)
{
	struct cp_rrcache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if (conf != NULL)
		c->conf = *conf;
	else
		cp_rrcache_conf_default(&c->conf);
	if (c->conf.max_bytes == 0 || cp_nmap_init(&c->map, 1024) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void
cp_rrcache_free(struct cp_rrcache *c)
{
	if (c == NULL)
		return;
	cp_rrcache_flush_all(c);
	cp_nmap_fini(&c->map);
	free(c);
}

int
cp_rrcache_set_conf(struct cp_rrcache *c, const struct cp_rrc_conf *conf)
{
	if (conf->max_bytes == 0)
		return -EINVAL;
	c->conf = *conf;
	make_room(c, 0);
	return 0;
}

int
cp_rrcache_store(struct cp_rrcache *c, const struct dns_rrset_in *rr, enum cp_rrc_rank rank,
                 uint64_t now)
{
	uint8_t lname[DNS_NAME_MAXLEN];
	struct store_req r = { 0 };
	int len = cp_rrc_scan_name(rr->owner, lname);

	if (len < 0 || !type_storable(rr->type) || rr->n_rdata == 0 ||
	    rr->n_rdata > CP_RRC_MAX_RDATA || rr->rdata == NULL)
		return -EINVAL;
	for (uint16_t i = 0; i < rr->n_rdata; i++)
		if (rr->rdata[i].data == NULL && rr->rdata[i].len > 0)
			return -EINVAL;
	r.name = lname;
	r.name_len = (uint8_t)len;
	r.kind = CP_RRC_POSITIVE;
	r.rank = (uint8_t)rank;
	r.type = rr->type;
	r.rclass = rr->rclass;
	r.ttl = ttl_clamp(c, rr->ttl);
	r.n_rdata = rr->n_rdata;
	r.rdata = rr->rdata;
	return store(c, &r, now);
}

int
cp_rrcache_store_negative(struct cp_rrcache *c, enum cp_rrc_kind kind, const uint8_t *qname,
                          uint16_t qtype, uint16_t qclass, const struct dns_rrset_in *soa,
                          enum cp_rrc_rank rank, uint64_t now)
{
	uint8_t lname[DNS_NAME_MAXLEN], lsoa[DNS_NAME_MAXLEN];
	struct store_req r = { 0 };
	const struct dns_rdata *rd;
	int len = cp_rrc_scan_name(qname, lname);
	int soa_len = soa != NULL ? cp_rrc_scan_name(soa->owner, lsoa) : -EINVAL;
	int mname, rname;
	uint32_t ttl;

	if (len < 0 || soa_len < 0 || soa->type != DNS_TYPE_SOA || soa->n_rdata != 1 ||
	    soa->rdata == NULL || soa->rdata[0].data == NULL)
		return -EINVAL;
	if (kind == CP_RRC_NODATA ? !type_storable(qtype) : kind != CP_RRC_NXDOMAIN)
		return -EINVAL;
	/* SOA RDATA: MNAME, RNAME, then SERIAL REFRESH RETRY EXPIRE MINIMUM (RFC 1035 3.3.13). */
	rd = &soa->rdata[0];
	mname = dns_name_scan(rd->data, rd->len, NULL);
	if (mname <= 0)
		return -EINVAL;
	rname = dns_name_scan(rd->data + mname, rd->len - (size_t)mname, NULL);
	if (rname <= 0 || (size_t)mname + (size_t)rname + 20 != rd->len)
		return -EINVAL;
	/* RFC 2308 5: the negative TTL is the smaller of the SOA's TTL and its MINIMUM. */
	ttl = ttl_wire(soa->ttl);
	if (ttl_wire(dns_get_u32(rd->data + rd->len - 4)) < ttl)
		ttl = ttl_wire(dns_get_u32(rd->data + rd->len - 4));
	if (ttl > c->conf.max_neg_ttl)
		ttl = c->conf.max_neg_ttl;
	r.name = lname;
	r.name_len = (uint8_t)len;
	r.kind = (uint8_t)kind;
	r.rank = (uint8_t)rank;
	r.type = kind == CP_RRC_NXDOMAIN ? 0 : qtype;
	r.rclass = qclass;
	r.ttl = ttl;
	r.n_rdata = 1;
	r.rdata = rd;
	r.soa_owner = lsoa;
	r.soa_owner_len = (uint8_t)soa_len;
	return store(c, &r, now);
}

int
cp_rrcache_lookup(struct cp_rrcache *c, const uint8_t *name, uint16_t type, uint16_t rclass,
                  uint64_t now, const struct cp_rrc_rrset **out, uint32_t *ttl)
{
	uint8_t lname[DNS_NAME_MAXLEN];
	int len = cp_rrc_scan_name(name, lname);
	struct cp_rrc_node *node;
	struct cp_rrc_entry *e = NULL;

	if (len < 0)
		return -EINVAL;
	node = cp_rrc_node_find(c, lname, (size_t)len);
	if (node != NULL) {
		e = cp_rrc_node_entry(node, type, rclass);
		if (e == NULL || !cp_rrc_alive(e, now))
			e = cp_rrc_node_entry(node, 0, rclass);
		if (e != NULL && !cp_rrc_alive(e, now))
			e = NULL;
	}
	if (e == NULL) {
		c->st.misses++;
		return -ENOENT;
	}
	if (e->pub.kind == CP_RRC_POSITIVE)
		c->st.hits++;
	else
		c->st.neg_hits++;
	cp_rrc_lru_touch(c, &e->pub);
	*out = &e->pub;
	if (ttl != NULL)
		*ttl = cp_rrc_remaining(&e->pub, now);
	return e->pub.kind;
}

/* The entry at @p node for (type, class) if alive, else if within the stale window. */
static struct cp_rrc_entry *
entry_usable(const struct cp_rrcache *c, const struct cp_rrc_node *node, uint16_t type,
             uint16_t rclass, uint64_t now, bool alive_only)
{
	struct cp_rrc_entry *e = cp_rrc_node_entry(node, type, rclass);

	if (e == NULL || cp_rrc_alive(e, now))
		return e;
	return !alive_only && cp_rrc_usable_stale(e, now, c->conf.stale_max_age) ? e : NULL;
}

int
cp_rrcache_lookup_stale(struct cp_rrcache *c, const uint8_t *name, uint16_t type,
                        uint16_t rclass, uint64_t now, const struct cp_rrc_rrset **out,
                        bool *stale)
{
	uint8_t lname[DNS_NAME_MAXLEN];
	int len = cp_rrc_scan_name(name, lname);
	struct cp_rrc_node *node;
	struct cp_rrc_entry *e = NULL;

	if (len < 0)
		return -EINVAL;
	node = cp_rrc_node_find(c, lname, (size_t)len);
	/* Alive first, as a normal lookup would; only then the stale ones, same order. */
	for (int pass = 0; node != NULL && e == NULL && pass < 2; pass++) {
		e = entry_usable(c, node, type, rclass, now, pass == 0);
		if (e == NULL)
			e = entry_usable(c, node, 0, rclass, now, pass == 0);
	}
	if (e == NULL)
		return -ENOENT;
	if (!cp_rrc_alive(e, now))
		c->st.stale_hits++;
	if (stale != NULL)
		*stale = !cp_rrc_alive(e, now);
	cp_rrc_lru_touch(c, &e->pub);
	*out = &e->pub;
	return e->pub.kind;
}

void
cp_rrcache_stats(const struct cp_rrcache *c, struct cp_rrc_stats *out)
{
	*out = c->st;
}
