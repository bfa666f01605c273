/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QNAME minimisation (RFC 9156), relaxed as Unbound does it by default: a server
 * of zone Z is asked only one label more than Z (after MINIMISE_ONE_LAB steps,
 * a few more: RFC 9156 2.3), with QTYPE A, until the name reaches the question.
 *
 * Why QTYPE A and not NS (RFC 7816 used NS): RFC 9156 2.1 recommends A (or AAAA)
 * because an A query for a name hides among stub traffic, while NS queries below
 * a zone's apex are rare and some servers and middleboxes mishandle them; a zone
 * cut still answers an A query with the same referral as an NS query. Unbound
 * sends A too (iterator.c sets qinfo_out.qtype = A).
 *
 * The question itself is sent whole once only one label is missing: unlike
 * Unbound (which hides a non-A qtype one step longer) that costs no extra query
 * per name, which keeps upstream queries per question as they were.
 *
 * Answers to a minimised query (qname_min, A):
 *   referral           down to the child zone, as for any query (the caller)
 *   answer, NODATA     the name exists (data, or an empty non-terminal): stored
 *                      as for any query, then one step longer
 *   CNAME              an alias at an intermediate name says nothing of the
 *                      names below it: ignored (not stored), one step longer
 *   NXDOMAIN           RFC 8020 would end here; relaxed: some servers deny empty
 *                      non-terminals, so minimisation stops and the full name is
 *                      asked of the same delegation (nothing stored)
 *   error, lame, bad   REFUSED, SERVFAIL, FORMERR, an empty reply without AA:
 *                      likely the shortened name's fault, so no lame mark:
 *                      minimisation stops, the full name goes to the same server
 *   timeout            the same name to the next server; after
 *                      CP_ITER_MAX_MINIMISE_TIMEOUTS, or once every server of
 *                      the delegation was tried, minimisation stops: the servers
 *                      not tried yet get the full name, and then the best one
 *                      (cp_infra_select) gets it once more; so a dead zone costs
 *                      one query more than without minimisation
 * Once stopped, minimisation stays off for that name (a CNAME target starts over).
 */
#include <string.h>

#include "cp_iter_int.h"

void
cp_iter_qmin_reset(struct cp_iter *it)
{
	it->qmin = it->env->qname_minimisation ? CP_ITER_QMIN_STEP : CP_ITER_QMIN_OFF;
	it->qmin_has_name = false;
	it->qmin_count = 0;
	it->qmin_timeouts = 0;
	it->qmin_one_more = false;
}

void
cp_iter_qmin_deleg(struct cp_iter *it, bool downwards)
{
	const uint8_t *zone = it->dp.zone;

	if (it->qmin == CP_ITER_QMIN_OFF)
		return;
	/*
	 * Going down from a name that already took several labels at once, keep it:
	 * the child's servers are asked from there on. Otherwise start at the zone.
	 */
	if (!(downwards && it->qmin_has_name && dns_name_in_zone(it->qmin_name, zone) &&
	      !dns_name_equal(it->qmin_name, zone))) {
		memcpy(it->qmin_name, zone, dns_name_length(zone));
		it->qmin_has_name = true;
		it->qmin_count = 0;
	}
	it->qmin = CP_ITER_QMIN_STEP;
}

/* Labels to add at step @p count (0-based) with @p left labels missing (RFC 9156 2.3). */
static unsigned
step_labels(unsigned count, unsigned left)
{
	unsigned n;

	if (count < CP_ITER_MINIMISE_ONE_LAB)
		n = 1;
	else if (count < CP_ITER_MAX_MINIMISE_COUNT)
		n = left / (CP_ITER_MAX_MINIMISE_COUNT - count); /* spread over the steps left */
	else
		n = left;
	return n < 1 ? 1 : n > left ? left : n;
}

/* Make qmin_name the suffix of sname with @p labels labels. */
static void
set_suffix(struct cp_iter *it, unsigned labels)
{
	const uint8_t *p = cp_iter_sname(it);

	for (unsigned skip = dns_name_labels(p) - labels; skip > 0; skip--)
		p += 1u + *p;
	memmove(it->qmin_name, p, dns_name_length(p));
}

/* What the cache already says of (qmin_name, A): exists, does not exist, or nothing. */
static int
cached_state(struct cp_iter *it, uint64_t now_s)
{
	const struct cp_rrc_rrset *e = NULL;
	int kind = cp_rrcache_lookup(it->env->rrcache, it->qmin_name, DNS_TYPE_A, it->qclass, now_s,
	                             &e, NULL);

	if (kind == CP_RRC_NXDOMAIN)
		return -1;
	if (cp_iter_answers_client(kind, e))
		return 1;
	kind = cp_rrcache_lookup(it->env->rrcache, it->qmin_name, DNS_TYPE_CNAME, it->qclass,
	                         now_s, &e, NULL);
	return kind == CP_RRC_POSITIVE && cp_iter_answers_client(kind, e) ? 1 : 0;
}

