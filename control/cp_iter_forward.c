/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iterator's forward zones: the delegation made of a zone's forwarders, and
 * what a forwarder's reply means (cp_iter.h, "Forwarding").
 *
 * Bailiwick: a reply from a forwarder of zone Z is judged with Z as the zone
 * asked (the root for "."), as for any delegation: the operator trusts that
 * resolver farm with Z, not with names outside it. So a CNAME chain that leaves
 * Z keeps only its part inside Z, and the iterator asks for the rest itself
 * (INIT follows the cached CNAME; the target finds its own forward zone, or is
 * resolved iteratively). Unbound judges forwarded replies against the forward
 * zone's name the same way (its scrubber takes the delegation point's name).
 *
 * Trust: a forwarder is a recursive resolver; its answer is answer data of a
 * reply that is not authoritative, even when it sets AA (its own local data).
 * Everything is cached at the non-authoritative ranks, so a later authoritative
 * answer replaces it and glue-ranked data never answers a client.
 */
#include <string.h>

#include "cp_forward.h"
#include "cp_iter_int.h"

bool
cp_iter_fwd_find(struct cp_iter *it)
{
	const struct cp_fwd_zone *z = cp_forward_lookup(it->env->forward, cp_iter_sname(it));
	struct cp_iter_deleg *dp = &it->dp;

	if (z == NULL)
		return false;
	cp_iter_deleg_reset(it, z->name);
	dp->forward = true;
	/* A forwarder gets the whole question: it resolves it, and QNAME minimisation
	 * (RFC 9156) protects names from authoritative servers, not from our own farm. */
	it->qmin = CP_ITER_QMIN_OFF;
	/* Copied: the table may change (control socket) while we wait for a reply. */
	for (unsigned i = 0; i < z->n_servers && dp->n_addr < CP_ITER_MAX_ADDRS; i++) {
		dp->addr[dp->n_addr].ss = z->servers[i];
		dp->addr[dp->n_addr].tried = false;
		dp->addr[dp->n_addr++].timeouts = 0;
	}
	it->env->stats.forwarded++;
	return true;
}

/*
 * The forwarder asked could not answer: on to QUERY_TARGETS, which picks the
 * next one (one that timed out only after those not asked yet, as for any
 * delegation: CP_ITER_ADDR_SENDS). Counted as a failover when some forwarder
 * remains to be asked. After a reply that failed (SERVFAIL, REFUSED, ...) the
 * forwarders in backoff are passed over: the farm is up and said no, and asking
 * a dead forwarder would only keep the client waiting for its timeout. After a
 * timeout they stay candidates (cp_infra_select() offers them last), as the
 * network may be at fault.
 */
static bool
failover(struct cp_iter *it, bool replied)
{
	struct cp_iter_deleg *dp = &it->dp;
	uint64_t now = cp_iter_now_ms(it);
	bool left = false;

	for (unsigned i = 0; i < dp->n_addr; i++) {
		struct cp_infra_info info;

		if (replied && !dp->addr[i].tried) {
			cp_infra_get(it->env->infra, (const struct sockaddr *)&dp->addr[i].ss, now,
			             &info);
			dp->addr[i].tried = info.backoff;
		}
		left = left || !dp->addr[i].tried;
	}
	if (left)
		it->env->stats.fwd_failovers++;
	it->state = CP_ITER_QUERY_TARGETS;
	return true;
}

/* A negative answer for @p name: INIT and FINISH use it even if the cache took nothing. */
static bool
negative(struct cp_iter *it, const uint8_t *name, uint8_t rcode)
{
	it->neg_override = true;
	it->neg_rcode = rcode;
	memcpy(it->neg_name, name, dns_name_length(name));
	it->state = CP_ITER_INIT;
	return true;
}

