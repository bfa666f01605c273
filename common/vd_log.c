/* SPDX-License-Identifier: BSD-3-Clause */
/* Level-filtered logging to stderr, one write(2) per line so threads do not interleave. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vd_log.h"

static enum vd_log_level the_log_level = VD_LOG_INFO;

static const char *const level_names[] = {
	[VD_LOG_ERR] = "err",
	[VD_LOG_WARN] = "warn",
	[VD_LOG_INFO] = "info",
	[VD_LOG_DEBUG] = "debug",
};

VD_PRINTF(2, 0) static void
log_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "velodns: %s: ", prefix);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);

	if (m < 0)
		m = 0;
	n += VD_MIN(m, (int)(sizeof(line) - (size_t)n - 2));
	line[n++] = '\n';
	/* Best effort: nothing useful can be done if stderr is gone. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void
vd_log_set_level(enum vd_log_level level)
{
	the_log_level = level;
}

enum vd_log_level
vd_log_get_level(void)
{
	return the_log_level;
}

int
vd_log_level_parse(const char *name, enum vd_log_level *level)
{
	for (unsigned i = 0; i < VD_ARRAY_SIZE(level_names); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum vd_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void
vd_log(enum vd_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > the_log_level)
		return;
	va_start(ap, fmt);
	log_line(level_names[level], fmt, ap);
	va_end(ap);
}

void
vd_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("fatal", fmt, ap);
	va_end(ap);
	exit(1);
}
