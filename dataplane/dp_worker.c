/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: rx burst -> classify -> parse -> ACL -> bulk cache lookup ->
 * serve in place (hit) or punt (miss) -> tx burst; between bursts, the fill ring.
 */
#include <stdatomic.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dns_serve.h"
#include "dp_doorbell.h"
#include "dp_msg.h"
#include "dp_worker.h"

atomic_bool dp_quit;

/* A burst's worth of frames on their way out, on one (port, queue). */
struct tx_batch {
	uint16_t n;
	struct rte_mbuf *m[DP_BURST_MAX];
};

static inline uint8_t *
frame_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint8_t *);
}

/* Bytes writable from @p off of the frame to the end of the mbuf's buffer. */
static inline size_t
room_from(const struct rte_mbuf *m, uint16_t off)
{
	return (size_t)m->buf_len - m->data_off - off;
}

static void
tx_flush(struct dp_worker *w, struct tx_batch *b, uint16_t port, uint16_t queue)
{
	uint16_t sent;

	if (b->n == 0)
		return;
	sent = rte_eth_tx_burst(port, queue, b->m, b->n);
	w->stats.tx += sent;
	if (unlikely(sent < b->n)) {
		w->stats.drop[DP_DROP_TX_FULL] += b->n - sent;
		rte_pktmbuf_free_bulk(&b->m[sent], b->n - sent);
	}
	b->n = 0;
}

static inline void
tx_add(struct tx_batch *b, struct rte_mbuf *m)
{
	b->m[b->n++] = m;
}

static bool
acl_allows(const struct dp_worker *w, const uint8_t *frame, const struct dp_pkt_info *info)
{
	const uint8_t *ip = frame + info->l3_off;
	uint32_t hop = 0;

	if (info->ipver == 4) {
		uint32_t a;
		memcpy(&a, ip + 12, 4);
		if (rte_lpm_lookup(w->shared->acl4, rte_be_to_cpu_32(a), &hop) != 0)
			return false;
	} else if (rte_lpm6_lookup(w->shared->acl6, ip + 8, &hop) != 0) {
		return false;
	}
	return hop == DP_ACL_ALLOW;
}

/* Lengths, checksums (software or offload) and mbuf lengths of a finished reply. */
static void
finish_reply(const struct dp_rxq *rq, struct rte_mbuf *m, const struct dp_pkt_info *info,
	     uint16_t frame_len)
{
	m->data_len = frame_len;
	m->pkt_len = frame_len;
	if (!rq->udp_csum_tx_sw && info->ipver == 4) {
		uint8_t *frame = frame_of(m);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(frame + info->l4_off);
		m->l2_len = info->l3_off;
		m->l3_len = (uint16_t)(info->l4_off - info->l3_off);
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
		udp->dgram_cksum = rte_ipv4_phdr_cksum(
			(const struct rte_ipv4_hdr *)(frame + info->l3_off), m->ol_flags);
	}
}

/* Answer the query in @p m in place with @p dns_len bytes already at info->dns_off. */
static void
send_in_place(struct dp_worker *w, const struct dp_rxq *rq, struct tx_batch *tx, struct rte_mbuf *m,
	      const struct dp_pkt_info *info, int dns_len)
{
	uint16_t frame_len;

	if (unlikely(dns_len < 0)) {
		w->stats.drop[DP_DROP_REPLY_FAILED]++;
		rte_pktmbuf_free(m);
		return;
	}
	/* IPv6 always carries a UDP checksum; dp_pkt computes it when offload is off. */
	frame_len = dp_pkt_turn_around(frame_of(m), info, (uint16_t)dns_len,
				       rq->udp_csum_tx_sw || info->ipver == 6);
	finish_reply(rq, m, info, frame_len);
	tx_add(tx, m);
}

/* A miss: hand the question to the control thread; SERVFAIL now if its ring is full. */
static void
punt(struct dp_worker *w, const struct dp_rxq *rq, struct tx_batch *tx, struct rte_mbuf *m,
     const struct dp_pkt_info *info, const struct dns_query *q)
{
	struct dp_punt p;

	p.type = DP_PUNT_QUERY;
	p.worker = (uint8_t)w->index;
	p.port_id = rq->port_id;
	dp_pkt_peer_from_query(frame_of(m), info, &p.peer);
	p.dns_len = dns_query_compact(q, p.dns);
	if (likely(rte_ring_sp_enqueue_elem(w->punt, &p, sizeof(p)) == 0)) {
		w->stats.punts++;
		rte_pktmbuf_free(m);
		return;
	}
	w->stats.punt_full++;
	send_in_place(w, rq, tx, m, info,
		      dns_serve_error(q, DNS_RCODE_SERVFAIL, frame_of(m) + info->dns_off,
				      room_from(m, info->dns_off)));
}

