/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The miss path in the control thread: punted and TCP queries join the flight
 * for their question; a finished flight's answer is built into a template once,
 * pushed to the workers' caches and sent to every waiting client.
 */
#include <errno.h>
#include <string.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "cp_answer.h"
#include "cp_daemon.h"
#include "cp_flight.h"
#include "cp_localdata.h"
#include "cp_resolver.h"
#include "cp_tcp.h"
#include "vd_time.h"

/* Punt messages taken from one worker per poll, so no worker starves the others. */
#define PUNT_BURST 64

/* Start answering a new flight: local data now; else the resolver, or REFUSED without one. */
static void
flight_start(struct cp_daemon *d, struct cp_flight *f, const struct dns_query *q)
{
	_Alignas(8) uint8_t buf[DNS_TMPL_MAXLEN];
	const struct dns_template *t = (const struct dns_template *)(const void *)buf;
	int rc = cp_localdata_build_template(d->local, q->key.bytes, q->qtype, q->qclass, buf,
					     sizeof(buf), NULL);

	if (rc > 0) {
		d->stats.local_answers++;
		cp_answer_flight(d, f, t, cp_answer_cache_ttl(&d->conf.cache, t), 0);
	} else if (rc < 0) {
		d->stats.fail[CP_FAIL_TEMPLATE]++;
		cp_answer_flight(d, f, NULL, 0, DNS_RCODE_SERVFAIL);
	} else if (d->resolver != NULL) {
		if (cp_resolver_start(d->resolver, f, q) != 0) {
			d->stats.fail[CP_FAIL_NO_MEMORY]++;
			cp_answer_flight(d, f, NULL, 0, DNS_RCODE_SERVFAIL);
		}
	} else {
		d->stats.fail[CP_FAIL_NOT_LOCAL]++;
		cp_answer_flight(d, f, NULL, 0, DNS_RCODE_REFUSED);
	}
}

void
cp_query_submit(struct cp_daemon *d, const struct cp_waiter *w)
{
	struct dns_query q;
	enum dns_verdict v = dns_query_parse(w->dns, w->dns_len, &q);
	struct cp_flight *f;
	bool started;

	if (v == DNS_VERDICT_DROP) {
		if (w->kind == CP_WAITER_TCP)
			cp_tcp_done(w->conn);
		return;
	}
	if (v != DNS_VERDICT_ANSWER) {
		cp_answer_now(d, w, dns_verdict_rcode(v));
		return;
	}
	f = cp_flight_join(d->flights, &q.key, w, vd_now_ns(), &started);
	if (f == NULL) {
		d->stats.fail[errno == EMLINK ? CP_FAIL_WAITERS_FULL
					       : errno == ENOSPC ? CP_FAIL_FLIGHTS_FULL
								 : CP_FAIL_NO_MEMORY]++;
		cp_answer_now(d, w, DNS_RCODE_SERVFAIL);
		return;
	}
	if (!started) {
		d->stats.coalesced++;
		return;
	}
	flight_start(d, f, &q);
}

void
cp_query_punt(struct cp_daemon *d, const struct dp_punt *p)
{
	struct cp_waiter w;

	if (p->worker >= d->n_workers || p->dns_len > sizeof(p->dns)) {
		d->stats.fail[CP_FAIL_BAD_PUNT]++;
		return;
	}
	d->stats.punts++;
	w.next = NULL;
	w.kind = CP_WAITER_UDP;
	w.worker = p->worker;
	w.port_id = p->port_id;
	w.peer = p->peer;
	w.conn = NULL;
	w.dns_len = p->dns_len;
	memcpy(w.dns, p->dns, p->dns_len);
	cp_query_submit(d, &w);
}

unsigned
cp_query_poll(struct cp_daemon *d)
{
	struct dp_punt p[PUNT_BURST];
	unsigned total = 0;

	for (unsigned i = 0; i < d->n_workers; i++) {
		unsigned n = rte_ring_sc_dequeue_burst_elem(d->workers[i]->punt, p, sizeof(p[0]),
							    PUNT_BURST, NULL);
		for (unsigned k = 0; k < n; k++) {
			if (p[k].type == DP_PUNT_QUERY)
				cp_query_punt(d, &p[k]);
			else if (p[k].type == DP_PUNT_LOOKUP_RESULT)
				cp_answer_lookup_result(d, &p[k]);
			else if (p[k].type == DP_PUNT_PREFETCH)
				cp_prefetch_report(d, &p[k]);
			else
				d->stats.fail[CP_FAIL_BAD_PUNT]++;
		}
		total += n;
	}
	return total;
}
