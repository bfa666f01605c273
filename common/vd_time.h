/* SPDX-License-Identifier: BSD-3-Clause */
/* Clocks: the monotonic clock for the control thread and a TSC reader for timing. */
#ifndef VD_TIME_H
#define VD_TIME_H

#include <stdint.h>
#include <time.h>

/** Monotonic time in nanoseconds. */
static inline uint64_t
vd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/** Monotonic time in whole seconds, the unit of cache ages and expiries. */
static inline uint32_t
vd_now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint32_t)ts.tv_sec;
}

/** Time-stamp counter; only differences on one core mean anything. */
static inline uint64_t
vd_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
#else
	return vd_now_ns();
#endif
}

#endif /* VD_TIME_H */
