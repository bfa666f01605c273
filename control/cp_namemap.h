/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small open-addressing hash map from byte strings (lower-cased wire names)
 * to pointers, for the control plane's name-keyed tables (local data, local
 * zones). Linear probing, deletion by backward shift (no tombstones), grown
 * at 70% load; a random seed per map, so probe sequences cannot be predicted
 * from outside.
 *
 * The map stores the key pointer, not a copy: the key must stay valid and
 * unchanged while its entry is in the map (keep it inside the value).
 * Not thread-safe; each map has one owner (the control thread).
 */
#ifndef CP_NAMEMAP_H
#define CP_NAMEMAP_H

#include <stddef.h>
#include <stdint.h>

struct cp_nmap_slot {
	const uint8_t *key; /* NULL: empty slot */
	void *val;
	uint32_t hash;
	uint16_t key_len;
};

struct cp_nmap {
	struct cp_nmap_slot *slots;
	size_t mask; /* slot count - 1; the count is a power of two */
	size_t n;    /* entries */
	uint64_t seed;
};

/** Set up an empty map with room for about @p hint entries. @return 0 or -ENOMEM. */
int cp_nmap_init(struct cp_nmap *m, size_t hint);

/** Free the slots (not the values). */
void cp_nmap_fini(struct cp_nmap *m);

/** The value stored under @p key (@p len bytes), or NULL. */
void *cp_nmap_get(const struct cp_nmap *m, const uint8_t *key, size_t len);

/** Insert @p val under @p key. @return 0, -EEXIST (key present, map unchanged) or -ENOMEM. */
int cp_nmap_put(struct cp_nmap *m, const uint8_t *key, size_t len, void *val);

/** Remove @p key. @return its value, or NULL if it was not there. */
void *cp_nmap_del(struct cp_nmap *m, const uint8_t *key, size_t len);

/**
 * Iterate: start with *pos = 0; each call returns the next value and advances
 * *pos, NULL at the end. The map must not change during the iteration.
 */
void *cp_nmap_next(const struct cp_nmap *m, size_t *pos);

#endif /* CP_NAMEMAP_H */