void
cp_iter_qmin_step(struct cp_iter *it)
{
	const uint8_t *sname = cp_iter_sname(it);
	unsigned total = dns_name_labels(sname);
	uint64_t now_s = cp_iter_now_ms(it) / 1000;

	if (it->qmin != CP_ITER_QMIN_STEP)
		return;
	it->qmin = CP_ITER_QMIN_SAME;
	/* Bounded: each turn adds at least one label, and ends at sname. */
	for (;;) {
		unsigned have = dns_name_labels(it->qmin_name);

		if (have >= total) {
			set_suffix(it, total);
			return;
		}
		set_suffix(it, have + step_labels(it->qmin_count, total - have));
		it->qmin_count++;
		if (dns_name_labels(it->qmin_name) == total)
			return;
		switch (cached_state(it, now_s)) {
		case 1: /* known to exist (an answer, NODATA, a CNAME): no need to ask */
			continue;
		case -1: /* a cached NXDOMAIN: relaxed, as if a server had said it now */
			it->qmin = CP_ITER_QMIN_OFF;
			it->env->stats.qmin_fallbacks++;
			return;
		default:
			return;
		}
	}
}

bool
cp_iter_qmin_asking(const struct cp_iter *it)
{
	return it->qmin != CP_ITER_QMIN_OFF && it->qmin_has_name &&
	       !dns_name_equal(it->qmin_name, cp_iter_sname(it));
}

/* Every server of the delegation may be asked the next question (but not those that failed). */
static void
untry_all(struct cp_iter *it)
{
	for (unsigned i = 0; i < it->dp.n_addr; i++)
		it->dp.addr[i].tried = false;
	cp_iter_deleg_skip_failed(it);
}

/* Stop minimising this name: from now on the full name is asked. */
static void
stop(struct cp_iter *it)
{
	it->qmin = CP_ITER_QMIN_OFF;
	it->env->stats.qmin_fallbacks++;
}

void
cp_iter_qmin_timeout(struct cp_iter *it)
{
	if (++it->qmin_timeouts >= CP_ITER_MAX_MINIMISE_TIMEOUTS) {
		stop(it);
		it->qmin_one_more = true; /* the untried servers get the full name, then one more */
	}
}

bool
cp_iter_qmin_exhausted(struct cp_iter *it)
{
	struct sockaddr_storage cands[CP_ITER_MAX_ADDRS];
	int k;

	if (cp_iter_qmin_asking(it)) {
		stop(it);
		it->qmin_one_more = true;
	}
	if (!it->qmin_one_more || it->dp.n_addr == 0)
		return false;
	/* Only silence was heard: the best server is asked the full name once. */
	it->qmin_one_more = false;
	for (unsigned i = 0; i < it->dp.n_addr; i++)
		cands[i] = it->dp.addr[i].ss;
	k = cp_infra_select(it->env->infra, cands, it->dp.n_addr, it->dp.zone, cp_iter_now_ms(it));
	it->dp.addr[k >= 0 ? k : 0].tried = false;
	return true;
}

/* The shortened name exists (or is an alias): one step longer, a new question for every server. */
static bool
step_on(struct cp_iter *it)
{
	it->qmin = CP_ITER_QMIN_STEP;
	untry_all(it);
	it->state = CP_ITER_QUERY_TARGETS;
	return true;
}

bool
cp_iter_qmin_response(struct cp_iter *it, const struct cp_response *r, uint64_t now_s)
{
	switch (r->verdict) {
	case CP_RESP_REFERRAL:
	case CP_RESP_TRUNCATED:
	case CP_RESP_MISMATCH:
	case CP_RESP_VERDICT_COUNT:
		return false; /* as for any query */
	case CP_RESP_ANSWER:
	case CP_RESP_NODATA:
		cp_iter_store_all(it, r, now_s);
		if (r->verdict == CP_RESP_NODATA && r->soa >= 0)
			(void)cp_rrcache_store_negative(it->env->rrcache, CP_RRC_NODATA, r->sname,
			                                DNS_TYPE_A, it->qclass, &r->rrsets[r->soa],
			                                CP_RRC_RANK_AUTH_AUTHORITY, now_s);
		return step_on(it);
	case CP_RESP_CNAME:
		return step_on(it);
	case CP_RESP_NXDOMAIN:
	case CP_RESP_LAME:
	case CP_RESP_SERVER_ERROR:
	case CP_RESP_FORMERR:
		/* The same server gets the full name: it answered, just not to that. */
		stop(it);
		it->dp.addr[it->cur].tried = false;
		it->state = CP_ITER_QUERY_TARGETS;
		return true;
	}
	return false;
}
