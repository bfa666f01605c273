/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's control-socket commands: status, stats, cache lookup, flush and
 * dump, infra, local data, forward zones (cp_forward_cmd.c). Handlers run in the
 * control thread; a cache lookup asks every worker through its fill ring and
 * answers when all have replied (or after a timeout), since only a worker may
 * read its own cache.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "cp_answer.h"
#include "cp_commands.h"
#include "cp_ctl.h"
#include "cp_flight.h"
#include "cp_forward_cmd.h"
#include "cp_localdata.h"
#include "cp_push.h"
#include "cp_resolver.h"
#include "cp_tcp.h"
#include "dns_name.h"
#include "dns_present.h"
#include "steer_loader.h"
#include "vd_time.h"

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
set_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

/* The columns of one row of `veloctl stats`: a worker, or the total. */
static json_t *
counters_row(const struct dp_stats *s, double ns_per_cycle)
{
	json_t *o = json_object();
	uint64_t drops = 0;

	for (unsigned i = 0; i < DP_DROP_COUNT; i++)
		drops += s->drop[i];
	set_u64(o, "rx", s->rx);
	set_u64(o, "tx", s->tx);
	set_u64(o, "queries", s->queries);
	set_u64(o, "hits", s->hits);
	set_u64(o, "misses", s->misses);
	set_u64(o, "punts", s->punts);
	set_u64(o, "drops", drops);
	json_object_set_new(o, "busy_cycles_per_pkt",
			    json_real(s->busy_frames ? (double)s->busy_cycles / (double)s->busy_frames
						     : 0.0));
	json_object_set_new(o, "busy_ns_per_pkt",
			    json_real(s->busy_frames ? (double)s->busy_cycles * ns_per_cycle /
							       (double)s->busy_frames
						     : 0.0));
	/* The busy time split: the TX call (PMD + kernel for AF_XDP) and everything else. */
	json_object_set_new(o, "tx_ns_per_pkt",
			    json_real(s->busy_frames ? (double)s->tx_cycles * ns_per_cycle /
							       (double)s->busy_frames
						     : 0.0));
	return o;
}

/* Everything else a worker counts, for the total: reasons and verdicts by name. */
static void
counters_detail(json_t *o, const struct dp_stats *s)
{
	json_t *drops = json_object(), *verdicts = json_object(), *frames = json_object();

	set_u64(o, "punt_full", s->punt_full);
	set_u64(o, "prefetch_reports", s->prefetch_reports);
	set_u64(o, "prefetch_full", s->prefetch_full);
	set_u64(o, "truncated", s->truncated);
	set_u64(o, "acl_refused", s->acl_refused);
	set_u64(o, "to_kernel", s->to_kernel);
	set_u64(o, "from_kernel", s->from_kernel);
	set_u64(o, "fills", s->fills);
	set_u64(o, "cp_replies", s->cp_replies);
	for (unsigned i = 0; i < DP_DROP_COUNT; i++)
		set_u64(drops, dp_drop_name(i), s->drop[i]);
	for (unsigned i = 0; i < DNS_VERDICT_COUNT; i++)
		set_u64(verdicts, dns_verdict_name(i), s->verdict[i]);
	for (unsigned i = 0; i < DP_PKT_R_COUNT; i++)
		set_u64(frames, dp_pkt_reason_name(i), s->pkt[i]);
	json_object_set_new(o, "drop_reasons", drops);
	json_object_set_new(o, "verdicts", verdicts);
	json_object_set_new(o, "frames", frames);
}

