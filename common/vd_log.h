/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging for setup and the control thread. Never called per packet on a worker:
 * the hot path counts instead (see dp_stats). Messages go to stderr with a level
 * prefix; the level threshold is process-wide and set once at start.
 */
#ifndef VD_LOG_H
#define VD_LOG_H

#include <stdarg.h>

#include "vd_compiler.h"

enum vd_log_level {
	VD_LOG_ERR = 0,
	VD_LOG_WARN,
	VD_LOG_INFO,
	VD_LOG_DEBUG,
};

/** Set the most verbose level printed. Call before starting threads. */
void vd_log_set_level(enum vd_log_level level);

/** Current threshold. */
enum vd_log_level vd_log_get_level(void);

/**
 * Parse a level name ("err", "warn", "info", "debug").
 * @return 0 and *level set, or -EINVAL for an unknown name.
 */
int vd_log_level_parse(const char *name, enum vd_log_level *level);

/** Print one line at @p level if the threshold allows it. Thread-safe (one write(2)). */
void vd_log(enum vd_log_level level, const char *fmt, ...) VD_PRINTF(2, 3);

/** Print a fatal message and exit(1). For start-up errors only. */
VD_NORETURN void vd_fatal(const char *fmt, ...) VD_PRINTF(1, 2);

#define VD_ERR(...)   vd_log(VD_LOG_ERR, __VA_ARGS__)
#define VD_WARN(...)  vd_log(VD_LOG_WARN, __VA_ARGS__)
#define VD_INFO(...)  vd_log(VD_LOG_INFO, __VA_ARGS__)
#define VD_DEBUG(...) vd_log(VD_LOG_DEBUG, __VA_ARGS__)

#endif /* VD_LOG_H */
