/* SPDX-License-Identifier: BSD-3-Clause */
/* Open-addressing hash map keyed by byte strings (see cp_namemap.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cp_namemap.h"
#include "vd_hash.h"

#define MIN_SLOTS 16

static uint64_t
random_seed(const void *salt)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	/* No entropy yet (early boot): not secret, but still differs between maps and runs. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)salt;
}

static size_t
slots_for(size_t entries)
{
	size_t n = MIN_SLOTS;

	while (n * 7 / 10 < entries + 1)
		n *= 2;
	return n;
}

int
cp_nmap_init(struct cp_nmap *m, size_t hint)
{
	size_t n = slots_for(hint);

	m->slots = calloc(n, sizeof(*m->slots));
	if (m->slots == NULL)
		return -ENOMEM;
	m->mask = n - 1;
	m->n = 0;
	m->seed = random_seed(m);
	return 0;
}

void
cp_nmap_fini(struct cp_nmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->mask = 0;
	m->n = 0;
}

static uint32_t
hash(const struct cp_nmap *m, const uint8_t *key, size_t len)
{
	return (uint32_t)vd_hash_bytes(key, len, m->seed);
}

/* Slot holding @p key, or the empty slot where it would go. */
static size_t
find(const struct cp_nmap *m, const uint8_t *key, size_t len, uint32_t h, bool *found)
{
	size_t i = h & m->mask;

	for (;;) {
		const struct cp_nmap_slot *s = &m->slots[i];

		if (s->key == NULL) {
			*found = false;
			return i;
		}
		if (s->hash == h && s->key_len == len && memcmp(s->key, key, len) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & m->mask;
	}
}

void *
cp_nmap_get(const struct cp_nmap *m, const uint8_t *key, size_t len)
{
	bool found;
	size_t i;

	if (m->slots == NULL)
		return NULL;
	i = find(m, key, len, hash(m, key, len), &found);
	return found ? m->slots[i].val : NULL;
}

static int
grow(struct cp_nmap *m)
{
	size_t n = (m->mask + 1) * 2;
	struct cp_nmap_slot *old = m->slots, *slots = calloc(n, sizeof(*slots));
	size_t old_n = m->mask + 1;

	if (slots == NULL)
		return -ENOMEM;
	m->slots = slots;
	m->mask = n - 1;
	for (size_t i = 0; i < old_n; i++) {
		bool found;

		if (old[i].key != NULL)
			slots[find(m, old[i].key, old[i].key_len, old[i].hash, &found)] = old[i];
	}
	free(old);
	return 0;
}

int
cp_nmap_put(struct cp_nmap *m, const uint8_t *key, size_t len, void *val)
{
	uint32_t h;
	bool found;
	size_t i;

	if (len > UINT16_MAX)
		return -EINVAL;
	if (m->slots == NULL && cp_nmap_init(m, 0) != 0)
		return -ENOMEM;
	if ((m->n + 1) * 10 > (m->mask + 1) * 7 && grow(m) != 0)
		return -ENOMEM;
	h = hash(m, key, len);
	i = find(m, key, len, h, &found);
	if (found)
		return -EEXIST;
	m->slots[i] = (struct cp_nmap_slot){
		.key = key, .val = val, .hash = h, .key_len = (uint16_t)len
	};
	m->n++;
	return 0;
}

void *
cp_nmap_del(struct cp_nmap *m, const uint8_t *key, size_t len)
{
	bool found;
	size_t i, j;
	void *val;

	if (m->slots == NULL)
		return NULL;
	i = find(m, key, len, hash(m, key, len), &found);
	if (!found)
		return NULL;
	val = m->slots[i].val;
	/*
	 * Backward shift: move later entries of the probe run into the hole when
	 * their home slot does not lie cyclically in (hole, their slot].
	 */
	for (j = (i + 1) & m->mask; m->slots[j].key != NULL; j = (j + 1) & m->mask) {
		size_t home = m->slots[j].hash & m->mask;
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);

		if (!stays) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i] = (struct cp_nmap_slot){ 0 };
	m->n--;
	return val;
}

void *
cp_nmap_next(const struct cp_nmap *m, size_t *pos)
{
	if (m->slots == NULL)
		return NULL;
	while (*pos <= m->mask) {
		const struct cp_nmap_slot *s = &m->slots[(*pos)++];

		if (s->key != NULL)
			return s->val;
	}
	return NULL;
}
