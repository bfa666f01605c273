/* SPDX-License-Identifier: BSD-3-Clause */
/* The master cache by name: closest delegation, flushes, purge and the walk (cp_rrcache.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cp_rrcache_int.h"
#include "dns_name.h"
#include "dns_wire.h"

/* Append the unexpired A and AAAA RRsets at @p name to @p glue. */
static size_t
add_glue(struct cp_rrcache *c, const uint8_t *lname, size_t len, uint16_t rclass, uint64_t now,
         const struct cp_rrc_rrset **glue, size_t n, size_t cap)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	struct cp_rrc_node *node = cp_rrc_node_find(c, lname, len);

	for (size_t t = 0; node != NULL && t < 2 && n < cap; t++) {
		struct cp_rrc_entry *e = cp_rrc_node_entry(node, types[t], rclass);

		if (e != NULL && e->pub.kind == CP_RRC_POSITIVE && cp_rrc_alive(e, now)) {
			cp_rrc_lru_touch(c, &e->pub);
			glue[n++] = &e->pub;
		}
	}
	return n;
}

int
cp_rrcache_closest_ns(struct cp_rrcache *c, const uint8_t *qname, uint16_t rclass, uint64_t now,
                      struct cp_rrc_deleg *out, const struct cp_rrc_rrset **glue, size_t glue_cap)
{
	uint8_t lname[DNS_NAME_MAXLEN], target[DNS_NAME_MAXLEN];
	int len = cp_rrc_scan_name(qname, lname);
	struct cp_rrc_entry *ns = NULL;
	size_t off = 0, n = 0;

	if (len < 0)
		return -EINVAL;
	/* Walk up one label at a time: each suffix of a lower-cased name is a lower-cased key. */
	for (;;) {
		struct cp_rrc_node *node = cp_rrc_node_find(c, lname + off, (size_t)len - off);

		if (node != NULL) {
			ns = cp_rrc_node_entry(node, DNS_TYPE_NS, rclass);
			if (ns != NULL &&
			    (ns->pub.kind != CP_RRC_POSITIVE || !cp_rrc_alive(ns, now)))
				ns = NULL;
		}
		if (ns != NULL || lname[off] == 0)
			break;
		off += (size_t)lname[off] + 1;
	}
	if (ns == NULL)
		return -ENOENT;
	cp_rrc_lru_touch(c, &ns->pub);
	for (uint16_t i = 0; i < ns->pub.n_rdata && n < glue_cap; i++) {
		const struct dns_rdata *rd = &ns->pub.rdata[i];
		int tlen = dns_name_scan(rd->data, rd->len, target);

		/* Only addresses inside the delegated zone are glue (in bailiwick). */
		if (tlen <= 0 || (size_t)tlen != rd->len ||
		    !dns_name_in_zone(target, ns->pub.owner))
			continue;
		n = add_glue(c, target, (size_t)tlen, rclass, now, glue, n, glue_cap);
	}
	out->ns = &ns->pub;
	out->ttl = cp_rrc_remaining(&ns->pub, now);
	out->n_glue = n;
	return 0;
}

void
cp_rrcache_rrset_in(const struct cp_rrc_rrset *e, uint64_t now, enum dns_section section,
                    struct dns_rrset_in *out)
{
	bool pos = e->kind == CP_RRC_POSITIVE;

	out->owner = pos ? e->owner : e->soa_owner;
	out->type = pos ? e->type : DNS_TYPE_SOA;
	out->rclass = e->rclass;
	out->ttl = cp_rrc_remaining(e, now);
	out->section = (uint8_t)section;
	out->n_rdata = e->n_rdata;
	out->rdata = e->rdata;
}

int
cp_rrcache_flush_name(struct cp_rrcache *c, const uint8_t *name)
{
	uint8_t lname[DNS_NAME_MAXLEN];
	int len = cp_rrc_scan_name(name, lname), n = 0;
	struct cp_rrc_node *node;

	if (len < 0)
		return -EINVAL;
	node = cp_rrc_node_find(c, lname, (size_t)len);
	while (node != NULL) {
		bool last = node->entries->next_in_node == NULL;

		cp_rrc_entry_free(c, node->entries);
		n++;
		if (last)
			break;
	}
	return n;
}

int
cp_rrcache_flush_zone(struct cp_rrcache *c, const uint8_t *zone)
{
	uint8_t lzone[DNS_NAME_MAXLEN];
	struct cp_rrc_entry *e, *next;
	int n = 0;

	if (cp_rrc_scan_name(zone, lzone) < 0)
		return -EINVAL;
	/* The LRU list holds every entry, and freeing one does not disturb the others. */
	for (e = c->lru_head; e != NULL; e = next) {
		next = e->lru_next;
		if (dns_name_in_zone(e->pub.owner, lzone)) {
			cp_rrc_entry_free(c, e);
			n++;
		}
	}
	return n;
}

size_t
cp_rrcache_flush_all(struct cp_rrcache *c)
{
	size_t n = 0;

	while (c->lru_head != NULL) {
		cp_rrc_entry_free(c, c->lru_head);
		n++;
	}
	return n;
}

size_t
cp_rrcache_purge_expired(struct cp_rrcache *c, uint64_t now)
{
	struct cp_rrc_entry *e, *next;
	size_t n = 0;

	for (e = c->lru_head; e != NULL; e = next) {
		next = e->lru_next;
		if (!cp_rrc_usable_stale(e, now, c->conf.stale_max_age)) {
			cp_rrc_entry_free(c, e);
			c->st.expired++;
			n++;
		}
	}
	return n;
}

int
cp_rrcache_walk(const struct cp_rrcache *c, cp_rrc_walk_fn fn, void *arg)
{
	for (const struct cp_rrc_entry *e = c->lru_head; e != NULL; e = e->lru_next) {
		int rc = fn(&e->pub, arg);

		if (rc != 0)
			return rc;
	}
	return 0;
}
