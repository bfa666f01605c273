/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pushing to the workers: templates as shared blobs (see dp_msg.h for their
 * reference protocol) and fill messages on each worker's fill ring. A full ring
 * never blocks the control thread and never loses a message: fills wait in a
 * per-worker backlog, retried on every tick, up to a bound past which they are
 * dropped and counted.
 *
 * Owner: the control thread.
 */
#ifndef CP_PUSH_H
#define CP_PUSH_H

#include <stdint.h>

#include "dns_query.h"
#include "dns_template.h"
#include "dp_msg.h"

struct rte_ring;
struct cp_push;

struct cp_push_stats {
	uint64_t fills;          /* fill messages enqueued */
	uint64_t backlogged;     /* of those, how many waited for room first */
	uint64_t dropped;        /* backlog full: lost */
	uint64_t blobs_live;
	uint64_t blobs_made;
};

/**
 * @param fill_rings fill_rings[i] is worker i's fill ring (SP: this thread)
 * @param max_backlog fills kept per worker while its ring is full
 */
struct cp_push *cp_push_create(unsigned n_workers, struct rte_ring *const *fill_rings,
			       unsigned max_backlog);

/** Free backlogs and every blob. Workers must have stopped. */
void cp_push_destroy(struct cp_push *p);

/**
 * Make a blob from template @p t (@p t->total_len bytes) for @p key, cached by
 * workers for @p ttl seconds (0: serve only). It is freed by cp_push_tick() once
 * no fill names it. @return the blob, or NULL (ENOMEM).
 */
struct dp_blob *cp_push_blob(struct cp_push *p, const struct dns_key *key,
			     const struct dns_template *t, uint32_t ttl);

/**
 * Send @p f to worker @p worker; if f->blob is set, a reference is taken for it.
 * @return 0, or -ENOBUFS when the message was dropped (backlog full).
 */
int cp_push_fill(struct cp_push *p, unsigned worker, const struct dp_fill *f);

/** Retry backlogs and free blobs nobody holds any more. Call often (each loop tick). */
void cp_push_tick(struct cp_push *p);

/** Fills waiting in backlogs, all workers. */
unsigned cp_push_backlog(const struct cp_push *p);

void cp_push_get_stats(const struct cp_push *p, struct cp_push_stats *s);

#endif /* CP_PUSH_H */
