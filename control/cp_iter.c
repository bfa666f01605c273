/* SPDX-License-Identifier: BSD-3-Clause */
/* The iterator's state machine: one question resolved root -> TLD -> authoritative (cp_iter.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp_iter_int.h"

static const char *const cause_names[CP_ITER_CAUSE_COUNT] = {
	[CP_ITER_OK] = "ok",
	[CP_ITER_FAIL_REFERRALS] = "referrals",
	[CP_ITER_FAIL_CNAMES] = "cnames",
	[CP_ITER_FAIL_CNAME_LOOP] = "cname_loop",
	[CP_ITER_FAIL_SENT] = "sent",
	[CP_ITER_FAIL_GLUELESS_DELEG] = "glueless_deleg",
	[CP_ITER_FAIL_GLUELESS] = "glueless",
	[CP_ITER_FAIL_DEPTH] = "depth",
	[CP_ITER_FAIL_TIME] = "time",
	[CP_ITER_FAIL_NO_SERVERS] = "no_servers",
	[CP_ITER_FAIL_CACHE] = "cache",
	[CP_ITER_FAIL_NOMEM] = "nomem",
};

const char *
cp_iter_cause_name(enum cp_iter_cause c)
{
	return (unsigned)c < CP_ITER_CAUSE_COUNT ? cause_names[c] : "unknown";
}

int
cp_iter_env_init(struct cp_iter_env *env)
{
	memset(env, 0, sizeof(*env));
	cp_iter_limits_default(&env->limits);
	env->qname_minimisation = true;
	env->priming = true;
	env->scratch = calloc(1, sizeof(*env->scratch));
	return env->scratch != NULL ? 0 : -ENOMEM;
}

void
cp_iter_env_fini(struct cp_iter_env *env)
{
	if (env->scratch != NULL)
		cp_iter_prime_stop(env);
	free(env->scratch);
	env->scratch = NULL;
}

static void run(struct cp_iter *it);

static bool
fail(struct cp_iter *it, enum cp_iter_cause cause)
{
	it->fail = cause;
	it->state = CP_ITER_FINISH;
	return true;
}

static bool
is_addr_type(uint16_t t)
{
	return t == DNS_TYPE_A || t == DNS_TYPE_AAAA;
}

/*
 * Is (name, type) being resolved by @p it or one of the iterators waiting for it?
 * A and AAAA count as one: asking AAAA of a name whose A lookup is waiting for us
 * would only walk the same dependency loop again.
 */
static bool
in_progress(const struct cp_iter *it, const uint8_t *name, uint16_t type)
{
	for (const struct cp_iter *p = it; p != NULL; p = p->parent) {
		if (p->qtype != type && !(is_addr_type(p->qtype) && is_addr_type(type)))
			continue;
		for (unsigned i = 0; i < p->n_names; i++)
			if (dns_name_equal(p->names[i], name))
				return true;
	}
	return false;
}

/*
 * Refresh mode: an entry stored before the question started and in the last
 * tenth of its TTL (+1 s: the workers' clock ticks apart) is to be asked again,
 * once per name of the chain (a refused store must not make us ask forever).
 */
static bool
refresh_due(struct cp_iter *it, const struct cp_rrc_rrset *e, uint32_t left)
{
	uint32_t bit = 1u << (it->n_names - 1);

	if (!it->refresh || (it->refreshed & bit) != 0 ||
	    e->expire - e->ttl >= it->budget->start_ms / 1000 ||
	    (uint64_t)left * 10 > (uint64_t)e->ttl + 10)
		return false;
	it->refreshed |= bit;
	return true;
}