static void
stats_add(struct dp_stats *sum, const struct dp_stats *s)
{
	const uint64_t *src = (const uint64_t *)s;
	uint64_t *dst = (uint64_t *)sum;

	/* struct dp_stats is nothing but uint64_t counters. */
	for (size_t i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

/* The master cache's counters. */
static json_t *
rrcache_json(const struct cp_rrcache *c)
{
	json_t *o = json_object();
	struct cp_rrc_stats st;

	cp_rrcache_stats(c, &st);
	set_u64(o, "entries", st.entries);
	set_u64(o, "bytes", st.bytes);
	set_u64(o, "hits", st.hits);
	set_u64(o, "neg_hits", st.neg_hits);
	set_u64(o, "misses", st.misses);
	set_u64(o, "evictions", st.evictions);
	set_u64(o, "expired", st.expired);
	set_u64(o, "replaced", st.replaced);
	set_u64(o, "refused_rank", st.refused_rank);
	set_u64(o, "stale_hits", st.stale_hits);
	return o;
}

/*
 * The resolver's counters: questions, upstream queries, timeouts, replies ignored as not
 * ours (wrong source, ID or question: spoofing attempts or strays), SERVFAIL by cause,
 * and the master cache's.
 */
static json_t *
resolver_json(struct cp_resolver *r)
{
	const struct cp_iter_stats *st = cp_resolver_stats(r);
	const struct cp_resolver_stats *rs = cp_resolver_counters(r);
	json_t *o = json_object(), *fail = json_object();
	struct cp_upstream_stats up;

	set_u64(o, "resolutions", st->started);
	set_u64(o, "ns_lookups", st->sub_started);
	set_u64(o, "upstream_queries", st->sent);
	set_u64(o, "upstream_timeouts", st->timeouts);
	cp_resolver_upstream_stats(r, &up);
	set_u64(o, "upstream_mismatched", up.mismatched); /* forged or stray: ignored */
	set_u64(o, "master_cache_answers", st->cache_answers);
	set_u64(o, "qmin_queries", st->qmin_sent);
	set_u64(o, "qmin_fallbacks", st->qmin_fallbacks);
	set_u64(o, "priming_queries", st->prime_sent);
	set_u64(o, "priming_ok", st->prime_ok);
	set_u64(o, "priming_failed", st->prime_failed);
	set_u64(o, "parent_fallbacks", st->parent_fallbacks);
	set_u64(o, "forwarded", st->forwarded);
	set_u64(o, "forwarder_failovers", st->fwd_failovers);
	for (unsigned i = 1; i < CP_ITER_CAUSE_COUNT; i++)
		set_u64(fail, cp_iter_cause_name(i), st->servfail[i]);
	json_object_set_new(o, "servfail", fail);
	set_u64(o, "stale_answers", rs->stale_answers);
	set_u64(o, "stale_early", rs->stale_early);
	set_u64(o, "prefetch_reports", rs->prefetch_reports);
	set_u64(o, "prefetch_coalesced", rs->prefetch_coalesced);
	set_u64(o, "prefetch_ignored", rs->prefetch_ignored);
	set_u64(o, "prefetch_started", rs->prefetch_started);
	set_u64(o, "prefetch_done", rs->prefetch_done);
	set_u64(o, "prefetch_failed", rs->prefetch_failed);
	json_object_set_new(o, "master_cache", rrcache_json(cp_resolver_rrcache(r)));
	return o;
}

static void
cmd_stats(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	double ns_per_cycle = 1e9 / (double)rte_get_tsc_hz();
	json_t *res = json_object(), *workers = json_array(), *cp = json_object();
	struct dp_stats total = { 0 };
	uint64_t entries = 0, bytes = 0;
	struct cp_push_stats ps;

	(void)args;
	for (unsigned i = 0; i < d->n_workers; i++) {
		const struct dp_worker *w = d->workers[i];
		struct dp_stats s = w->stats; /* relaxed copy; see dp_stats.h */
		struct dp_cache_stats cs;
		json_t *o = json_object();

		dp_cache_get_stats(w->cache, &cs);
		set_u64(o, "worker", i);
		set_u64(o, "lcore", w->lcore_id);
		json_t *row = counters_row(&s, ns_per_cycle);

		json_object_update(o, row);
		json_decref(row);
		set_u64(o, "cache_entries", cs.entries);
		set_u64(o, "cache_bytes", cs.bytes);
		json_array_append_new(workers, o);
		stats_add(&total, &s);
		entries += cs.entries;
		bytes += cs.bytes;
	}
	json_t *t = counters_row(&total, ns_per_cycle);
	set_u64(t, "cache_entries", entries);
	set_u64(t, "cache_bytes", bytes);
	counters_detail(t, &total);

	cp_push_get_stats(d->push, &ps);
	json_object_set_new(cp, "punts", json_integer((json_int_t)d->stats.punts));
	json_object_set_new(cp, "tcp_queries", json_integer((json_int_t)d->stats.tcp_queries));
	json_object_set_new(cp, "coalesced", json_integer((json_int_t)d->stats.coalesced));
	json_object_set_new(cp, "local_answers", json_integer((json_int_t)d->stats.local_answers));
	json_object_set_new(cp, "udp_replies", json_integer((json_int_t)d->stats.udp_replies));
	json_object_set_new(cp, "tcp_replies", json_integer((json_int_t)d->stats.tcp_replies));
	json_object_set_new(cp, "tcp_refused", json_integer((json_int_t)d->stats.tcp_refused));
	json_object_set_new(cp, "pushed_entries", json_integer((json_int_t)d->stats.pushed_entries));
	json_object_set_new(cp, "in_flight", json_integer(cp_flight_count(d->flights)));
	json_object_set_new(cp, "fill_backlog", json_integer(cp_push_backlog(d->push)));
	json_object_set_new(cp, "fills_dropped", json_integer((json_int_t)ps.dropped));
	json_object_set_new(cp, "refused_not_local",
			    json_integer((json_int_t)d->stats.fail[CP_FAIL_NOT_LOCAL]));
	json_object_set_new(cp, "servfail_limits",
			    json_integer((json_int_t)(d->stats.fail[CP_FAIL_FLIGHTS_FULL] +
						      d->stats.fail[CP_FAIL_WAITERS_FULL])));
	json_object_set_new(cp, "servfail_other",
			    json_integer((json_int_t)(d->stats.fail[CP_FAIL_TEMPLATE] +
						      d->stats.fail[CP_FAIL_NO_MEMORY] +
						      d->stats.fail[CP_FAIL_BAD_PUNT])));
	if (d->tcp != NULL) {
		struct cp_tcp_stats ts;
		cp_tcp_get_stats(d->tcp, &ts);
		json_object_set_new(cp, "tcp_active", json_integer((json_int_t)ts.active));
		json_object_set_new(cp, "tcp_accepted", json_integer((json_int_t)ts.accepted));
	}

	json_object_set_new(res, "workers", workers);
	json_object_set_new(res, "total", t);
	json_object_set_new(res, "control", cp);
	if (d->resolver != NULL)
		json_object_set_new(res, "resolver", resolver_json(d->resolver));
	for (unsigned i = 0; i < d->conf.n_ports; i++) {
		uint64_t sc[STEER_COUNTER_MAX];
		json_t *so;
		if (d->ports[i].steer == NULL || steer_read_stats(d->ports[i].steer, sc) != 0)
			continue;
		so = json_object();
		for (unsigned k = 0; k < STEER_COUNTER_MAX; k++)
			json_object_set_new(so, steer_counter_name(k), json_integer((json_int_t)sc[k]));
		if (json_object_get(res, "xdp") == NULL)
			json_object_set_new(res, "xdp", json_object());
		json_object_set_new(json_object_get(res, "xdp"), d->conf.ports[i].name, so);
	}
	cp_ctl_reply_ok(req, res);
}

static void
cmd_status(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	json_t *res = json_object(), *ports = json_array();

	(void)args;
	json_object_set_new(res, "version", json_string(VELODNS_VERSION));
	json_object_set_new(res, "uptime_s",
			    json_integer((json_int_t)((vd_now_ns() - d->start_ns) / 1000000000ULL)));
	json_object_set_new(res, "config", json_string(d->conf.path));
	json_object_set_new(res, "workers", json_integer(d->n_workers));
	json_object_set_new(res, "local_records",
			    json_integer((json_int_t)cp_localdata_count(d->local)));
	for (unsigned i = 0; i < d->conf.n_ports; i++) {
		const struct cp_port_conf *pc = &d->conf.ports[i];
		json_t *p = json_object();
		json_object_set_new(p, "name", json_string(pc->name));
		json_object_set_new(p, "mode", json_string(cp_port_mode_name(pc->mode)));
		json_object_set_new(p, "interface", json_string(pc->interface ? pc->interface : ""));
		json_object_set_new(p, "queues", json_integer(pc->queues));
		json_object_set_new(p, "port_id", json_integer(d->ports[i].port_id));
		json_array_append_new(ports, p);
	}
	json_object_set_new(res, "ports", ports);
	cp_ctl_reply_ok(req, res);
}

/* "NAME" and "TYPE" arguments as a lower-case wire name and a type number. */
static int
name_type_args(struct cp_ctl_req *req, json_t *args, uint8_t *name, uint16_t *type,
	       bool type_required)
{
	const char *text = NULL, *ttext = NULL;
	int n;

	if (cp_ctl_args_unpack(req, args, type_required ? "{s:s, s:s}" : "{s:s, s?s}", "name", &text,
			       "type", &ttext) != 0)
		return -EINVAL;
	n = dns_name_from_text(text, name, DNS_NAME_MAXLEN);
	if (n < 0) {
		cp_ctl_reply_err(req, "%s: not a domain name", text);
		return -EINVAL;
	}
	for (int i = 0; i < n; i++)
		name[i] = dns_lower(name[i]);
	*type = 0;
	if (ttext != NULL && dns_type_from_text(ttext, type) != 0) {
		cp_ctl_reply_err(req, "%s: not an RR type", ttext);
		return -EINVAL;
	}
	return n;
}

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

static void
cmd_cache_lookup(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	uint8_t name[DNS_NAME_MAXLEN];
	struct dp_fill f = { .type = DP_FILL_LOOKUP };
	struct lookup *l;
	uint16_t type;
	int n = name_type_args(req, args, name, &type, true);

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
static void
flush_workers(struct cp_daemon *d, const uint8_t *name, size_t len)
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
static void
cmd_cache_flush(struct cp_ctl_req *req, json_t *args, void *ctx)
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
		flush_workers(d, NULL, 0);
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
		flush_workers(d, name, (size_t)n);
		cp_ctl_reply_ok(req, json_pack("{s:s, s:I, s:s}", "flushed", text, "master_entries",
					       (json_int_t)VD_MAX(removed, 0), "workers", "name"));
		return;
	}
	if (c != NULL)
		removed = cp_rrcache_flush_zone(c, name);
	flush_workers(d, NULL, 0);
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

static void
cmd_cache_dump(struct cp_ctl_req *req, json_t *args, void *ctx)
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

/* ---- infra ---- */

static const char *
edns_name(enum cp_infra_edns e)
{
	return e == CP_INFRA_EDNS_YES ? "yes" : e == CP_INFRA_EDNS_NO ? "no" : "unknown";
}

struct infra_list {
	json_t *servers;
	uint64_t now_ms;
};

static int
infra_one(const struct cp_infra_server *s, void *arg)
{
	struct infra_list *il = arg;
	char addr[INET6_ADDRSTRLEN + 16], ip[INET6_ADDRSTRLEN] = "?", zone[DNS_NAME_TEXT_MAX];
	json_t *o = json_object(), *lame = json_array();
	unsigned port;

	if (s->addr.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&s->addr;

		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		port = ntohs(a->sin_port);
		snprintf(addr, sizeof(addr), "%s#%u", ip, port);
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&s->addr;

		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		port = ntohs(a->sin6_port);
		snprintf(addr, sizeof(addr), "%s#%u", ip, port);
	}
	for (unsigned i = 0; i < s->n_lame; i++)
		if (dns_name_to_text(s->lame[i].zone, zone, sizeof(zone)) >= 0)
			json_array_append_new(lame, json_string(zone));
	json_object_set_new(o, "address", json_string(addr));
	json_object_set_new(o, "srtt_ms", json_real(s->info.srtt_us / 1000.0));
	json_object_set_new(o, "rttvar_ms", json_real(s->info.rttvar_us / 1000.0));
	json_object_set_new(o, "rto_ms", json_integer(s->info.rto_ms));
	json_object_set_new(o, "measured", json_boolean(s->info.measured));
	json_object_set_new(o, "timeouts", json_integer(s->info.timeouts));
	json_object_set_new(o, "edns", json_string(edns_name(s->info.edns)));
	json_object_set_new(o, "backoff", json_boolean(s->info.backoff));
	json_object_set_new(o, "probe_in_ms",
			    json_integer(s->info.backoff && s->probe_at_ms > il->now_ms
						 ? (json_int_t)(s->probe_at_ms - il->now_ms)
						 : 0));
	json_object_set_new(o, "lame", lame);
	json_array_append_new(il->servers, o);
	return 0;
}

static void
cmd_infra(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	struct infra_list il;

	if (cp_ctl_args_unpack(req, args, "{!}") != 0)
		return;
	if (d->resolver == NULL) {
		cp_ctl_reply_err(req, "no resolver configured");
		return;
	}
	il.servers = json_array();
	il.now_ms = cp_resolver_now_ms(d->resolver);
	if (cp_infra_foreach(cp_resolver_infra(d->resolver), il.now_ms, infra_one, &il) != 0) {
		json_decref(il.servers);
		cp_ctl_reply_err(req, "out of memory");
		return;
	}
	cp_ctl_reply_ok(req, json_pack("{s:I, s:o}", "count",
				       (json_int_t)json_array_size(il.servers), "servers", il.servers));
}

/* Local data changed at @p owner: the workers must not keep serving the old answer. */
static void
flush_owner(struct cp_daemon *d, const uint8_t *owner)
{
	uint8_t name[DNS_NAME_MAXLEN];
	size_t n = dns_name_length(owner);

	for (size_t i = 0; i < n; i++)
		name[i] = dns_lower(owner[i]);
	flush_workers(d, name, n);
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

static void
cmd_local_data_add(struct cp_ctl_req *req, json_t *args, void *ctx)
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
static void
cmd_local_data_remove(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	uint8_t owner[DNS_NAME_MAXLEN];
	char err[256] = "";
	const char *text;
	uint16_t type;
	struct cp_rr rr;
	int rc;

	if (args != NULL && json_object_get(args, "rr") == NULL) {
		if (name_type_args(req, args, owner, &type, false) < 0)
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

static void
cmd_local_data_list(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	uint8_t name[DNS_NAME_MAXLEN];
	struct list_ctx l = { .records = json_array() };
	uint16_t type;

	if (args != NULL && json_object_get(args, "name") != NULL) {
		if (name_type_args(req, args, name, &type, false) < 0) {
			json_decref(l.records);
			return;
		}
		l.name = name;
	}
	cp_localdata_foreach(d->local, list_one, &l);
	cp_ctl_reply_ok(req, json_pack("{s:o}", "records", l.records));
}

/* ---- forward zones: cp_forward_cmd.c on the resolver's table ---- */

static void
flush_all_workers(void *arg)
{
	flush_workers(arg, NULL, 0);
}

static void
forward_env(struct cp_daemon *d, struct cp_fwd_cmd_env *e)
{
	memset(e, 0, sizeof(*e));
	if (d->resolver == NULL)
		return;
	e->forward = cp_resolver_forward(d->resolver);
	e->rrcache = cp_resolver_rrcache(d->resolver);
	e->infra = cp_resolver_infra(d->resolver);
	e->now_ms = cp_resolver_now_ms(d->resolver);
	e->flush_workers = flush_all_workers;
	e->flush_arg = d;
}

static void
cmd_forward_list(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_fwd_cmd_env e;

	forward_env(ctx, &e);
	cp_fwd_cmd_list(req, args, &e);
}

static void
cmd_forward_add(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_fwd_cmd_env e;

	forward_env(ctx, &e);
	cp_fwd_cmd_add(req, args, &e);
}

static void
cmd_forward_remove(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_fwd_cmd_env e;

	forward_env(ctx, &e);
	cp_fwd_cmd_remove(req, args, &e);
}

static const struct cp_ctl_command commands[] = {
	{ "status", "{}", cmd_status },
	{ "stats", "{}", cmd_stats },
	{ "cache-lookup", "{\"name\": s, \"type\": s}", cmd_cache_lookup },
	{ "cache-flush", "{\"name\"?: s} or {\"zone\": s}", cmd_cache_flush },
	{ "cache-dump", "{}", cmd_cache_dump },
	{ "infra", "{}", cmd_infra },
	{ "local-data-add", "{\"rr\": s}", cmd_local_data_add },
	{ "local-data-remove", "{\"rr\": s} or {\"name\": s, \"type\"?: s}", cmd_local_data_remove },
	{ "local-data-list", "{\"name\"?: s}", cmd_local_data_list },
	{ "forward-list", CP_FWD_CMD_LIST_USAGE, cmd_forward_list },
	{ "forward-add", CP_FWD_CMD_ADD_USAGE, cmd_forward_add },
	{ "forward-remove", CP_FWD_CMD_REMOVE_USAGE, cmd_forward_remove },
};

int
cp_commands_start(struct cp_daemon *d)
{
	struct cp_ctl_opts o = { .path = d->conf.server.control_socket };

	return cp_ctl_start(d->loop, &o, commands, sizeof(commands) / sizeof(commands[0]), d,
			    &d->ctl);
}

void
cp_commands_stop(struct cp_daemon *d)
{
	while (the_lookups != NULL)
		lookup_finish(the_lookups);
	if (d->ctl != NULL)
		cp_ctl_stop(d->ctl);
	d->ctl = NULL;
}
