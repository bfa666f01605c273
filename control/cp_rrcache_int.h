/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the master cache (cp_rrcache.c: storing, lookups, eviction;
 * cp_rrcache_walk.c: delegations, flushes, the walk). Owner names are stored
 * lower-cased in wire form in their node, which is the hash key.
 */
#ifndef CP_RRCACHE_INT_H
#define CP_RRCACHE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_namemap.h"
#include "cp_rrcache.h"

/*
 * One entry, allocated as a single block:
 *   struct cp_rrc_entry | struct dns_rdata [n_rdata] | RDATA octets | SOA owner
 * pub comes first so a const struct cp_rrc_rrset * handed out converts back.
 */
struct cp_rrc_entry {
	struct cp_rrc_rrset pub;
	struct cp_rrc_node *node;
	struct cp_rrc_entry *next_in_node;
	struct cp_rrc_entry *lru_prev; /* towards the head (more recent) */
	struct cp_rrc_entry *lru_next; /* towards the tail (eviction end) */
	size_t size;                   /* bytes of the block, as accounted */
};

/* All entries at one owner name. Freed with its last entry. */
struct cp_rrc_node {
	struct cp_rrc_entry *entries;
	size_t size;
	uint8_t name_len;
	uint8_t name[]; /* lower-cased; the map's key points here */
};

struct cp_rrcache {
	struct cp_rrc_conf conf;
	struct cp_nmap map; /* lower-cased owner -> struct cp_rrc_node */
	struct cp_rrc_entry *lru_head;
	struct cp_rrc_entry *lru_tail;
	struct cp_rrc_stats st;
};

static inline bool
cp_rrc_alive(const struct cp_rrc_entry *e, uint64_t now)
{
	return now < e->pub.expire;
}

/* Expired, but within the stale window (RFC 8767): only a stale lookup returns it. */
static inline bool
cp_rrc_usable_stale(const struct cp_rrc_entry *e, uint64_t now, uint32_t max_age)
{
	return now < e->pub.expire + max_age;
}

static inline uint32_t
cp_rrc_remaining(const struct cp_rrc_rrset *e, uint64_t now)
{
	return now < e->expire ? (uint32_t)(e->expire - now) : 0;
}

static inline struct cp_rrc_node *
cp_rrc_node_find(const struct cp_rrcache *c, const uint8_t *lname, size_t len)
{
	return cp_nmap_get(&c->map, lname, len);
}

static inline struct cp_rrc_entry *
cp_rrc_node_entry(const struct cp_rrc_node *node, uint16_t type, uint16_t rclass)
{
	for (struct cp_rrc_entry *e = node->entries; e != NULL; e = e->next_in_node)
		if (e->pub.type == type && e->pub.rclass == rclass)
			return e;
	return NULL;
}

/** Move an entry a lookup found to the LRU head. */
void cp_rrc_lru_touch(struct cp_rrcache *c, const struct cp_rrc_rrset *pub);

/** Unlink and free @p e, and its node if it was the node's last entry. */
void cp_rrc_entry_free(struct cp_rrcache *c, struct cp_rrc_entry *e);

/** Lower-case and validate a name argument into @p lname. @return its length or -EINVAL. */
int cp_rrc_scan_name(const uint8_t *name, uint8_t *lname);

#endif /* CP_RRCACHE_INT_H */
