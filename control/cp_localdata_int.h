/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the local-data store (cp_localdata.c: changes; cp_localdata_text.c:
 * records as text; cp_localdata_answer.c: lookups). Every name is stored
 * lower-cased in wire form, and is its node's hash key.
 */
#ifndef CP_LOCALDATA_INT_H
#define CP_LOCALDATA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_localdata.h"
#include "cp_namemap.h"
#include "vd_compiler.h"

struct ld_rrset {
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t n; /* records */
	uint16_t cap;
	struct dns_rdata *rd; /* rd[i].data is malloc'd, uncompressed, as given */
};

/*
 * A name: its RRsets, and how many names with data lie below it. A node with
 * no RRsets but names below is an empty non-terminal (RFC 8020: it exists);
 * a node with neither is deleted.
 */
struct ld_node {
	uint32_t below;
	uint16_t n_sets;
	uint16_t cap_sets;
	struct ld_rrset *sets;
	uint8_t name_len;
	uint8_t name[]; /* lower-cased wire name */
};

struct ld_zone {
	enum cp_lz_type type;
	uint8_t name_len;
	uint8_t name[];
};

struct cp_localdata {
	struct cp_nmap nodes; /* name -> struct ld_node */
	struct cp_nmap zones; /* apex -> struct ld_zone */
	size_t n_rr;
	uint64_t generation;
	void *scanner; /* zs_scanner_t, allocated at the first parse (it is ~200 KiB) */
};

/** Is @p len bytes at @p p valid RDATA for @p type (the types whose layout matters here)? */
bool ld_rdata_valid(uint16_t type, const uint8_t *p, size_t len);

/** Write a reason into @p err (may be NULL) and return -EINVAL. */
int ld_say(char *err, size_t errlen, const char *fmt, ...) VD_PRINTF(3, 4);

/** The node of the lower-cased name @p key, or NULL. */
static inline struct ld_node *
ld_node_get(const struct cp_localdata *ld, const uint8_t *key, size_t len)
{
	return cp_nmap_get(&ld->nodes, key, len);
}

/** The RRset of (@p type, @p rclass) at @p n, or NULL. */
static inline struct ld_rrset *
ld_node_rrset(const struct ld_node *n, uint16_t type, uint16_t rclass)
{
	for (uint16_t i = 0; i < n->n_sets; i++) {
		if (n->sets[i].type == type && n->sets[i].rclass == rclass)
			return &n->sets[i];
	}
	return NULL;
}

/** Does @p n hold any RRset of class @p rclass? */
static inline bool
ld_node_has_class(const struct ld_node *n, uint16_t rclass)
{
	for (uint16_t i = 0; i < n->n_sets; i++) {
		if (n->sets[i].rclass == rclass)
			return true;
	}
	return false;
}

#endif /* CP_LOCALDATA_INT_H */