/* INIT: answer, negative answer or CNAME from the cache; else go and ask. */
static bool
st_init(struct cp_iter *it)
{
	const struct cp_iter_limits *l = &it->env->limits;
	uint64_t now_s = cp_iter_now_ms(it) / 1000;
	const uint8_t *sname = cp_iter_sname(it);
	const struct cp_rrc_rrset *e = NULL;
	const struct dns_rdata *cname = NULL;
	uint8_t target[DNS_NAME_MAXLEN];
	uint32_t left = 0;
	int kind = cp_rrcache_lookup(it->env->rrcache, sname, it->qtype, it->qclass, now_s, &e,
	                             &left);

	if (kind >= 0 && refresh_due(it, e, left))
		kind = -ENOENT;
	if (cp_iter_answers_client(kind, e) || cp_iter_held_find(it, sname, it->qtype) != NULL ||
	    (it->neg_override && dns_name_equal(it->neg_name, sname))) {
		it->state = CP_ITER_FINISH;
		return true;
	}
	if (it->qtype != DNS_TYPE_CNAME) {
		const struct dns_rrset_in *h = cp_iter_held_find(it, sname, DNS_TYPE_CNAME);

		kind = cp_rrcache_lookup(it->env->rrcache, sname, DNS_TYPE_CNAME, it->qclass, now_s,
		                         &e, &left);
		if (kind == CP_RRC_POSITIVE && cp_iter_answers_client(kind, e) &&
		    !refresh_due(it, e, left))
			cname = &e->rdata[0];
		else if (h != NULL)
			cname = &h->rdata[0];
	}
	if (cname != NULL) {
		if (dns_name_scan(cname->data, cname->len, target) < 0)
			return fail(it, CP_ITER_FAIL_CACHE);
		for (unsigned i = 0; i < it->n_names; i++)
			if (dns_name_equal(it->names[i], target))
				return fail(it, CP_ITER_FAIL_CNAME_LOOP);
		if (it->n_names > l->max_cnames || it->n_names == CP_ITER_MAX_CHAIN)
			return fail(it, CP_ITER_FAIL_CNAMES);
		memcpy(it->names[it->n_names++], target, dns_name_length(target));
		cp_iter_qmin_reset(it);
		/* A new name starts from its own closest delegation: stay in INIT. */
		return true;
	}
	it->state = CP_ITER_FIND_DELEGATION;
	return true;
}

/* FIND_DELEGATION: a forward zone, else the deepest cached zone cut above sname, or the hints. */
static bool
st_find_delegation(struct cp_iter *it)
{
	if (!cp_iter_fwd_find(it))
		cp_iter_deleg_find(it);
	it->state = CP_ITER_QUERY_TARGETS;
	return true;
}

static void on_target(void *arg, const struct cp_iter_result *res);
static struct cp_iter *iter_new(struct cp_iter_env *env, const uint8_t *qname, uint16_t qtype,
                                uint16_t qclass, struct cp_iter *parent);

/* Start the sub-resolution of NS @p i's next address type. @return true if started. */
static bool
start_target(struct cp_iter *it, unsigned i)
{
	struct cp_iter_ns *ns = &it->dp.ns[i];
	uint16_t type = ns->fetch == CP_ITER_FETCH_NONE ? DNS_TYPE_A : DNS_TYPE_AAAA;
	struct cp_iter *sub;

	if (in_progress(it, ns->name, type)) {
		ns->fetch = CP_ITER_FETCH_DONE; /* dependency loop: this name cannot help */
		return false;
	}
	sub = iter_new(it->env, ns->name, type, it->qclass, it);
	if (sub == NULL) {
		it->blocked = CP_ITER_FAIL_NOMEM;
		ns->fetch = CP_ITER_FETCH_DONE;
		return false;
	}
	if (ns->fetch == CP_ITER_FETCH_NONE) {
		it->dp.n_glueless++;
		it->budget->glueless++;
	}
	ns->fetch = type == DNS_TYPE_A ? CP_ITER_FETCH_A : CP_ITER_FETCH_DONE;
	it->env->stats.sub_started++;
	it->sub = sub;
	it->sub_ns = (int)i;
	it->state = CP_ITER_WAIT_TARGET;
	/* The sub may end at once (cache): on_target() then only records, we go on. */
	it->starting_sub = true;
	run(sub);
	it->starting_sub = false;
	return true;
}

