/* SPDX-License-Identifier: BSD-3-Clause */
/* Delivering answers: a finished flight's template to the workers' caches and every waiter. */
#include <errno.h>
#include <string.h>

#include "cp_answer.h"
#include "cp_flight.h"
#include "cp_push.h"
#include "cp_tcp.h"
#include "dns_serve.h"

_Static_assert(CP_FLIGHT_MAX_WORKERS >= CP_CONF_MAX_LCORE, "a flight must track every worker");

static void
reply_udp(struct cp_daemon *d, const struct cp_waiter *w, struct dp_blob *blob, uint16_t rcode)
{
	struct dp_fill f = {
		.type = DP_FILL_REPLY,
		.port_id = w->port_id,
		.rcode = rcode,
		.blob = blob,
		.dns_len = w->dns_len,
		.peer = w->peer,
	};

	memcpy(f.dns, w->dns, w->dns_len);
	if (cp_push_fill(d->push, w->worker, &f) == 0)
		d->stats.udp_replies++;
}

static void
reply_tcp(struct cp_daemon *d, const struct cp_waiter *w, const struct dns_template *t,
	  uint16_t rcode)
{
	uint8_t buf[DNS_MSG_MAXLEN];
	struct dns_query q;
	int n;

	if (dns_query_parse(w->dns, w->dns_len, &q) == DNS_VERDICT_DROP) {
		cp_tcp_done(w->conn);
		return;
	}
	n = t != NULL ? dns_serve(t, &q, 0, d->tcp_rotation++, sizeof(buf), buf, sizeof(buf))
		      : dns_serve_error(&q, rcode, buf, sizeof(buf));
	if (n < 0) {
		cp_tcp_done(w->conn);
		return;
	}
	cp_tcp_send(w->conn, buf, (uint16_t)n);
	d->stats.tcp_replies++;
}

static struct dp_blob *
make_blob(struct cp_daemon *d, const struct dns_key *key, const struct dns_template *t,
	  uint32_t cache_ttl, unsigned opts)
{
	struct dp_blob *blob = cp_push_blob(d->push, key, t, cache_ttl);

	if (blob != NULL && (opts & CP_ANSWER_PREFETCH) != 0)
		blob->flags |= DP_BLOB_PREFETCH;
	return blob;
}

static void
insert_all(struct cp_daemon *d, struct dp_blob *blob, const uint64_t *mask, unsigned opts)
{
	struct dp_fill ins = { .type = DP_FILL_INSERT, .blob = blob };
	bool all = d->conf.cache.push_to_all_workers || (opts & CP_ANSWER_ALL_WORKERS) != 0;

	for (unsigned i = 0; i < d->n_workers; i++) {
		if (all || cp_flight_mask_has(mask, i))
			(void)cp_push_fill(d->push, i, &ins);
	}
	d->stats.pushed_entries++;
}

void
cp_answer_flight(struct cp_daemon *d, struct cp_flight *f, const struct dns_template *t,
		 uint32_t cache_ttl, uint16_t rcode)
{
	cp_answer_flight_opts(d, f, t, cache_ttl, rcode, 0);
}

void
cp_answer_flight_opts(struct cp_daemon *d, struct cp_flight *f, const struct dns_template *t,
		      uint32_t cache_ttl, uint16_t rcode, unsigned opts)
{
	struct dp_blob *blob = NULL;

	cp_flight_remove(d->flights, f);
	if (t != NULL) {
		blob = make_blob(d, &f->key, t, cache_ttl, opts);
		if (blob == NULL) {
			d->stats.fail[CP_FAIL_NO_MEMORY]++;
			t = NULL;
			rcode = DNS_RCODE_SERVFAIL;
		}
	}
	if (blob != NULL && cache_ttl > 0)
		insert_all(d, blob, f->worker_mask, opts);
	for (struct cp_waiter *w = f->waiters; w != NULL; w = w->next) {
		if (w->kind == CP_WAITER_UDP)
			reply_udp(d, w, blob, rcode);
		else
			reply_tcp(d, w, t, rcode);
	}
	cp_flight_free(f);
}

int
cp_answer_push(struct cp_daemon *d, const struct dns_key *key, const struct dns_template *t,
	       uint32_t cache_ttl, const uint64_t *mask, unsigned opts)
{
	struct dp_blob *blob;

	if (cache_ttl == 0)
		return 0;
	blob = make_blob(d, key, t, cache_ttl, opts);
	if (blob == NULL) {
		d->stats.fail[CP_FAIL_NO_MEMORY]++;
		return -ENOMEM;
	}
	insert_all(d, blob, mask, opts);
	return 0;
}

void
cp_answer_now(struct cp_daemon *d, const struct cp_waiter *w, uint16_t rcode)
{
	if (w->kind == CP_WAITER_UDP)
		reply_udp(d, w, NULL, rcode);
	else
		reply_tcp(d, w, NULL, rcode);
}


uint32_t
cp_answer_cache_ttl(const struct cp_cache_conf *c, const struct dns_template *t)
{
	uint32_t ttl = t->ttl_min;

	if (t->n_rr == 0)
		return 0; /* nothing to take a TTL from (REFUSED, an empty answer): serve only */
	/* Negative (RFC 2308): an error rcode, or NOERROR with nothing in the answer. */
	if ((t->flags & DNS_RCODE_MASK) != DNS_RCODE_NOERROR || t->count[DNS_SECTION_ANSWER] == 0)
		ttl = VD_MIN(ttl, c->max_negative_ttl);
	if (ttl < c->min_ttl)
		ttl = c->min_ttl;
	if (c->max_ttl != 0 && ttl > c->max_ttl)
		ttl = c->max_ttl;
	return ttl;
}
