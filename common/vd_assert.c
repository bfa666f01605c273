/* SPDX-License-Identifier: BSD-3-Clause */
/* Failure paths of VD_REQUIRE and VD_CHECK. */
#include <stdatomic.h>
#include <stdlib.h>

#include "vd_assert.h"
#include "vd_log.h"

/* After this many reports, VD_CHECK failures are only counted, not logged. */
#define CHECK_LOG_LIMIT 100

static atomic_uint the_check_failures;

void
vd_assert_fail(const char *expr, const char *file, int line)
{
	VD_ERR("%s:%d: requirement failed: %s", file, line, expr);
	abort();
}

bool
vd_check_fail(const char *expr, const char *file, int line)
{
	unsigned n = atomic_fetch_add_explicit(&the_check_failures, 1, memory_order_relaxed);

	if (n < CHECK_LOG_LIMIT)
		VD_ERR("%s:%d: check failed: %s", file, line, expr);
	return true;
}