/* What to do with each frame of a burst, decided before the bulk lookup. */
struct burst {
	uint16_t n_lookup;
	struct rte_mbuf *m[DP_BURST_MAX];
	struct dp_pkt_info info[DP_BURST_MAX];
	struct dns_query q[DP_BURST_MAX];
	const struct dns_key *keys[DP_BURST_MAX];
	struct dp_cache_entry *hits[DP_BURST_MAX];
};

/*
 * Classify and parse one frame. Frames that need no lookup are finished here
 * (error replies, exception path, drops); the rest join the burst's lookup.
 */
static void
stage_frame(struct dp_worker *w, const struct dp_rxq *rq, struct burst *b, struct tx_batch *tx,
	    struct tx_batch *exc, struct rte_mbuf *m)
{
	uint16_t i = b->n_lookup;
	struct dp_pkt_info *info = &b->info[i];
	struct dns_query *q = &b->q[i];
	enum dp_pkt_reason reason;
	enum dp_pkt_verdict pv;
	enum dns_verdict dv;
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	uint64_t l3 = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	/* Each checksum the NIC did not find good is checked here (AF_XDP: both). */
	unsigned checks = (l3 != RTE_MBUF_F_RX_IP_CKSUM_GOOD ? DP_PKT_CHECK_IP4 : 0u) |
			  (l4 != RTE_MBUF_F_RX_L4_CKSUM_GOOD ? DP_PKT_CHECK_UDP : 0u);
	uint8_t *frame = frame_of(m);

	if (unlikely(m->nb_segs != 1)) {
		w->stats.drop[DP_DROP_MULTISEG]++;
		rte_pktmbuf_free(m);
		return;
	}
	pv = dp_pkt_classify(frame, m->data_len, &w->shared->service, checks, info, &reason);
	if (unlikely((l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD || l3 == RTE_MBUF_F_RX_IP_CKSUM_BAD) &&
		     pv == DP_PKT_DNS)) {
		pv = DP_PKT_DROP;
		reason = DP_PKT_R_BAD_CSUM;
	}
	w->stats.pkt[reason]++;
	if (unlikely(pv != DP_PKT_DNS)) {
		if (pv == DP_PKT_KERNEL && rq->exc_port_id != DP_NO_PORT) {
			w->stats.to_kernel++;
			tx_add(exc, m);
			return;
		}
		w->stats.drop[pv == DP_PKT_KERNEL ? DP_DROP_NO_EXCEPTION : DP_DROP_BAD_FRAME]++;
		rte_pktmbuf_free(m);
		return;
	}

	dp_pkt_strip_ipv4_options(frame, info);
	w->stats.queries++;
	dv = dns_query_parse(frame + info->dns_off, info->dns_len, q);
	w->stats.verdict[dv]++;
	if (unlikely(dv == DNS_VERDICT_DROP)) {
		w->stats.drop[DP_DROP_DNS]++;
		rte_pktmbuf_free(m);
		return;
	}
	uint8_t *dns = frame + info->dns_off;
	size_t cap = room_from(m, info->dns_off);
	if (unlikely(!acl_allows(w, frame, info))) {
		w->stats.acl_refused++;
		send_in_place(w, rq, tx, m, info, dns_serve_error(q, DNS_RCODE_REFUSED, dns, cap));
		return;
	}
	if (unlikely(dv != DNS_VERDICT_ANSWER)) {
		send_in_place(w, rq, tx, m, info,
			      dns_serve_error(q, dns_verdict_rcode(dv), dns, cap));
		return;
	}
	b->m[i] = m;
	b->keys[i] = &q->key;
	b->n_lookup++;
}

/*
 * A hit in @p e's prefetch window: tell the control thread once, so it refreshes
 * the answer before it expires. A full ring leaves the entry due: the next hit
 * tries again. Off the hit path's straight line.
 */
static __rte_noinline void
prefetch_report(struct dp_worker *w, struct dp_cache_entry *e)
{
	struct dp_punt p = { .type = DP_PUNT_PREFETCH, .worker = (uint8_t)w->index };

	p.dns_len = e->key_len;
	memcpy(p.dns, e->key, e->key_len);
	if (rte_ring_sp_enqueue_elem(w->punt, &p, sizeof(p)) != 0) {
		w->stats.prefetch_full++;
		return;
	}
	dp_cache_entry_prefetch_reported(e);
	w->stats.prefetch_reports++;
}