/* QUERY_TARGETS: next untried server of the delegation, else resolve a glueless NS. */
static bool
st_query_targets(struct cp_iter *it)
{
	const struct cp_iter_limits *l = &it->env->limits;
	struct sockaddr_storage cands[CP_ITER_MAX_ADDRS];
	int map[CP_ITER_MAX_ADDRS];
	unsigned n = 0;

	if (it->budget->sent >= l->max_sent)
		return fail(it, CP_ITER_FAIL_SENT);
	cp_iter_qmin_step(it);
	/* Servers not asked yet first; a retry of one that timed out only after them. */
	for (int retry = 0; retry < 2 && n == 0; retry++) {
		for (unsigned i = 0; i < it->dp.n_addr; i++) {
			const struct cp_iter_addr *a = &it->dp.addr[i];

			if (!a->tried && (a->timeouts > 0) == (retry == 1)) {
				cands[n] = a->ss;
				map[n++] = (int)i;
			}
		}
	}
	if (n > 0) {
		int k = cp_infra_select(it->env->infra, cands, n, it->dp.zone, cp_iter_now_ms(it));

		it->cur = map[k >= 0 ? k : 0];
		it->dp.addr[it->cur].tried = true;
		it->state = CP_ITER_SEND;
		return true;
	}
	for (unsigned i = 0; i < it->dp.n_ns; i++) {
		struct cp_iter_ns *ns = &it->dp.ns[i];

		if (ns->fetch == CP_ITER_FETCH_DONE ||
		    (ns->has_addr && ns->fetch == CP_ITER_FETCH_NONE))
			continue;
		if (ns->fetch == CP_ITER_FETCH_NONE) {
			if (it->dp.n_glueless >= l->max_glueless_deleg) {
				it->blocked = CP_ITER_FAIL_GLUELESS_DELEG;
				break;
			}
			/* NXNSAttack: names that do not exist are not looked up for ever. */
			if (it->budget->glueless >= l->max_glueless ||
			    it->budget->glueless_nx >= CP_ITER_MAX_GLUELESS_NX) {
				it->blocked = CP_ITER_FAIL_GLUELESS;
				break;
			}
		}
		if (it->depth + 1 > l->max_depth) {
			it->blocked = CP_ITER_FAIL_DEPTH;
			break;
		}
		if (start_target(it, i))
			/* Ended already (state back to QUERY_TARGETS): go on; else wait. */
			return it->state != CP_ITER_WAIT_TARGET;
	}
	/* Every server let a minimised query time out: one more round with the full name. */
	if (cp_iter_qmin_exhausted(it))
		return true;
	if (it->blocked != CP_ITER_OK)
		return fail(it, it->blocked);
	/* A cached delegation may be stale: its parent may know better servers (once). */
	if (cp_iter_deleg_fallback(it))
		return true;
	return fail(it, CP_ITER_FAIL_NO_SERVERS);
}

static void on_reply(void *arg, const struct cp_upq_result *r);

/* SEND: ask the chosen server for (sname, qtype), the timeout cut to the time left. */
static bool
st_send(struct cp_iter *it)
{
	struct cp_iter_env *env = it->env;
	const struct sockaddr_storage *srv = &it->dp.addr[it->cur].ss;
	uint64_t now = cp_iter_now_ms(it);
	uint64_t left = it->budget->start_ms + env->limits.max_time_ms - now;
	struct cp_infra_info info;
	struct cp_upq_params p;

	cp_infra_get(env->infra, (const struct sockaddr *)srv, now, &info);
	it->ask_min = cp_iter_qmin_asking(it);
	if (it->ask_min) {
		memcpy(it->ask_name, it->qmin_name, dns_name_length(it->qmin_name));
		it->ask_type = DNS_TYPE_A; /* why A: cp_iter_qmin.c */
		env->stats.qmin_sent++;
	} else {
		memcpy(it->ask_name, cp_iter_sname(it), dns_name_length(cp_iter_sname(it)));
		it->ask_type = it->qtype;
	}
	memset(&p, 0, sizeof(p));
	p.server = *srv;
	p.qname = it->ask_name;
	p.qtype = it->ask_type;
	p.qclass = it->qclass;
	p.edns = info.edns != CP_INFRA_EDNS_NO;
	p.rd = it->dp.forward;
	p.timeout_ms = info.rto_ms < left ? info.rto_ms : (uint32_t)left;
	if (it->dp.forward)
		p.timeout_ms = cp_iter_fwd_timeout_ms(info.rto_ms, left);
	it->sent_rto_ms = info.rto_ms;
	if (p.timeout_ms == 0)
		p.timeout_ms = 1;
	it->budget->sent++;
	env->stats.sent++;
	if (cp_net_query(&env->net, &p, on_reply, it, &it->handle) != 0) {
		/* Not started (e.g. -EBUSY): that server is out for this delegation. */
		it->handle = NULL;
		it->state = CP_ITER_QUERY_TARGETS;
		return true;
	}
	it->state = CP_ITER_WAIT_REPLY;
	return false;
}

