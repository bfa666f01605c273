/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the punt doorbell (dataplane/dp_doorbell.h). */
#include <pthread.h>
#include <stdatomic.h>

#include <criterion/criterion.h>

#include "dp_doorbell.h"

static atomic_uint wakes;

static void
count_wake(void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&wakes, 1);
}

static struct dp_doorbell bell = { .wake = count_wake };

static void
reset(void)
{
	atomic_store(&wakes, 0);
	atomic_store(&bell.asleep, false);
}

TestSuite(dp_doorbell, .init = reset);

Test(dp_doorbell, awake_control_thread_is_not_woken)
{
	for (int i = 0; i < 100; i++)
		dp_doorbell_ring(&bell);
	cr_assert_eq(atomic_load(&wakes), 0);
}

Test(dp_doorbell, sleeping_control_thread_is_woken_once)
{
	dp_doorbell_sleep(&bell);
	for (int i = 0; i < 100; i++)
		dp_doorbell_ring(&bell);
	cr_assert_eq(atomic_load(&wakes), 1, "the first ring takes the flag down");
	cr_assert_not(atomic_load(&bell.asleep));
	dp_doorbell_sleep(&bell);
	dp_doorbell_awake(&bell);
	dp_doorbell_ring(&bell);
	cr_assert_eq(atomic_load(&wakes), 1, "woken by something else: no ring needed");
}

/* Four workers ring at once while the flag is up: exactly one wake-up. */
static void *
ringer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++)
		dp_doorbell_ring(&bell);
	return NULL;
}

Test(dp_doorbell, concurrent_rings_wake_once)
{
	pthread_t t[4];

	dp_doorbell_sleep(&bell);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, ringer, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(atomic_load(&wakes), 1);
}
