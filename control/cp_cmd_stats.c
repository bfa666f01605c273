/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `stats`: every worker's counters and their total (busy cycles per packet
 * included), the control thread's, the resolver's and the master cache's, and the
 * XDP program's per port. Control thread; worker counters are read relaxed
 * (dp_stats.h).
 */
#include <rte_cycles.h>

#include "cp_commands_int.h"
#include "cp_flight.h"
#include "cp_push.h"
#include "cp_resolver.h"
#include "cp_tcp.h"
#include "steer_loader.h"

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
	set_u64(o, "upstream_tcp_fallbacks", up.tcp_fallbacks); /* TC=1, asked again over TCP */
	set_u64(o, "upstream_errors", up.errors);
	set_u64(o, "upstream_outstanding", up.outstanding);
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

void
cp_cmd_stats(struct cp_ctl_req *req, json_t *args, void *ctx)
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