static enum cp_rrc_rank
rank_of(const struct dns_rrset_in *rr, bool aa)
{
	switch (rr->section) {
	case DNS_SECTION_ANSWER:
		return aa ? CP_RRC_RANK_AUTH_ANSWER : CP_RRC_RANK_NONAUTH_ANSWER;
	case DNS_SECTION_AUTHORITY:
		return aa ? CP_RRC_RANK_AUTH_AUTHORITY : CP_RRC_RANK_NONAUTH_AUTHORITY;
	default:
		return CP_RRC_RANK_ADDITIONAL;
	}
}

void
cp_iter_store_response(struct cp_iter_env *env, const struct cp_response *r, bool aa,
                       uint64_t now_s)
{
	for (unsigned i = 0; i < r->n_rrsets; i++)
		(void)cp_rrcache_store(env->rrcache, &r->rrsets[i], rank_of(&r->rrsets[i], aa), now_s);
}

void
cp_iter_store_negative(struct cp_iter *it, const struct cp_response *r, bool aa, uint64_t now_s)
{
	if (r->soa < 0)
		return;
	(void)cp_rrcache_store_negative(it->env->rrcache,
	                                r->verdict == CP_RESP_NXDOMAIN ? CP_RRC_NXDOMAIN
	                                                               : CP_RRC_NODATA,
	                                r->sname, it->qtype, it->qclass, &r->rrsets[r->soa],
	                                aa ? CP_RRC_RANK_AUTH_AUTHORITY
	                                   : CP_RRC_RANK_NONAUTH_AUTHORITY,
	                                now_s);
}

static bool
next_server(struct cp_iter *it)
{
	it->state = CP_ITER_QUERY_TARGETS;
	return true;
}

/* PROCESS_RESPONSE: judge the reply to the delegation's zone, store, decide. */
static bool
st_process_response(struct cp_iter *it)
{
	struct cp_iter_env *env = it->env;
	const struct cp_upq_result *up = it->reply;
	const struct sockaddr *srv = (const struct sockaddr *)&it->dp.addr[it->cur].ss;
	struct cp_response *r = &env->scratch->resp;
	uint64_t now = cp_iter_now_ms(it);
	uint64_t now_s = now / 1000;
	struct cp_resp_query q;

	if (it->dp.forward)
		return cp_iter_fwd_process(it);
	it->reply = NULL;
	if (up->status != CP_UPQ_OK) {
		struct cp_iter_addr *a = &it->dp.addr[it->cur];
		struct cp_infra_info info;

		(void)cp_infra_timeout(env->infra, srv, it->sent_rto_ms, now);
		env->stats.timeouts++;
		cp_infra_get(env->infra, srv, now, &info);
		/* A minimised query's retry is qmin's own (the full name, cp_iter_qmin.c). */
		if (++a->timeouts < CP_ITER_ADDR_SENDS && up->status == CP_UPQ_TIMEOUT &&
		    !info.backoff && !it->ask_min)
			a->tried = false; /* a candidate again, at its backed-off RTO */
		if (it->ask_min)
			cp_iter_qmin_timeout(it);
		return next_server(it);
	}
	if (!up->tcp && up->rtt_us > 0)
		(void)cp_infra_rtt(env->infra, srv, up->rtt_us, now);
	/* The net matched the ID already; the parser checks the rest again. */
	q = (struct cp_resp_query){ .qname = it->ask_name,
		                    .zone = it->dp.zone,
		                    .qtype = it->ask_type,
		                    .qclass = it->qclass,
		                    .id = up->len >= 2 ? dns_get_u16(up->msg) : 0 };
	if (cp_response_parse(&q, up->msg, up->len, env->scratch->arena,
	                      sizeof(env->scratch->arena), r) != 0)
		return next_server(it);
	if ((unsigned)r->verdict < 16)
		env->stats.verdicts[r->verdict]++;
	if (it->ask_min && cp_iter_qmin_response(it, r, now_s))
		return true;
	switch (r->verdict) {
	case CP_RESP_SERVER_ERROR:
	case CP_RESP_LAME:
		(void)cp_infra_set_lame(env->infra, srv, it->dp.zone, env->limits.lame_ttl_ms, now);
		return next_server(it);
	case CP_RESP_MISMATCH:  /* the real net filters these: treat as no answer */
	case CP_RESP_TRUNCATED: /* cp_upstream retries over TCP itself */
	case CP_RESP_FORMERR:
	case CP_RESP_VERDICT_COUNT:
		return next_server(it);
	case CP_RESP_REFERRAL:
		/* cp_response calls a referral upwards or sideways LAME; check anyway. */
		if (!dns_name_in_zone(r->child_zone, it->dp.zone) ||
		    dns_name_equal(r->child_zone, it->dp.zone)) {
			(void)cp_infra_set_lame(env->infra, srv, it->dp.zone,
			                        env->limits.lame_ttl_ms, now);
			return next_server(it);
		}
		if (it->referrals >= env->limits.max_referrals)
			return fail(it, CP_ITER_FAIL_REFERRALS);
		it->referrals++;
		cp_iter_store_all(it, r, now_s);
		cp_iter_deleg_from_referral(it, r);
		it->state = CP_ITER_QUERY_TARGETS;
		return true;
	case CP_RESP_ANSWER:
	case CP_RESP_CNAME:
		cp_iter_store_all(it, r, now_s);
		cp_iter_hold_uncached(it, r, now_s);
		if (r->cname_loop)
			return fail(it, CP_ITER_FAIL_CNAME_LOOP);
		/* INIT reads the chain and the data back from the cache. */
		it->state = CP_ITER_INIT;
		return true;
	case CP_RESP_NXDOMAIN:
	case CP_RESP_NODATA:
		cp_iter_store_all(it, r, now_s);
		cp_iter_store_negative(it, r, true, now_s);
		cp_iter_hold_uncached(it, r, now_s);
		/* If the cache took nothing (no SOA, TTL 0), FINISH still knows the rcode. */
		it->neg_override = true;
		it->neg_rcode =
			r->verdict == CP_RESP_NXDOMAIN ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
		memcpy(it->neg_name, r->sname, dns_name_length(r->sname));
		it->state = CP_ITER_INIT;
		return true;
	}
	return next_server(it);
}