static void
serve_hit(struct dp_worker *w, const struct dp_rxq *rq, struct tx_batch *tx, struct rte_mbuf *m,
	  const struct dp_pkt_info *info, const struct dns_query *q, struct dp_cache_entry *e)
{
	const struct dns_template *t = dp_cache_entry_template(e);
	uint8_t *dns = frame_of(m) + info->dns_off;
	int n = dns_serve(t, q, dp_cache_entry_age(e, w->now), dp_cache_entry_next_rotation(e),
			  dns_query_udp_limit(q, w->shared->max_udp), dns, room_from(m, info->dns_off));

	if (n > 0 && (dns[2] & (DNS_FLAG_TC >> 8)))
		w->stats.truncated++;
	send_in_place(w, rq, tx, m, info, n);
	if (unlikely(dp_cache_entry_prefetch_due(e, w->now)))
		prefetch_report(w, e);
}

static void
rx_process(struct dp_worker *w, const struct dp_rxq *rq)
{
	struct rte_mbuf *rx[DP_BURST_MAX];
	struct tx_batch tx, exc; /* only n needs a value: no 0.5 KiB memset per poll */
	struct burst b;
	uint16_t n = rte_eth_rx_burst(rq->port_id, rq->queue_id, rx, DP_BURST_MAX);
	uint64_t t0, t1, t2, punts0;

	if (n == 0)
		return;
	t0 = rte_rdtsc();
	tx.n = 0;
	exc.n = 0;
	w->stats.rx += n;
	b.n_lookup = 0;
	punts0 = w->stats.punts;
	for (uint16_t i = 0; i < n; i++)
		stage_frame(w, rq, &b, &tx, &exc, rx[i]);

	if (b.n_lookup > 0) {
		dp_cache_lookup_bulk(w->cache, b.keys, b.n_lookup, w->now, b.hits);
		for (uint16_t i = 0; i < b.n_lookup; i++) {
			if (b.hits[i] != NULL) {
				w->stats.hits++;
				serve_hit(w, rq, &tx, b.m[i], &b.info[i], &b.q[i], b.hits[i]);
			} else {
				w->stats.misses++;
				punt(w, rq, &tx, b.m[i], &b.info[i], &b.q[i]);
			}
		}
	}
	if (w->stats.punts != punts0 && w->shared->doorbell != NULL)
		dp_doorbell_ring(w->shared->doorbell);
	t1 = rte_rdtsc();
	tx_flush(w, &tx, rq->port_id, rq->queue_id);
	if (exc.n > 0)
		tx_flush(w, &exc, rq->exc_port_id, rq->exc_queue_id);
	t2 = rte_rdtsc();
	w->stats.busy_cycles += t2 - t0;
	w->stats.tx_cycles += t2 - t1;
	w->stats.busy_frames += n;
}

/* Frames the kernel sent on the exception interface go out of the port. */
static void
exception_process(struct dp_worker *w, const struct dp_rxq *rq)
{
	struct tx_batch tx;
	uint16_t n = rte_eth_rx_burst(rq->exc_port_id, 0, tx.m, DP_BURST_MAX);

	if (n == 0)
		return;
	tx.n = n;
	w->stats.from_kernel += n;
	tx_flush(w, &tx, rq->port_id, rq->queue_id);
}

/* Build and queue a reply to a client the control thread answered. */
static void
fill_reply(struct dp_worker *w, const struct dp_rxq *rq, struct tx_batch *tx,
	   const struct dp_fill *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);
	struct dp_pkt_info info;
	struct dns_query q;
	uint8_t *frame, *dns;
	size_t cap;
	int n;

	if (unlikely(m == NULL)) {
		w->stats.drop[DP_DROP_NO_MBUF]++;
		return;
	}
	frame = frame_of(m);
	dp_pkt_write_headers(frame, &f->peer, &info);
	dns = frame + info.dns_off;
	cap = room_from(m, info.dns_off);
	memcpy(dns, f->dns, f->dns_len);
	if (unlikely(dns_query_parse(dns, f->dns_len, &q) != DNS_VERDICT_ANSWER)) {
		n = -EINVAL;
	} else if (f->blob != NULL) {
		/* Clients that waited on one flight each get their own rotation. */
		n = dns_serve((const struct dns_template *)(const void *)f->blob->tmpl, &q, 0,
			      w->fill_rotation++,
			      dns_query_udp_limit(&q, w->shared->max_udp), dns, cap);
	} else {
		n = dns_serve_error(&q, f->rcode, dns, cap);
	}
	if (unlikely(n < 0)) {
		w->stats.drop[DP_DROP_REPLY_FAILED]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (dns[2] & (DNS_FLAG_TC >> 8))
		w->stats.truncated++;
	finish_reply(rq, m, &info,
		     dp_pkt_finish(frame, &info, (uint16_t)n, rq->udp_csum_tx_sw || info.ipver == 6));
	w->stats.cp_replies++;
	tx_add(tx, m);
}

