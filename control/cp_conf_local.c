/* SPDX-License-Identifier: BSD-3-Clause */
/* The local-zones and local-data sections of the configuration, into a struct cp_localdata. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cp_conf_int.h"
#include "cp_localdata.h"
#include "dns_name.h"
#include "dns_present.h"

#define ZONE_KEYS "name, type"
/* Records longer than this are cut in messages. */
#define RECORD_QUOTE_MAX 80

#define KEY_IS(k, name) (strcmp((k)->str, (name)) == 0)

/* The value of key @p name in map @p n, or NULL. */
static const struct cp_ynode *
map_get(const struct cp_ynode *n, const char *name)
{
	for (size_t i = 0; i < cp_ynode_count(n); i++) {
		if (strcmp(n->keys[i]->str, name) == 0)
			return n->items[i];
	}
	return NULL;
}

static int
read_zone(struct cp_cctx *c, const struct cp_ynode *n, uint8_t *name, enum cp_lz_type *type)
{
	const struct cp_ynode *vname, *vtype;
	size_t saved = c->path_len;
	const char *text;
	int rc;

	if (n->kind != CP_YNODE_MAP)
		return cp_cerr(c, n,
		               "expected a map { name: ZONE, type: static|transparent|refuse },"
		               " got %s",
		               cp_ynode_kind_name(n->kind));
	for (size_t i = 0; i < n->n; i++) {
		const struct cp_ynode *k = n->keys[i];

		if (!KEY_IS(k, "name") && !KEY_IS(k, "type")) {
			cp_path_key(c, k->str);
			return cp_unknown_key(c, k, ZONE_KEYS);
		}
	}
	vname = map_get(n, "name");
	vtype = map_get(n, "type");
	if (vname == NULL || vtype == NULL) {
		cp_path_key(c, vname == NULL ? "name" : "type");
		return cp_cerr(c, n, "required");
	}
	cp_path_key(c, "name");
	rc = cp_get_text(c, vname, &text);
	if (rc != 0)
		return rc;
	if (dns_name_from_text(text, name, DNS_NAME_MAXLEN) < 0)
		return cp_cerr(c, vname, "\"%s\" is not a domain name", text);
	cp_path_restore(c, saved);
	cp_path_key(c, "type");
	rc = cp_get_text(c, vtype, &text);
	if (rc != 0)
		return rc;
	if (cp_lz_type_parse(text, type) != 0)
		return cp_cerr(c, vtype,
		               "\"%s\" is not a zone type (use static, transparent or"
		               " refuse)",
		               text);
	cp_path_restore(c, saved);
	return 0;
}

/* Line of the first of the entries before @p i naming zone @p name (they are all valid). */
static uint32_t
first_line(const struct cp_ynode *seq, size_t i, const uint8_t *name)
{
	for (size_t j = 0; j < i; j++) {
		const struct cp_ynode *v = map_get(seq->items[j], "name");
		uint8_t other[DNS_NAME_MAXLEN];

		if (v != NULL && dns_name_from_text(v->str, other, sizeof(other)) > 0 &&
		    dns_name_equal(other, name))
			return seq->items[j]->line;
	}
	return 0;
}

int
cp_conf_read_local_zones(struct cp_cctx *c, const struct cp_ynode *n)
{
	int rc = cp_want_seq(c, n);

	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		uint8_t name[DNS_NAME_MAXLEN];
		char text[DNS_NAME_TEXT_MAX];
		enum cp_lz_type type;
		size_t saved = cp_path_index(c, i);

		rc = read_zone(c, n->items[i], name, &type);
		if (rc != 0)
			break;
		rc = cp_localdata_zone_add(c->conf->localdata, name, type);
		if (rc == -EEXIST) {
			dns_name_to_text(name, text, sizeof(text));
			cp_path_key(c, "name");
			return cp_cerr(c, map_get(n->items[i], "name"),
			               "zone %s is listed twice (first at line %u)", text,
			               first_line(n, i, name));
		}
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	return rc;
}

int
cp_conf_read_local_data(struct cp_cctx *c, const struct cp_ynode *n)
{
	char why[CP_CONF_ERRLEN / 2];
	int rc = cp_want_seq(c, n);

	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		const struct cp_ynode *v = n->items[i];
		size_t saved = cp_path_index(c, i);

		if (v->kind != CP_YNODE_SCALAR)
			return cp_cerr(c, v,
			               "expected a record as one string (\"NAME [TTL] [IN]"
			               " TYPE DATA\"), got %s",
			               cp_ynode_kind_name(v->kind));
		why[0] = '\0';
		rc = cp_localdata_add_text(c->conf->localdata, v->str, why, sizeof(why));
		if (rc == -ENOMEM)
			return rc;
		if (rc != 0)
			return cp_cerr(c, v, "\"%.*s%s\": %s", RECORD_QUOTE_MAX, v->str,
			               v->len > RECORD_QUOTE_MAX ? "..." : "", why);
		cp_path_restore(c, saved);
	}
	return rc;
}