static void
iter_free(struct cp_iter *it)
{
	cp_iter_held_free(it);
	free(it);
}

/* FINISH: the result (from the cache, or SERVFAIL), the callback, the end. */
static void
st_finish(struct cp_iter *it)
{
	struct cp_iter_env *env = it->env;
	struct cp_iter_result res;

	cp_iter_result_build(it, &res);
	if (it->depth == 0) {
		if (res.rcode == DNS_RCODE_SERVFAIL)
			env->stats.servfail[res.cause]++;
		else if (it->budget->sent == 0)
			env->stats.cache_answers++;
	}
	if (it->sync_done != NULL)
		*it->sync_done = true;
	it->cb(it->arg, &res);
	iter_free(it);
}

/* The dispatch: run states until one waits for an event or the iterator is gone. */
static void
run(struct cp_iter *it)
{
	bool go = true;

	while (go) {
		if (it->state != CP_ITER_FINISH && it->state != CP_ITER_WAIT_REPLY &&
		    it->state != CP_ITER_WAIT_TARGET &&
		    cp_iter_now_ms(it) - it->budget->start_ms >= it->env->limits.max_time_ms)
			fail(it, CP_ITER_FAIL_TIME);
		switch (it->state) {
		case CP_ITER_INIT:
			go = st_init(it);
			break;
		case CP_ITER_FIND_DELEGATION:
			go = st_find_delegation(it);
			break;
		case CP_ITER_QUERY_TARGETS:
			go = st_query_targets(it);
			break;
		case CP_ITER_SEND:
			go = st_send(it);
			break;
		case CP_ITER_PROCESS_RESPONSE:
			go = st_process_response(it);
			break;
		case CP_ITER_WAIT_REPLY:
		case CP_ITER_WAIT_TARGET:
			go = false;
			break;
		case CP_ITER_FINISH:
			st_finish(it); /* frees it */
			return;
		}
	}
}

/* The net's completion of the query sent in SEND. */
static void
on_reply(void *arg, const struct cp_upq_result *r)
{
	struct cp_iter *it = arg;

	it->handle = NULL;
	it->reply = r;
	it->state = CP_ITER_PROCESS_RESPONSE;
	run(it);
}

