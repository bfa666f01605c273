/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Priming (RFC 8109): ask a root hint ". NS" and keep the root's NS RRset and
 * the addresses of those names from the additional section in the master
 * cache, where FIND_DELEGATION finds them like any delegation. The hints are
 * used only while no such answer is cached: before the first priming, after a
 * failed one, and when the primed NS RRset has expired.
 *
 * A round asks up to CP_ITER_PRIME_TRIES hint addresses one after the other
 * (cp_infra_select among those not asked yet), each with its own RTO as timeout.
 * A good answer (RFC 8109 4): AA, the NS RRset of "." with at least one name, and
 * an address for at least one of them (in bailiwick: everything is under ".");
 * anything else counts as a failed try. A failed round waits a backoff (1 s,
 * doubling to CP_ITER_PRIME_BACKOFF_MAX_MS) before the next; rounds start when
 * asked (cp_iter_prime(), at resolver start) or when an iterator falls back to
 * the hints, so there is no timer and nothing runs when no question needs it.
 */
#include <errno.h>
#include <string.h>

#include "cp_iter_int.h"

#define CP_ITER_PRIME_TRIES          3
#define CP_ITER_PRIME_BACKOFF_MS     1000
#define CP_ITER_PRIME_BACKOFF_MAX_MS 60000

static void send_try(struct cp_iter_env *env, uint64_t now);

/* The round failed: no new one before the backoff has passed. */
static void
round_failed(struct cp_iter_env *env, uint64_t now)
{
	struct cp_iter_prime *p = &env->scratch->prime;
	uint64_t wait = CP_ITER_PRIME_BACKOFF_MS;

	for (unsigned i = 0; i < p->failures && wait < CP_ITER_PRIME_BACKOFF_MAX_MS; i++)
		wait *= 2;
	if (wait > CP_ITER_PRIME_BACKOFF_MAX_MS)
		wait = CP_ITER_PRIME_BACKOFF_MAX_MS;
	p->failures++;
	p->next_ms = now + wait;
	env->stats.prime_failed++;
}

/* Is @p r a priming answer worth replacing the hints with? */
static bool
good_answer(const struct cp_response *r)
{
	const struct dns_rrset_in *ns;

	if (r->verdict != CP_RESP_ANSWER || !r->aa || r->answer < 0)
		return false;
	ns = &r->rrsets[r->answer];
	if (ns->type != DNS_TYPE_NS || ns->owner[0] != 0 || ns->n_rdata == 0)
		return false;
	/* cp_response kept only addresses of the NS names: one is enough. */
	for (unsigned i = 0; i < r->n_rrsets; i++)
		if (r->rrsets[i].section == DNS_SECTION_ADDITIONAL &&
		    (r->rrsets[i].type == DNS_TYPE_A || r->rrsets[i].type == DNS_TYPE_AAAA))
			return true;
	return false;
}

static void
on_prime_reply(void *arg, const struct cp_upq_result *up)
{
	struct cp_iter_env *env = arg;
	struct cp_iter_prime *p = &env->scratch->prime;
	const struct sockaddr *srv = (const struct sockaddr *)&env->hints[p->hint].addr;
	struct cp_response *r = &env->scratch->resp;
	uint64_t now = env->now_ms(env->now_ctx);
	struct cp_resp_query q = { .qname = (const uint8_t *)"",
		                   .zone = (const uint8_t *)"",
		                   .qtype = DNS_TYPE_NS,
		                   .qclass = DNS_CLASS_IN };

	p->handle = NULL;
	if (up->status != CP_UPQ_OK) {
		(void)cp_infra_timeout(env->infra, srv, p->sent_rto_ms, now);
	} else {
		if (!up->tcp && up->rtt_us > 0)
			(void)cp_infra_rtt(env->infra, srv, up->rtt_us, now);
		q.id = up->len >= 2 ? dns_get_u16(up->msg) : 0;
		if (cp_response_parse(&q, up->msg, up->len, env->scratch->arena,
		                      sizeof(env->scratch->arena), r) == 0 &&
		    good_answer(r)) {
			cp_iter_store_response(env, r, r->aa, now / 1000);
			p->failures = 0;
			p->next_ms = 0;
			env->stats.prime_ok++;
			return;
		}
	}
	send_try(env, now);
}

/* Ask the next hint of this round, or end the round as failed. */
static void
send_try(struct cp_iter_env *env, uint64_t now)
{
	struct cp_iter_prime *p = &env->scratch->prime;
	struct sockaddr_storage cands[CP_ITER_PRIME_MAX_HINTS];
	unsigned map[CP_ITER_PRIME_MAX_HINTS], n = 0;
	struct cp_upq_params qp;
	struct cp_infra_info info;
	int k;

	for (size_t i = 0; i < env->n_hints && i < CP_ITER_PRIME_MAX_HINTS; i++) {
		if (!p->asked[i]) {
			cands[n] = env->hints[i].addr;
			map[n++] = (unsigned)i;
		}
	}
	if (n == 0 || p->tries >= CP_ITER_PRIME_TRIES) {
		round_failed(env, now);
		return;
	}
	k = cp_infra_select(env->infra, cands, n, (const uint8_t *)"", now);
	p->hint = map[k >= 0 ? k : 0];
	p->asked[p->hint] = true;
	p->tries++;
	cp_infra_get(env->infra, (const struct sockaddr *)&env->hints[p->hint].addr, now, &info);
	memset(&qp, 0, sizeof(qp));
	qp.server = env->hints[p->hint].addr;
	qp.qname = (const uint8_t *)"";
	qp.qtype = DNS_TYPE_NS;
	qp.qclass = DNS_CLASS_IN;
	qp.edns = info.edns != CP_INFRA_EDNS_NO; /* the answer is ~800 bytes: EDNS (RFC 8109 3) */
	qp.timeout_ms = info.rto_ms;
	p->sent_rto_ms = info.rto_ms;
	env->stats.prime_sent++;
	if (cp_net_query(&env->net, &qp, on_prime_reply, env, &p->handle) != 0) {
		p->handle = NULL;
		send_try(env, now); /* bounded: p->tries grew */
	}
}

void
cp_iter_prime(struct cp_iter_env *env)
{
	struct cp_iter_prime *p;
	uint64_t now;

	if (env->scratch == NULL || env->n_hints == 0 || env->now_ms == NULL)
		return;
	p = &env->scratch->prime;
	if (p->handle != NULL)
		return;
	now = env->now_ms(env->now_ctx);
	memset(p->asked, 0, sizeof(p->asked));
	p->tries = 0;
	send_try(env, now);
}

void
cp_iter_prime_due(struct cp_iter_env *env)
{
	const struct cp_iter_prime *p = &env->scratch->prime;

	if (env->priming && p->handle == NULL && env->now_ms(env->now_ctx) >= p->next_ms)
		cp_iter_prime(env);
}

void
cp_iter_prime_stop(struct cp_iter_env *env)
{
	struct cp_iter_prime *p = &env->scratch->prime;

	if (p->handle != NULL)
		cp_net_cancel(&env->net, p->handle);
	p->handle = NULL;
}
