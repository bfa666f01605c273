/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `cache-lookup`, `cache-flush` and `cache-dump`. Only a worker may read its own
 * cache, so a lookup asks every worker through its fill ring and answers when all
 * have replied (or after a timeout); flushes travel the same rings. The dump
 * streams the master cache. Control thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_answer.h"
#include "cp_commands_int.h"
#include "cp_localdata.h"
#include "cp_push.h"
#include "cp_resolver.h"
#include "dns_name.h"
#include "dns_present.h"

#define LOOKUP_TIMEOUT_MS 1000

/* A cache-lookup request waiting for the workers' answers. */
struct lookup {
	struct lookup *next;
	struct cp_daemon *d;
	struct cp_ctl_req *req;
	uint32_t cookie;
	unsigned expected;
	unsigned got;
	json_t *workers;
	uv_timer_t timer;
};

static struct lookup *the_lookups;

static void
lookup_free(uv_handle_t *h)
{
	struct lookup *l = h->data;

	json_decref(l->workers);
	free(l);
}

static void
lookup_finish(struct lookup *l)
{
	json_t *res = json_object();

	for (struct lookup **pp = &the_lookups; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	json_object_set_new(res, "workers", json_incref(l->workers));
	json_object_set_new(res, "answered", json_integer(l->got));
	json_object_set_new(res, "asked", json_integer(l->expected));
	cp_ctl_reply_ok(l->req, res);
	uv_timer_stop(&l->timer);
	uv_close((uv_handle_t *)&l->timer, lookup_free);
}

static void
lookup_timeout(uv_timer_t *t)
{
	lookup_finish(t->data);
}

void
cp_answer_lookup_result(struct cp_daemon *d, const struct dp_punt *p)
{
	struct lookup *l = the_lookups;
	json_t *o;

	(void)d;
	while (l != NULL && l->cookie != p->lookup_cookie)
		l = l->next;
	if (l == NULL)
		return; /* timed out already */
	o = json_object();
	json_object_set_new(o, "worker", json_integer(p->worker));
	json_object_set_new(o, "found", json_boolean(p->lookup_found));
	if (p->lookup_found) {
		json_object_set_new(o, "ttl", json_integer(p->lookup_ttl));
		json_object_set_new(o, "rcode", json_string(dns_rcode_to_text(p->lookup_rcode)));
		json_object_set_new(o, "answer", json_integer(p->lookup_count[DNS_SECTION_ANSWER]));
		json_object_set_new(o, "authority",
				    json_integer(p->lookup_count[DNS_SECTION_AUTHORITY]));
		json_object_set_new(o, "additional",
				    json_integer(p->lookup_count[DNS_SECTION_ADDITIONAL]));
	}
	json_array_append_new(l->workers, o);
	if (++l->got == l->expected)
		lookup_finish(l);
}

void
cp_cmd_cache_lookup(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	uint8_t name[DNS_NAME_MAXLEN];
	struct dp_fill f = { .type = DP_FILL_LOOKUP };
	struct lookup *l;
	uint16_t type;
	int n = cp_cmd_name_type_args(req, args, name, &type, true);

	if (n < 0)
		return;
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		cp_ctl_reply_err(req, "out of memory");
		return;
	}
	l->d = d;
	l->req = req;
	l->cookie = ++d->lookup_cookie;
	l->workers = json_array();
	/* DNS_KEY_ABI: name, type, class IN, DO 0. */
	memcpy(f.dns, name, (size_t)n);
	dns_put_u16(f.dns + n, type);
	dns_put_u16(f.dns + n + 2, DNS_CLASS_IN);
	f.dns[n + 4] = 0;
	f.dns_len = (uint16_t)(n + 5);
	f.cookie = l->cookie;
	for (unsigned i = 0; i < d->n_workers; i++) {
		if (cp_push_fill(d->push, i, &f) == 0)
			l->expected++;
	}
	uv_timer_init(d->loop, &l->timer);
	l->timer.data = l;
	l->next = the_lookups;
	the_lookups = l;
	if (l->expected == 0)
		lookup_finish(l);
	else
		uv_timer_start(&l->timer, lookup_timeout, LOOKUP_TIMEOUT_MS, 0);
}

/* Tell every worker to drop @p name (lower-case wire), or everything when NULL. */
void
cp_cmd_flush_workers(struct cp_daemon *d, const uint8_t *name, size_t len)
{
	struct dp_fill f = { .type = name != NULL ? DP_FILL_FLUSH_NAME : DP_FILL_FLUSH_ALL };

	if (name != NULL) {
		memcpy(f.dns, name, len);
		f.dns_len = (uint16_t)len;
	}
	for (unsigned i = 0; i < d->n_workers; i++)
		(void)cp_push_fill(d->push, i, &f);
}

