/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two tiers of invariant checks (after Knot Resolver's kr_require/kr_fails_assert):
 * VD_REQUIRE aborts, always, for states the process cannot continue from;
 * VD_CHECK logs (rate-limited) and yields true on failure so the caller recovers.
 * Neither compiles away with NDEBUG.
 */
#ifndef VD_ASSERT_H
#define VD_ASSERT_H

#include <stdbool.h>

#include "vd_compiler.h"

VD_NORETURN void vd_assert_fail(const char *expr, const char *file, int line);
bool vd_check_fail(const char *expr, const char *file, int line);

#define VD_REQUIRE(x) ((void)(likely(x) ? 0 : (vd_assert_fail(#x, __FILE__, __LINE__), 0)))
#define VD_CHECK(x)   (unlikely(!(x)) ? vd_check_fail(#x, __FILE__, __LINE__) : false)

#endif /* VD_ASSERT_H */
