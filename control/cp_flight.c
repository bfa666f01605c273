/* SPDX-License-Identifier: BSD-3-Clause */
/* The in-flight table: a chained hash of questions being answered, each with its waiters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cp_flight.h"
#include "vd_hash.h"

struct cp_flight_table {
	unsigned mask;          /* buckets - 1 */
	unsigned count;
	unsigned max_flights;
	unsigned max_waiters;
	uint64_t seed;
	struct cp_flight **buckets;
};

static unsigned
bucket_of(const struct cp_flight_table *t, const struct dns_key *key)
{
	return (unsigned)vd_hash_bytes(key->bytes, key->len, t->seed) & t->mask;
}

static bool
key_equal(const struct dns_key *a, const struct dns_key *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

struct cp_flight_table *
cp_flight_table_create(unsigned max_flights, unsigned max_waiters)
{
	struct cp_flight_table *t = calloc(1, sizeof(*t));
	unsigned n = 64;

	if (t == NULL)
		return NULL;
	while (n < max_flights && n < (1u << 24))
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (t->buckets == NULL) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	t->max_flights = max_flights;
	t->max_waiters = max_waiters;
	if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ VD_HASH_K1;
	return t;
}

void
cp_flight_free(struct cp_flight *f)
{
	struct cp_waiter *w = f->waiters;

	while (w != NULL) {
		struct cp_waiter *next = w->next;
		free(w);
		w = next;
	}
	free(f);
}

void
cp_flight_table_destroy(struct cp_flight_table *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i <= t->mask; i++) {
		struct cp_flight *f = t->buckets[i];
		while (f != NULL) {
			struct cp_flight *next = f->hash_next;
			cp_flight_free(f);
			f = next;
		}
	}
	free(t->buckets);
	free(t);
}

struct cp_flight *
cp_flight_find(struct cp_flight_table *t, const struct dns_key *key)
{
	struct cp_flight *f = t->buckets[bucket_of(t, key)];

	while (f != NULL && !key_equal(&f->key, key))
		f = f->hash_next;
	return f;
}

struct cp_flight *
cp_flight_join(struct cp_flight_table *t, const struct dns_key *key, const struct cp_waiter *w,
	       uint64_t now_ns, bool *started)
{
	struct cp_flight *f = cp_flight_find(t, key);
	struct cp_waiter *copy;

	*started = false;
	if (f != NULL && f->n_waiters >= t->max_waiters) {
		errno = EMLINK;
		return NULL;
	}
	if (f == NULL && t->count >= t->max_flights) {
		errno = ENOSPC;
		return NULL;
	}
	copy = malloc(sizeof(*copy));
	if (copy == NULL)
		return NULL;
	*copy = *w;
	if (f == NULL) {
		unsigned b = bucket_of(t, key);
		f = calloc(1, sizeof(*f));
		if (f == NULL) {
			free(copy);
			return NULL;
		}
		f->key = *key;
		f->started_ns = now_ns;
		f->hash_next = t->buckets[b];
		t->buckets[b] = f;
		t->count++;
		*started = true;
	}
	copy->next = f->waiters;
	f->waiters = copy;
	f->n_waiters++;
	if (w->kind == CP_WAITER_UDP && w->worker < CP_FLIGHT_MAX_WORKERS)
		f->worker_mask[w->worker / 64] |= 1ULL << (w->worker % 64);
	return f;
}

struct cp_flight *
cp_flight_open(struct cp_flight_table *t, const struct dns_key *key, unsigned worker,
	       uint64_t now_ns, bool *started)
{
	struct cp_flight *f = cp_flight_find(t, key);

	*started = false;
	if (f == NULL) {
		unsigned b = bucket_of(t, key);

		if (t->count >= t->max_flights) {
			errno = ENOSPC;
			return NULL;
		}
		f = calloc(1, sizeof(*f));
		if (f == NULL)
			return NULL;
		f->key = *key;
		f->started_ns = now_ns;
		f->hash_next = t->buckets[b];
		t->buckets[b] = f;
		t->count++;
		*started = true;
	}
	if (worker < CP_FLIGHT_MAX_WORKERS)
		f->worker_mask[worker / 64] |= 1ULL << (worker % 64);
	return f;
}

void
cp_flight_remove(struct cp_flight_table *t, struct cp_flight *f)
{
	struct cp_flight **pp = &t->buckets[bucket_of(t, &f->key)];

	while (*pp != NULL && *pp != f)
		pp = &(*pp)->hash_next;
	if (*pp == f) {
		*pp = f->hash_next;
		t->count--;
	}
	f->hash_next = NULL;
}

unsigned
cp_flight_cancel_conn(struct cp_flight_table *t, const struct cp_tcp_conn *conn)
{
	unsigned n = 0;

	for (unsigned i = 0; i <= t->mask; i++) {
		for (struct cp_flight *f = t->buckets[i]; f != NULL; f = f->hash_next) {
			struct cp_waiter **pp = &f->waiters;
			while (*pp != NULL) {
				struct cp_waiter *w = *pp;
				if (w->kind == CP_WAITER_TCP && w->conn == conn) {
					*pp = w->next;
					free(w);
					f->n_waiters--;
					n++;
				} else {
					pp = &w->next;
				}
			}
		}
	}
	return n;
}

unsigned
cp_flight_count(const struct cp_flight_table *t)
{
	return t->count;
}