/* A sub-resolution ended: take the NS addresses it found, go on. */
static void
on_target(void *arg, const struct cp_iter_result *res)
{
	struct cp_iter *it = arg;
	int ns = it->sub_ns;
	unsigned before = it->dp.n_addr;

	it->sub = NULL;
	if (res->rcode == DNS_RCODE_NXDOMAIN) {
		it->budget->glueless_nx++;
		it->dp.ns[ns].fetch = CP_ITER_FETCH_DONE; /* no AAAA for a name that is not */
	}
	/* A bound hit below is the reason if we run out of servers here. */
	if (res->cause != CP_ITER_OK && res->cause != CP_ITER_FAIL_NO_SERVERS &&
	    res->cause != CP_ITER_FAIL_CACHE)
		it->blocked = res->cause;
	/* From the result itself: a TTL-0 address is not in the cache but still usable now. */
	for (unsigned i = 0; i < res->tmpl.n_rrset; i++) {
		const struct dns_rrset_in *rr = &res->tmpl.rrsets[i];

		if (rr->section == DNS_SECTION_ANSWER && is_addr_type(rr->type))
			cp_iter_deleg_add_rdata(it, ns, rr->type, rr->rdata, rr->n_rdata);
	}
	(void)cp_iter_deleg_from_cache_addrs(it, ns);
	if (it->dp.n_addr > before)
		it->dp.ns[ns].fetch = CP_ITER_FETCH_DONE; /* A was enough; no AAAA */
	it->state = CP_ITER_QUERY_TARGETS;
	if (!it->starting_sub)
		run(it);
}

static struct cp_iter *
iter_new(struct cp_iter_env *env, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
         struct cp_iter *parent)
{
	struct cp_iter *it;
	int len = dns_name_scan(qname, DNS_NAME_MAXLEN, NULL);

	if (len < 0)
		return NULL;
	it = calloc(1, sizeof(*it));
	if (it == NULL)
		return NULL;
	it->env = env;
	it->state = CP_ITER_INIT;
	it->qtype = qtype;
	it->qclass = qclass;
	memcpy(it->qname, qname, (size_t)len);
	(void)dns_name_scan(qname, (size_t)len, it->names[0]);
	it->n_names = 1;
	it->parent = parent;
	cp_iter_qmin_reset(it);
	if (parent != NULL) {
		it->depth = parent->depth + 1;
		it->budget = parent->budget;
		it->cb = on_target;
		it->arg = parent;
	} else {
		it->budget = &it->own_budget;
		it->budget->start_ms = cp_iter_now_ms(it);
	}
	return it;
}

static int
iter_start(struct cp_iter_env *env, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
           bool refresh, cp_iter_done_fn cb, void *arg, struct cp_iter **out)
{
	struct cp_iter *it;
	bool done = false;

	if ((env->n_hints == 0 || env->hints == NULL) && env->forward == NULL)
		return -EINVAL;
	if (env->now_ms == NULL || cb == NULL ||
	    env->scratch == NULL || dns_name_scan(qname, DNS_NAME_MAXLEN, NULL) < 0)
		return -EINVAL;
	it = iter_new(env, qname, qtype, qclass, NULL);
	if (it == NULL)
		return -ENOMEM;
	it->cb = cb;
	it->arg = arg;
	it->refresh = refresh;
	it->sync_done = &done;
	env->stats.started++;
	run(it);
	if (!done)
		it->sync_done = NULL;
	if (out != NULL)
		*out = done ? NULL : it;
	return 0;
}

int
cp_iter_start(struct cp_iter_env *env, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
              cp_iter_done_fn cb, void *arg, struct cp_iter **out)
{
	return iter_start(env, qname, qtype, qclass, false, cb, arg, out);
}

int
cp_iter_start_refresh(struct cp_iter_env *env, const uint8_t *qname, uint16_t qtype,
                      uint16_t qclass, cp_iter_done_fn cb, void *arg, struct cp_iter **out)
{
	return iter_start(env, qname, qtype, qclass, true, cb, arg, out);
}

void
cp_iter_cancel(struct cp_iter *it)
{
	if (it->handle != NULL)
		cp_net_cancel(&it->env->net, it->handle);
	if (it->sub != NULL)
		cp_iter_cancel(it->sub);
	iter_free(it);
}
