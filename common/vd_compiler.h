/* SPDX-License-Identifier: BSD-3-Clause */
/* Compiler helpers shared by every layer: branch hints, prefetch, attributes. */
#ifndef VD_COMPILER_H
#define VD_COMPILER_H

#ifndef likely
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define VD_UNUSED       __attribute__((unused))
#define VD_NORETURN     __attribute__((noreturn))
#define VD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define VD_WARN_UNUSED  __attribute__((warn_unused_result))
#define VD_ALIGNED(n)   __attribute__((aligned(n)))

#define VD_CACHE_LINE 64

#define VD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VD_MIN(a, b)     ((a) < (b) ? (a) : (b))
#define VD_MAX(a, b)     ((a) > (b) ? (a) : (b))

/* Prefetch for reading into all cache levels (as rte_prefetch0). */
#define vd_prefetch0(p) __builtin_prefetch((p), 0, 3)

#endif /* VD_COMPILER_H */
