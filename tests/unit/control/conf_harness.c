/* SPDX-License-Identifier: BSD-3-Clause */
/* Loading configuration text for the cp_conf suites (see conf_harness.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "conf_harness.h"

struct cp_conf conf;
char conf_err[CP_CONF_ERRLEN];

void
conf_teardown(void)
{
	cp_conf_free(&conf);
}

int
load(const char *yaml)
{
	memset(conf_err, 0, sizeof(conf_err));
	return cp_conf_load_string(yaml, strlen(yaml), "velodns.conf", &conf, conf_err,
	                           sizeof(conf_err));
}

void
load_ok(const char *yaml)
{
	int rc = load(yaml);

	cr_assert_eq(rc, 0, "load: %d: %s\n--- file:\n%s", rc, conf_err, yaml);
}

void
expect_error(const char *yaml, const char *want)
{
	int rc = load(yaml);

	cr_assert_eq(rc, -EINVAL, "load: %d, want -EINVAL (%s)\n--- file:\n%s", rc, conf_err, yaml);
	cr_assert_str_eq(conf_err, want, "\n got: %s\nwant: %s\n--- file:\n%s", conf_err, want,
	                 yaml);
	cr_assert_null(conf.path, "a failed load leaves nothing to free");
}

/* @p head followed by @p tail in a buffer the caller frees. */
static char *
joined(const char *head, const char *tail)
{
	size_t len = strlen(head) + strlen(tail) + 1;
	char *s = malloc(len);

	if (s == NULL)
		abort();
	snprintf(s, len, "%s%s", head, tail);
	return s;
}

void
expect_error_after_base(const char *extra, const char *want)
{
	char *yaml = joined(BASE, extra);

	expect_error(yaml, want);
	free(yaml);
}

void
load_resolver_ok(const char *keys)
{
	char *yaml = joined(BASE "resolver:\n", keys);

	load_ok(yaml);
	free(yaml);
}

void
expect_resolver_error(const char *keys, const char *want)
{
	char *yaml = joined(BASE "resolver:\n", keys);

	expect_error(yaml, want);
	free(yaml);
}
