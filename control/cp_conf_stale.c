/* SPDX-License-Identifier: BSD-3-Clause */
/* The resolver section's serve-stale (RFC 8767) and prefetch keys (cp_conf.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cp_conf_int.h"

/* Bounds. RFC 8767 5 suggests keeping stale data 1 to 3 days and caps it at 7. */
#define STALE_MAX_AGE_MAX_S       (7u * 86400)
#define STALE_ANSWER_TTL_MAX_S    3600
#define STALE_CLIENT_TIMEOUT_MAX_MS 10000 /* past the iterator's 8 s bound it never fires */

static int
read_seconds(struct cp_cctx *c, const struct cp_ynode *v, uint64_t min_s, uint64_t max_s,
             uint32_t *out)
{
	uint64_t ms;
	int rc = cp_get_duration_ms(c, v, min_s * 1000, max_s * 1000, &ms);

	if (rc != 0)
		return rc;
	if (ms % 1000 != 0)
		return cp_cerr(c, v, "\"%s\": whole seconds only", v->str);
	*out = (uint32_t)(ms / 1000);
	return 0;
}

/* "off" (or false, no) turns the client timer off: stale answers only on failure. */
static int
read_client_timeout(struct cp_cctx *c, const struct cp_ynode *v, uint32_t *out)
{
	uint64_t ms;
	int rc;

	if (v->kind == CP_YNODE_SCALAR && v->str != NULL &&
	    (strcmp(v->str, "off") == 0 || strcmp(v->str, "false") == 0 ||
	     strcmp(v->str, "no") == 0)) {
		*out = 0;
		return 0;
	}
	rc = cp_get_duration_ms(c, v, 0, STALE_CLIENT_TIMEOUT_MAX_MS, &ms);
	if (rc == 0)
		*out = (uint32_t)ms;
	return rc;
}

void
cp_conf_stale_defaults(struct cp_resolver_conf *r)
{
	r->serve_stale = true;
	r->stale_max_age = 86400;
	r->stale_answer_ttl = 30;
	r->stale_client_timeout_ms = 1800;
	r->prefetch = true;
}

int
cp_conf_stale_key(struct cp_cctx *c, const struct cp_ynode *k, const struct cp_ynode *v,
                  struct cp_resolver_conf *r)
{
	if (strcmp(k->str, "serve-stale") == 0)
		return cp_get_bool(c, v, &r->serve_stale);
	if (strcmp(k->str, "stale-max-age") == 0)
		return read_seconds(c, v, 1, STALE_MAX_AGE_MAX_S, &r->stale_max_age);
	if (strcmp(k->str, "stale-answer-ttl") == 0)
		return read_seconds(c, v, 1, STALE_ANSWER_TTL_MAX_S, &r->stale_answer_ttl);
	if (strcmp(k->str, "stale-client-timeout") == 0)
		return read_client_timeout(c, v, &r->stale_client_timeout_ms);
	if (strcmp(k->str, "prefetch") == 0)
		return cp_get_bool(c, v, &r->prefetch);
	return -ENOENT;
}