/*
 * {"name": N}: drop N from the master cache and the workers. {"zone": Z}: drop
 * everything at or below Z from the master cache; the workers can only drop exact
 * names or everything, so they drop everything. No args: everything everywhere.
 */
void
cp_cmd_cache_flush(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	struct cp_rrcache *c = d->resolver != NULL ? cp_resolver_rrcache(d->resolver) : NULL;
	uint8_t name[DNS_NAME_MAXLEN];
	const char *text = NULL, *zone = NULL, *type = NULL; /* type: accepted, ignored */
	json_int_t removed = 0;
	int n;

	if (cp_ctl_args_unpack(req, args, "{s?s, s?s, s?s !}", "name", &text, "zone", &zone,
			       "type", &type) != 0)
		return;
	if (text != NULL && zone != NULL) {
		cp_ctl_reply_err(req, "give \"name\" or \"zone\", not both");
		return;
	}
	if (text == NULL && zone == NULL) {
		if (c != NULL)
			removed = (json_int_t)cp_rrcache_flush_all(c);
		cp_cmd_flush_workers(d, NULL, 0);
		cp_ctl_reply_ok(req, json_pack("{s:s, s:I, s:s}", "flushed", "all",
					       "master_entries", removed, "workers", "all"));
		return;
	}
	n = dns_name_from_text(text != NULL ? text : zone, name, DNS_NAME_MAXLEN);
	if (n < 0) {
		cp_ctl_reply_err(req, "%s: not a domain name", text != NULL ? text : zone);
		return;
	}
	for (int i = 0; i < n; i++)
		name[i] = dns_lower(name[i]);
	if (text != NULL) {
		if (c != NULL)
			removed = cp_rrcache_flush_name(c, name);
		cp_cmd_flush_workers(d, name, (size_t)n);
		cp_ctl_reply_ok(req, json_pack("{s:s, s:I, s:s}", "flushed", text, "master_entries",
					       (json_int_t)VD_MAX(removed, 0), "workers", "name"));
		return;
	}
	if (c != NULL)
		removed = cp_rrcache_flush_zone(c, name);
	cp_cmd_flush_workers(d, NULL, 0);
	cp_ctl_reply_ok(req, json_pack("{s:s, s:I, s:s}", "flushed_zone", zone, "master_entries",
				       (json_int_t)VD_MAX(removed, 0), "workers", "all"));
}

/* ---- cache dump ---- */

#define DUMP_CHUNK 100 /* records per streamed line */

/*
 * A `cache-dump` in progress. The master cache changes while the client reads (and
 * its entries may go), so the dump is a snapshot: every line rendered at the start
 * into one buffer of NUL-terminated strings, then streamed DUMP_CHUNK at a time as
 * the client drains its output. Owns no reference to the resolver.
 */
struct dump {
	char *buf;
	size_t len, cap;
	size_t pos;          /* next line to send */
	uint64_t lines;      /* lines in buf */
	uint64_t entries;    /* cache entries dumped */
	uint64_t negative;   /* of which NXDOMAIN or NODATA */
	uint64_t expired;    /* entries skipped: expired (kept for serve-stale) */
	uint64_t now_s;
	bool nomem;
};

static void
dump_put(struct dump *dp, const char *line, size_t n)
{
	if (dp->nomem)
		return;
	if (dp->len + n + 1 > dp->cap) {
		size_t cap = VD_MAX(dp->cap * 2, dp->len + n + 1 + 65536);
		char *b = realloc(dp->buf, cap);

		if (b == NULL) {
			dp->nomem = true;
			return;
		}
		dp->buf = b;
		dp->cap = cap;
	}
	memcpy(dp->buf + dp->len, line, n);
	dp->buf[dp->len + n] = '\0';
	dp->len += n + 1;
	dp->lines++;
}

/* One record as text, RFC 3597 generic RDATA when it has no known presentation. */
static int
dump_rr_text(const uint8_t *owner, uint16_t type, uint16_t rclass, uint32_t ttl,
	     const struct dns_rdata *rd, char *out, size_t cap)
{
	struct cp_rr rr = { .owner = owner, .type = type, .rclass = rclass, .ttl = ttl,
			    .rdlen = rd->len, .rdata = rd->data };
	char on[DNS_NAME_TEXT_MAX], tn[32], cn[32];
	int n = cp_rr_to_text(&rr, out, cap);
	size_t o;

	if (n >= 0)
		return n;
	if (dns_name_to_text(owner, on, sizeof(on)) < 0 ||
	    dns_type_to_text(type, tn, sizeof(tn)) < 0 ||
	    dns_class_to_text(rclass, cn, sizeof(cn)) < 0)
		return -EINVAL;
	n = snprintf(out, cap, "%s %u %s %s \\# %u ", on, ttl, cn, tn, rd->len);
	if (n < 0 || (size_t)n + 2u * rd->len + 1 > cap)
		return -ENOSPC;
	o = (size_t)n;
	for (uint16_t i = 0; i < rd->len; i++)
		o += (size_t)snprintf(out + o, cap - o, "%02x", rd->data[i]);
	return (int)o;
}