bool
cp_iter_fwd_process(struct cp_iter *it)
{
	struct cp_iter_env *env = it->env;
	const struct cp_upq_result *up = it->reply;
	const struct sockaddr *srv = (const struct sockaddr *)&it->dp.addr[it->cur].ss;
	struct cp_response *r = &env->scratch->resp;
	uint64_t now = cp_iter_now_ms(it);
	uint64_t now_s = now / 1000;
	struct cp_resp_query q;

	it->reply = NULL;
	if (up->status != CP_UPQ_OK) {
		struct cp_iter_addr *a = &it->dp.addr[it->cur];
		struct cp_infra_info info;

		/* As st_process_response(): asked once more, later, unless in backoff. */
		(void)cp_infra_timeout(env->infra, srv, it->sent_rto_ms, now);
		env->stats.timeouts++;
		cp_infra_get(env->infra, srv, now, &info);
		if (up->status == CP_UPQ_TIMEOUT && !info.backoff &&
		    ++a->timeouts < CP_ITER_ADDR_SENDS)
			a->tried = false;
		return failover(it, false);
	}
	if (!up->tcp && up->rtt_us > 0)
		(void)cp_infra_rtt(env->infra, srv, up->rtt_us, now);
	q = (struct cp_resp_query){ .qname = cp_iter_sname(it),
		                    .zone = it->dp.zone,
		                    .qtype = it->qtype,
		                    .qclass = it->qclass,
		                    .id = up->len >= 2 ? dns_get_u16(up->msg) : 0,
		                    .forwarder = true };
	if (cp_response_parse(&q, up->msg, up->len, env->scratch->arena,
	                      sizeof(env->scratch->arena), r) != 0)
		return failover(it, true);
	if ((unsigned)r->verdict < 16)
		env->stats.verdicts[r->verdict]++;
	switch (r->verdict) {
	case CP_RESP_ANSWER:
	case CP_RESP_CNAME:
		cp_iter_store_response(env, r, false, now_s);
		cp_iter_hold_uncached(it, r, now_s); /* TTL 0: returned as it came, not cached */
		if (r->cname_loop) {
			it->fail = CP_ITER_FAIL_CNAME_LOOP;
			it->state = CP_ITER_FINISH;
			return true;
		}
		it->state = CP_ITER_INIT; /* reads the chain and the data back from the cache */
		return true;
	case CP_RESP_NXDOMAIN:
	case CP_RESP_NODATA:
		/* A forwarder's answer counts as not authoritative, AA or not. */
		cp_iter_store_response(env, r, false, now_s);
		cp_iter_store_negative(it, r, false, now_s);
		cp_iter_hold_uncached(it, r, now_s);
		return negative(it, r->sname,
		                r->verdict == CP_RESP_NXDOMAIN ? DNS_RCODE_NXDOMAIN
		                                               : DNS_RCODE_NOERROR);
	case CP_RESP_LAME:
		/*
		 * NOERROR, no data, no SOA inside the zone, no referral. From a
		 * resolver that recursed (RA=1) that is NODATA whose SOA lies above
		 * the forward zone (a forward zone need not be a zone cut): answer it,
		 * cache nothing. Without RA it is a server that did not recurse.
		 */
		if (r->ra)
			return negative(it, cp_iter_sname(it), DNS_RCODE_NOERROR);
		return failover(it, true);
	case CP_RESP_SERVER_ERROR:
		/* SERVFAIL says the name failed there, not that the forwarder is bad. */
		if (r->rcode == DNS_RCODE_REFUSED)
			(void)cp_infra_set_lame(env->infra, srv, it->dp.zone,
			                        env->limits.lame_ttl_ms, now);
		return failover(it, true);
	case CP_RESP_REFERRAL:
		/* A referral answers RD=1 from a server that does not recurse for us. */
		(void)cp_infra_set_lame(env->infra, srv, it->dp.zone, env->limits.lame_ttl_ms, now);
		return failover(it, true);
	case CP_RESP_MISMATCH:
	case CP_RESP_TRUNCATED:
	case CP_RESP_FORMERR:
	case CP_RESP_VERDICT_COUNT:
		break;
	}
	return failover(it, true);
}