static void
fill_lookup(struct dp_worker *w, const struct dp_fill *f)
{
	struct dp_punt p = { .type = DP_PUNT_LOOKUP_RESULT, .worker = (uint8_t)w->index };
	struct dns_key key;
	struct dp_cache_entry *e;

	p.lookup_cookie = f->cookie;
	if (f->dns_len > 5 && f->dns_len <= DNS_KEY_MAXLEN) {
		key.len = f->dns_len;
		key.name_len = (uint16_t)(f->dns_len - 5);
		memcpy(key.bytes, f->dns, f->dns_len);
		e = dp_cache_lookup(w->cache, &key, w->now);
		if (e != NULL) {
			const struct dns_template *t = dp_cache_entry_template(e);
			p.lookup_found = 1;
			p.lookup_ttl = e->expires - w->now;
			p.lookup_rcode = t->flags & DNS_RCODE_MASK;
			memcpy(p.lookup_count, t->count, sizeof(p.lookup_count));
		}
	}
	/* A full ring loses the result; veloctl's request times out and says so. */
	(void)rte_ring_sp_enqueue_elem(w->punt, &p, sizeof(p));
}

/* The pair a reply to a client of port @p port_id leaves by; NULL if the worker has none. */
static const struct dp_rxq *
rxq_of_port(const struct dp_worker *w, uint16_t port_id)
{
	for (uint16_t i = 0; i < w->n_rxq; i++) {
		if (w->rxq[i].port_id == port_id)
			return &w->rxq[i];
	}
	return NULL;
}

static void
fill_process(struct dp_worker *w)
{
	struct dp_fill f[DP_FILL_BURST];
	struct tx_batch tx[DP_MAX_RXQ];
	unsigned n = rte_ring_sc_dequeue_burst_elem(w->fill, f, sizeof(f[0]), DP_FILL_BURST, NULL);
	const struct dp_rxq *rq;

	if (n == 0)
		return;
	for (uint16_t i = 0; i < w->n_rxq; i++)
		tx[i].n = 0;
	for (unsigned i = 0; i < n; i++) {
		switch (f[i].type) {
		case DP_FILL_INSERT:
			(void)dp_cache_insert_flags(
				w->cache, &f[i].blob->key,
				(const struct dns_template *)(const void *)f[i].blob->tmpl, w->now,
				f[i].blob->ttl,
				(f[i].blob->flags & DP_BLOB_PREFETCH) != 0 ? DP_CACHE_PREFETCH : 0);
			break;
		case DP_FILL_REPLY:
			rq = rxq_of_port(w, f[i].port_id);
			if (rq == NULL) {
				w->stats.drop[DP_DROP_REPLY_FAILED]++;
				break;
			}
			fill_reply(w, rq, &tx[rq - w->rxq], &f[i]);
			if (tx[rq - w->rxq].n == DP_BURST_MAX)
				tx_flush(w, &tx[rq - w->rxq], rq->port_id, rq->queue_id);
			break;
		case DP_FILL_FLUSH_NAME:
			(void)dp_cache_flush_name(w->cache, f[i].dns, f[i].dns_len);
			break;
		case DP_FILL_FLUSH_ALL:
			dp_cache_flush_all(w->cache);
			break;
		case DP_FILL_LOOKUP:
			fill_lookup(w, &f[i]);
			break;
		default:
			break;
		}
		if (f[i].blob != NULL)
			dp_blob_release(f[i].blob);
	}
	w->stats.fills += n;
	for (uint16_t i = 0; i < w->n_rxq; i++)
		tx_flush(w, &tx[i], w->rxq[i].port_id, w->rxq[i].queue_id);
}

int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	uint64_t turn = 0;

	while (likely(!atomic_load_explicit(&dp_quit, memory_order_relaxed))) {
		if ((turn++ & DP_CTL_POLL_MASK) == 0) {
			w->now = dp_worker_clock(rte_rdtsc(), w->tsc_start, w->tsc_hz);
			fill_process(w);
			for (uint16_t i = 0; i < w->n_rxq; i++) {
				if (w->rxq[i].exc_rx)
					exception_process(w, &w->rxq[i]);
			}
		}
		for (uint16_t i = 0; i < w->n_rxq; i++)
			rx_process(w, &w->rxq[i]);
	}
	return 0;
}
