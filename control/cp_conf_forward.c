/* SPDX-License-Identifier: BSD-3-Clause */
/* The resolver.forward-zones list of the configuration, into a struct cp_forward. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cp_conf_int.h"
#include "cp_forward.h"
#include "dns_name.h"
#include "dns_present.h"

#define ZONE_KEYS "name, servers"

#define KEY_IS(k, name) (strcmp((k)->str, (name)) == 0)

/* The value of key @p name in map @p n, or NULL. */
static const struct cp_ynode *
map_get(const struct cp_ynode *n, const char *name)
{
	for (size_t i = 0; i < cp_ynode_count(n); i++)
		if (strcmp(n->keys[i]->str, name) == 0)
			return n->items[i];
	return NULL;
}

/* servers: [ADDR, ...], 1..CP_FWD_MAX_SERVERS distinct forwarders. */
static int
read_servers(struct cp_cctx *c, const struct cp_ynode *n, struct sockaddr_storage *out,
             unsigned *count)
{
	int rc = cp_want_seq(c, n);

	if (rc != 0)
		return rc;
	if (cp_ynode_count(n) == 0)
		return cp_cerr(c, n, "needs at least one forwarder address (ADDR or ADDR@PORT)");
	if (cp_ynode_count(n) > CP_FWD_MAX_SERVERS)
		return cp_cerr(c, n, "at most %d forwarders per zone", CP_FWD_MAX_SERVERS);
	for (size_t i = 0; i < n->n; i++) {
		size_t saved = cp_path_index(c, i);
		const char *text = NULL, *why;

		rc = cp_get_text(c, n->items[i], &text);
		if (rc != 0)
			return rc;
		if (cp_fwd_addr_parse(text, &out[i], &why) != 0)
			return cp_cerr(c, n->items[i], "\"%s\": %s", text, why);
		for (size_t j = 0; j < i; j++)
			if (memcmp(&out[j], &out[i], sizeof(out[i])) == 0)
				return cp_cerr(c, n->items[i],
				               "\"%s\" is listed twice (first at line %u)", text,
				               n->items[j]->line);
		cp_path_restore(c, saved);
	}
	*count = (unsigned)n->n;
	return 0;
}

/* One { name: ZONE, servers: [...] } into the table. */
static int
read_zone(struct cp_cctx *c, const struct cp_ynode *n, const struct cp_ynode *seq, size_t index)
{
	struct sockaddr_storage servers[CP_FWD_MAX_SERVERS];
	struct cp_forward *fwd = c->conf->resolver.forward;
	const struct cp_ynode *vname, *vservers;
	uint8_t name[DNS_NAME_MAXLEN];
	size_t saved = c->path_len;
	const char *text = NULL;
	unsigned n_servers = 0;
	int rc;

	if (n->kind != CP_YNODE_MAP)
		return cp_cerr(c, n, "expected a map { name: ZONE, servers: [ADDR, ...] }, got %s",
		               cp_ynode_kind_name(n->kind));
	for (size_t i = 0; i < n->n; i++) {
		if (!KEY_IS(n->keys[i], "name") && !KEY_IS(n->keys[i], "servers")) {
			cp_path_key(c, n->keys[i]->str);
			return cp_unknown_key(c, n->keys[i], ZONE_KEYS);
		}
	}
	vname = map_get(n, "name");
	vservers = map_get(n, "servers");
	if (vname == NULL || vservers == NULL) {
		cp_path_key(c, vname == NULL ? "name" : "servers");
		return cp_cerr(c, n, "required");
	}
	cp_path_key(c, "name");
	rc = cp_get_text(c, vname, &text);
	if (rc != 0)
		return rc;
	if (dns_name_from_text(text, name, sizeof(name)) < 0)
		return cp_cerr(c, vname, "\"%s\" is not a domain name", text);
	if (cp_forward_find(fwd, name) != NULL) {
		for (size_t j = 0; j < index; j++) {
			const struct cp_ynode *o = map_get(seq->items[j], "name");
			uint8_t other[DNS_NAME_MAXLEN];

			if (dns_name_from_text(o->str, other, sizeof(other)) > 0 &&
			    dns_name_equal(other, name))
				return cp_cerr(c, vname,
				               "zone %s is listed twice (first at line %u)", text,
				               seq->items[j]->line);
		}
	}
	cp_path_restore(c, saved);
	cp_path_key(c, "servers");
	rc = read_servers(c, vservers, servers, &n_servers);
	if (rc != 0)
		return rc;
	cp_path_restore(c, saved);
	rc = cp_forward_set(fwd, name, servers, n_servers);
	return rc < 0 ? rc : 0; /* -ENOMEM; the rest was checked above */
}

int
cp_conf_read_forward_zones(struct cp_cctx *c, const struct cp_ynode *n)
{
	int rc = cp_want_seq(c, n);

	if (rc != 0)
		return rc;
	if (cp_ynode_count(n) > CP_FWD_MAX_ZONES)
		return cp_cerr(c, n, "at most %d forward zones", CP_FWD_MAX_ZONES);
	if (c->conf->resolver.forward == NULL) {
		c->conf->resolver.forward = cp_forward_new();
		if (c->conf->resolver.forward == NULL)
			return -ENOMEM;
	}
	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		size_t saved = cp_path_index(c, i);

		rc = read_zone(c, n->items[i], n, i);
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	return rc;
}
