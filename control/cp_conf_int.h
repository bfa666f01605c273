/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the configuration loader: the walk context (file name, field path,
 * error buffer) and the typed readers of YAML nodes shared by cp_conf*.c.
 * Every reader returns 0, or -EINVAL after writing one message
 * "FILE:LINE:COL: PATH: ..." naming the node it refused, or -ENOMEM.
 */
#ifndef CP_CONF_INT_H
#define CP_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_conf.h"
#include "cp_yaml.h"
#include "vd_compiler.h"

#define CP_PATH_MAX 256

struct cp_cctx {
	const char *file;
	char *err;
	size_t errlen;
	char path[CP_PATH_MAX]; /* field path of the node being read: "ports[0].queues" */
	size_t path_len;
	struct cp_conf *conf;
	const struct cp_ynode *root;   /* the document, for errors about missing keys */
	const struct cp_ynode *lcores; /* workers.lcores if given, for cross-section errors */
};

/** Write the message for @p at (NULL: no position) and return -EINVAL. */
int cp_cerr(struct cp_cctx *c, const struct cp_ynode *at, const char *fmt, ...) VD_PRINTF(3, 4);

/** Append ".key" (or "key" at the top) to the path; returns the length to restore. */
size_t cp_path_key(struct cp_cctx *c, const char *key);
/** Append "[i]"; returns the length to restore. */
size_t cp_path_index(struct cp_cctx *c, size_t i);
/** Restore the path to @p len bytes. */
void cp_path_restore(struct cp_cctx *c, size_t len);

/** 0 if @p n is a map (or null: an empty map), else an error "expected a map, got ...". */
int cp_want_map(struct cp_cctx *c, const struct cp_ynode *n);
/** 0 if @p n is a list (or null: an empty list). */
int cp_want_seq(struct cp_cctx *c, const struct cp_ynode *n);
/** Items of a map or list, 0 for null. */
static inline size_t
cp_ynode_count(const struct cp_ynode *n)
{
	return n->kind == CP_YNODE_SCALAR ? 0 : n->n;
}

/** The error for a key the schema does not know, listing the keys it does. */
int cp_unknown_key(struct cp_cctx *c, const struct cp_ynode *key, const char *known);

/** A non-empty scalar, as a copy the caller frees. */
int cp_get_str(struct cp_cctx *c, const struct cp_ynode *n, char **out);
/** A scalar's text, non-empty (pointer into the tree). */
int cp_get_text(struct cp_cctx *c, const struct cp_ynode *n, const char **out);
/** A decimal integer in [min, max]. */
int cp_get_uint(struct cp_cctx *c, const struct cp_ynode *n, uint64_t min, uint64_t max,
                uint64_t *out);
int cp_get_bool(struct cp_cctx *c, const struct cp_ynode *n, bool *out);
/** A size in bytes, "256M", in [min, max]. */
int cp_get_size(struct cp_cctx *c, const struct cp_ynode *n, uint64_t min, uint64_t max,
                uint64_t *out);
/** A duration in milliseconds, "10s", "1m30s", "500ms", plain seconds; in [min, max]. */
int cp_get_duration_ms(struct cp_cctx *c, const struct cp_ynode *n, uint64_t min_ms,
                       uint64_t max_ms, uint64_t *out);
/** An address "ADDR", or "ADDR/LEN" when @p len is not NULL (then *len = -1 if absent). */
int cp_get_addr(struct cp_cctx *c, const struct cp_ynode *n, struct cp_addr *out, int *len);
/** A prefix "ADDR/LEN" or a bare address (a host prefix); host bits must be zero. */
int cp_get_prefix(struct cp_cctx *c, const struct cp_ynode *n, struct cp_prefix *out);

/** Text for a size, exact: "256M", "1G", "1536K", "100". */
void cp_size_text(uint64_t bytes, char *out, size_t cap);
/** Text for a duration in ms, exact: "10s", "1h", "500ms". */
void cp_duration_text(uint64_t ms, char *out, size_t cap);

bool cp_addr_equal(const struct cp_addr *a, const struct cp_addr *b);
/** Does @p p contain @p a? */
bool cp_prefix_contains(const struct cp_prefix *p, const struct cp_addr *a);
/** Clear the host bits of @p a beyond @p len. */
void cp_addr_mask(struct cp_addr *a, unsigned len);

/* Sections (cp_conf_ports.c, cp_conf_local.c, cp_conf_resolver.c, cp_conf_forward.c). */
int cp_conf_read_ports(struct cp_cctx *c, const struct cp_ynode *n);
int cp_conf_read_acl(struct cp_cctx *c, const struct cp_ynode *n);
int cp_conf_default_acl(struct cp_conf *conf);
int cp_conf_read_local_zones(struct cp_cctx *c, const struct cp_ynode *n);
int cp_conf_read_local_data(struct cp_cctx *c, const struct cp_ynode *n);
/* cp_conf_resolver.c */
void cp_conf_resolver_defaults(struct cp_resolver_conf *r);
int cp_conf_read_resolver(struct cp_cctx *c, const struct cp_ynode *n);
/* resolver.forward-zones (cp_conf_forward.c), into c->conf->resolver.forward. */
int cp_conf_read_forward_zones(struct cp_cctx *c, const struct cp_ynode *n);

/* cp_conf_stale.c: the resolver section's serve-stale and prefetch keys. */
#define CP_CONF_STALE_KEYS \
	"serve-stale, stale-max-age, stale-answer-ttl, stale-client-timeout, prefetch"

/** Their defaults (RFC 8767; see cp_conf.h). */
void cp_conf_stale_defaults(struct cp_resolver_conf *r);

/**
 * Read key @p k with value @p v if it is one of CP_CONF_STALE_KEYS.
 * @return 0, -EINVAL (message written), or -ENOENT: not one of them.
 */
int cp_conf_stale_key(struct cp_cctx *c, const struct cp_ynode *k, const struct cp_ynode *v,
                      struct cp_resolver_conf *r);

#endif /* CP_CONF_INT_H */
