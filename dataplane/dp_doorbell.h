/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The punt doorbell: workers ring it after a burst that punted, so a control
 * thread asleep in its event loop wakes at once instead of at its next tick
 * (1 ms: half a millisecond on every miss on average).
 *
 * No syscall while the control thread is awake: it raises `asleep` just before
 * its loop may block and checks the punt rings once more after that; a worker
 * reads `asleep` after its enqueue and only then wakes it, the first worker to
 * see the flag taking it down. Both sides order "write my side, then read the
 * other's" with a full fence (store-load, as in Dekker's algorithm), so either the
 * control thread's last check sees the punt or the worker sees the flag.
 *
 * Owner: the control thread (creates it, sets wake and ctx before workers launch,
 * raises asleep); workers only lower asleep and call wake. Lives as long as the
 * workers run.
 */
#ifndef DP_DOORBELL_H
#define DP_DOORBELL_H

#include <stdatomic.h>
#include <stdbool.h>

struct dp_doorbell {
	atomic_bool asleep;       /* the control thread may be blocked in its loop */
	void (*wake)(void *ctx);  /* thread-safe wake-up (e.g. uv_async_send) */
	void *ctx;
};

/** Worker side, after enqueuing punts: wake the control thread if it sleeps. */
static inline void
dp_doorbell_ring(struct dp_doorbell *b)
{
	atomic_thread_fence(memory_order_seq_cst); /* the enqueue before the flag's read */
	if (__builtin_expect(atomic_load_explicit(&b->asleep, memory_order_relaxed), 0) &&
	    atomic_exchange_explicit(&b->asleep, false, memory_order_relaxed))
		b->wake(b->ctx);
}

/**
 * Control side, before its loop may block: raise the flag. The caller must then
 * check the punt rings once more (what was enqueued before the flag went up
 * rang no bell).
 */
static inline void
dp_doorbell_sleep(struct dp_doorbell *b)
{
	atomic_store_explicit(&b->asleep, true, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst); /* the flag before the rings' read */
}

/** Control side, awake again: workers need not ring. */
static inline void
dp_doorbell_awake(struct dp_doorbell *b)
{
	atomic_store_explicit(&b->asleep, false, memory_order_relaxed);
}

#endif /* DP_DOORBELL_H */
