/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prefetch in the control thread: a worker reported a hit in the last tenth of
 * an entry's TTL (DP_PUNT_PREFETCH, the entry's key, no client); resolve the
 * question again in refresh mode, coalesced with any flight for it, and push
 * the answer to the workers before the old one expires.
 */
#include <string.h>

#include "cp_answer.h"
#include "cp_daemon.h"
#include "cp_flight.h"
#include "cp_resolver.h"
#include "dns_name.h"
#include "dns_wire.h"
#include "vd_time.h"

/* The question of a report: a well-formed, lower-cased key (workers hold only such keys). */
static bool
key_of_report(const struct dp_punt *p, struct dns_query *q)
{
	uint8_t lower[DNS_NAME_MAXLEN];
	size_t name_len;

	if (p->dns_len < 6 || p->dns_len > DNS_KEY_MAXLEN)
		return false;
	name_len = (size_t)p->dns_len - 5;
	if (dns_name_scan(p->dns, name_len, lower) != (int)name_len ||
	    memcmp(lower, p->dns, name_len) != 0 || p->dns[name_len + 4] > 1)
		return false;
	memset(q, 0, sizeof(*q));
	q->key.len = p->dns_len;
	q->key.name_len = (uint16_t)name_len;
	memcpy(q->key.bytes, p->dns, p->dns_len);
	q->qtype = dns_get_u16(p->dns + name_len);
	q->qclass = dns_get_u16(p->dns + name_len + 2);
	q->qname_len = (uint16_t)name_len;
	q->edns_do = p->dns[name_len + 4] != 0;
	return true;
}

void
cp_prefetch_report(struct cp_daemon *d, const struct dp_punt *p)
{
	struct cp_resolver_stats *st;
	struct cp_flight *f;
	struct dns_query q;
	bool started;

	if (d->resolver == NULL) {
		/* Only resolver answers carry a prefetch window: a worker bug if ever seen. */
		d->stats.fail[CP_FAIL_BAD_PUNT]++;
		return;
	}
	st = cp_resolver_counters(d->resolver);
	st->prefetch_reports++;
	if (!d->conf.resolver.prefetch || p->worker >= d->n_workers || !key_of_report(p, &q)) {
		st->prefetch_ignored++;
		return;
	}
	f = cp_flight_open(d->flights, &q.key, p->worker, vd_now_ns(), &started);
	if (f == NULL) {
		st->prefetch_ignored++; /* flight table full: clients come first */
		return;
	}
	if (!started) {
		st->prefetch_coalesced++; /* the answer in flight goes to this worker too */
		return;
	}
	if (cp_resolver_refresh(d->resolver, f, &q) != 0)
		cp_answer_flight(d, f, NULL, 0, DNS_RCODE_SERVFAIL); /* no waiter: frees it */
}