static int
dump_one(const struct cp_rrc_rrset *e, void *arg)
{
	struct dump *dp = arg;
	char line[CP_RR_TEXT_MAX + DNS_NAME_TEXT_MAX + 64], soa[CP_RR_TEXT_MAX];
	char on[DNS_NAME_TEXT_MAX], tn[32];
	uint32_t ttl;
	int n;

	if (e->expire <= dp->now_s) {
		dp->expired++;
		return 0;
	}
	ttl = (uint32_t)VD_MIN(e->expire - dp->now_s, UINT32_MAX);
	dp->entries++;
	if (e->kind == CP_RRC_POSITIVE) {
		for (uint16_t i = 0; i < e->n_rdata; i++) {
			n = dump_rr_text(e->owner, e->type, e->rclass, ttl, &e->rdata[i], line,
					 sizeof(line));
			if (n >= 0)
				dump_put(dp, line, (size_t)n);
		}
		return dp->nomem ? -ENOMEM : 0;
	}
	/* "; NXDOMAIN nx.example. ttl 300 (example. 300 IN SOA ...)", NODATA with the type. */
	dp->negative++;
	if (dns_name_to_text(e->owner, on, sizeof(on)) < 0)
		return 0;
	if (e->n_rdata == 0 || e->soa_owner == NULL ||
	    dump_rr_text(e->soa_owner, DNS_TYPE_SOA, e->rclass, ttl, &e->rdata[0], soa,
			 sizeof(soa)) < 0)
		snprintf(soa, sizeof(soa), "no SOA");
	if (e->kind == CP_RRC_NXDOMAIN) {
		n = snprintf(line, sizeof(line), "; NXDOMAIN %s ttl %u (%s)", on, ttl, soa);
	} else {
		if (dns_type_to_text(e->type, tn, sizeof(tn)) < 0)
			snprintf(tn, sizeof(tn), "TYPE%u", e->type);
		n = snprintf(line, sizeof(line), "; NODATA %s %s ttl %u (%s)", on, tn, ttl, soa);
	}
	if (n > 0)
		dump_put(dp, line, VD_MIN((size_t)n, sizeof(line) - 1));
	return dp->nomem ? -ENOMEM : 0;
}

static void
dump_free(struct dump *dp)
{
	free(dp->buf);
	free(dp);
}

/* Stream the next chunks while the client keeps up; the final line at the end. */
static void
dump_more(struct cp_ctl_req *req, bool orphaned, void *arg)
{
	struct dump *dp = arg;

	while (!orphaned && dp->pos < dp->len) {
		json_t *recs = json_array();

		for (unsigned i = 0; i < DUMP_CHUNK && dp->pos < dp->len; i++) {
			const char *l = dp->buf + dp->pos;

			json_array_append_new(recs, json_string(l));
			dp->pos += strlen(l) + 1;
		}
		if (cp_ctl_reply_partial(req, json_pack("{s:o}", "records", recs)) == -EPIPE)
			break;
		int rc = cp_ctl_req_wait_writable(req, dump_more, dp);

		if (rc == 0)
			return; /* called again when drained, or orphaned */
		if (rc != -EALREADY)
			break;
	}
	cp_ctl_reply_ok(req, json_pack("{s:I, s:I, s:I, s:I}", "entries", (json_int_t)dp->entries,
				       "records", (json_int_t)dp->lines, "negative",
				       (json_int_t)dp->negative, "expired_skipped",
				       (json_int_t)dp->expired));
	dump_free(dp);
}

void
cp_cmd_cache_dump(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	struct dump *dp;

	if (cp_ctl_args_unpack(req, args, "{!}") != 0)
		return;
	if (d->resolver == NULL) {
		cp_ctl_reply_err(req, "no resolver configured");
		return;
	}
	dp = calloc(1, sizeof(*dp));
	if (dp == NULL) {
		cp_ctl_reply_err(req, "out of memory");
		return;
	}
	dp->now_s = cp_resolver_now_ms(d->resolver) / 1000;
	if (cp_rrcache_walk(cp_resolver_rrcache(d->resolver), dump_one, dp) != 0 || dp->nomem) {
		dump_free(dp);
		cp_ctl_reply_err(req, "out of memory");
		return;
	}
	dump_more(req, false, dp);
}

void
cp_cmd_lookups_stop(void)
{
	while (the_lookups != NULL)
		lookup_finish(the_lookups);
}
