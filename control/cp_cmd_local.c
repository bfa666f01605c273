/* SPDX-License-Identifier: BSD-3-Clause */
/* `local-data-add`, `-remove` and `-list`: local data changed at runtime. Control thread. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp_commands_int.h"
#include "cp_localdata.h"
#include "dns_name.h"
#include "dns_wire.h"

#define FLUSH_MAX_NAMES 64 /* names flushed for one change: the owner and what leads to it */

/* The names a change at one owner makes stale in the workers' caches. */
struct stale_set {
	unsigned n;
	bool grew;
	bool overflow; /* more names than FLUSH_MAX_NAMES: flush everything */
	uint8_t name[FLUSH_MAX_NAMES][DNS_NAME_MAXLEN]; /* lower-case wire */
};

static bool
in_set(const struct stale_set *ss, const uint8_t *name)
{
	for (unsigned i = 0; i < ss->n; i++)
		if (dns_name_equal(ss->name[i], name))
			return true;
	return false;
}

static void
set_add(struct stale_set *ss, const uint8_t *name)
{
	size_t n = dns_name_length(name);

	if (in_set(ss, name))
		return;
	if (ss->n == FLUSH_MAX_NAMES) {
		ss->overflow = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		ss->name[ss->n][i] = dns_lower(name[i]);
	ss->n++;
	ss->grew = true;
}

/* The name an RR's answer pulls in: a CNAME's target, an MX's or SRV's host (additional). */
static const uint8_t *
target_of(const struct cp_rr *rr)
{
	size_t skip = rr->type == DNS_TYPE_CNAME ? 0 : rr->type == DNS_TYPE_MX ? 2
		      : rr->type == DNS_TYPE_SRV ? 6 : SIZE_MAX;

	return skip < rr->rdlen ? rr->rdata + skip : NULL;
}

static int
add_if_leads_in(const struct cp_rr *rr, void *arg)
{
	struct stale_set *ss = arg;
	const uint8_t *t = target_of(rr);

	if (t != NULL && in_set(ss, t))
		set_add(ss, rr->owner);
	return 0;
}

/*
 * Local data changed at @p owner: the workers must not keep serving the old answer
 * for it, nor for the local names whose answers include it (a CNAME chain leading to
 * it, an MX or SRV whose host it is, in turn). Bounded: each pass adds a name or
 * ends; past FLUSH_MAX_NAMES names the workers drop everything instead.
 */
static void
flush_owner(struct cp_daemon *d, const uint8_t *owner)
{
	struct stale_set *ss = calloc(1, sizeof(*ss));

	if (ss == NULL) {
		cp_cmd_flush_workers(d, NULL, 0); /* cannot tell which: all */
		return;
	}
	set_add(ss, owner);
	while (ss->grew && !ss->overflow) {
		ss->grew = false;
		(void)cp_localdata_foreach(d->local, add_if_leads_in, ss);
	}
	if (ss->overflow)
		cp_cmd_flush_workers(d, NULL, 0);
	for (unsigned i = 0; i < ss->n && !ss->overflow; i++)
		cp_cmd_flush_workers(d, ss->name[i], dns_name_length(ss->name[i]));
	free(ss);
}

/* Answer a local-data change: the error, or flush the owner from the workers and say so. */
static void
local_change_done(struct cp_ctl_req *req, struct cp_daemon *d, int rc, const char *text,
		  const char *err, const uint8_t *owner, const char *verb)
{
	if (rc < 0) {
		cp_ctl_reply_err(req, "%s: %s", text,
				 err[0]	       ? err
				 : rc == -EEXIST ? "already present"
				 : rc == -ENOENT ? "no such record"
						 : strerror(-rc));
		return;
	}
	flush_owner(d, owner);
	cp_ctl_reply_ok(req, json_pack("{s:s, s:I}", verb, text, "records",
				       (json_int_t)cp_localdata_count(d->local)));
}

void
cp_cmd_local_data_add(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	uint8_t owner[DNS_NAME_MAXLEN];
	char err[256] = "";
	const char *text;
	struct cp_rr rr;
	int rc;

	if (cp_ctl_args_unpack(req, args, "{s:s}", "rr", &text) != 0)
		return;
	rc = cp_localdata_parse(d->local, text, &rr, err, sizeof(err));
	if (rc == 0) {
		memcpy(owner, rr.owner, dns_name_length(rr.owner));
		rc = cp_localdata_add(d->local, &rr, err, sizeof(err));
	}
	local_change_done(req, d, rc, text, err, owner, "added");
}

/* Remove one record ({"rr": TEXT}) or every record of a name and type ({"name", "type"?}). */
void
cp_cmd_local_data_remove(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	uint8_t owner[DNS_NAME_MAXLEN];
	char err[256] = "";
	const char *text;
	uint16_t type;
	struct cp_rr rr;
	int rc;

	if (args != NULL && json_object_get(args, "rr") == NULL) {
		if (cp_cmd_name_type_args(req, args, owner, &type, false) < 0)
			return;
		text = json_string_value(json_object_get(args, "name"));
		rc = cp_localdata_remove_name(d->local, owner, type);
	} else {
		if (cp_ctl_args_unpack(req, args, "{s:s}", "rr", &text) != 0)
			return;
		rc = cp_localdata_parse(d->local, text, &rr, err, sizeof(err));
		if (rc == 0) {
			memcpy(owner, rr.owner, dns_name_length(rr.owner));
			rc = cp_localdata_remove(d->local, &rr);
		}
	}
	local_change_done(req, d, rc, text, err, owner, "removed");
}

struct list_ctx {
	json_t *records;
	const uint8_t *name; /* only records of this owner; NULL: all */
};

static int
list_one(const struct cp_rr *rr, void *arg)
{
	struct list_ctx *l = arg;
	char text[CP_RR_TEXT_MAX];

	if (l->name != NULL && !dns_name_equal(rr->owner, l->name))
		return 0;
	if (cp_rr_to_text(rr, text, sizeof(text)) < 0)
		return 0;
	json_array_append_new(l->records, json_string(text));
	return 0;
}

void
cp_cmd_local_data_list(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	uint8_t name[DNS_NAME_MAXLEN];
	struct list_ctx l = { .records = json_array() };
	uint16_t type;

	if (args != NULL && json_object_get(args, "name") != NULL) {
		if (cp_cmd_name_type_args(req, args, name, &type, false) < 0) {
			json_decref(l.records);
			return;
		}
		l.name = name;
	}
	cp_localdata_foreach(d->local, list_one, &l);
	cp_ctl_reply_ok(req, json_pack("{s:o}", "records", l.records));
}
