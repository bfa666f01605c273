/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Messages between a worker and the control thread. DP_MSG_ABI
 *
 * Each worker has two single-producer/single-consumer rings of fixed-size
 * elements (rte_ring_create_elem), so no message is ever allocated:
 *
 *   punt ring   worker -> control   struct dp_punt: a query the cache missed, a
 *                                   prefetch report, or the answer to a control
 *                                   request
 *   fill ring   control -> worker   struct dp_fill: insert a template, answer a
 *                                   waiting client, flush, look up
 *
 * Templates travel as struct dp_blob, allocated by the control thread and shared
 * by every fill that names it. A blob is immutable once published, apart from its
 * reference count: the control thread sets refs to the number of fills naming it
 * before the first enqueue; each worker drops one reference when done with a fill
 * (after copying the template into its cache or serving from it), and the control
 * thread frees blobs whose count reached 0. Workers never allocate or free.
 */
#ifndef DP_MSG_H
#define DP_MSG_H

#include <stdatomic.h>
#include <stdint.h>

#include "dns_query.h"
#include "dns_template.h"
#include "dp_pkt.h"

/* A query in dns_query_compact() form: enough to re-serve it; +1 keeps elements 4-aligned. */
#define DP_MSG_DNS_MAX (DNS_QUERY_COMPACT_MAX + 1)

/** A template on its way to the workers. Owner: control thread; shared read-only. */
struct dp_blob {
	atomic_uint refs;        /* fills still naming this blob */
	uint32_t ttl;            /* seconds the workers may cache it; 0: serve, do not cache */
	struct dns_key key;
	uint16_t tmpl_len;
	uint8_t flags;           /* DP_BLOB_* */
	uint8_t pad;
	_Alignas(8) uint8_t tmpl[]; /* struct dns_template, tmpl_len bytes */
};

/* Blob flags. */
#define DP_BLOB_PREFETCH 1u /* resolver data: the entry reports its last tenth (prefetch) */

enum dp_punt_type {
	DP_PUNT_QUERY = 1,       /* cache miss: resolve and answer the client */
	DP_PUNT_LOOKUP_RESULT,   /* reply to DP_FILL_LOOKUP */
	DP_PUNT_PREFETCH,        /* a hit in an entry's prefetch window: refresh it; no client
				  * waits. dns[] holds the entry's struct dns_key bytes */
};

/** Worker -> control. */
struct dp_punt {
	uint8_t type;            /* enum dp_punt_type */
	uint8_t worker;          /* index of the sending worker */
	uint16_t port_id;        /* where the query came in; the reply leaves there */
	uint16_t dns_len;        /* bytes in dns[] */
	uint16_t lookup_rcode;   /* LOOKUP_RESULT: rcode of the cached answer */
	uint32_t lookup_ttl;     /* LOOKUP_RESULT: seconds left; 0 with found == 0 */
	uint32_t lookup_cookie;  /* LOOKUP_RESULT: the request's cookie */
	uint8_t lookup_found;
	uint8_t pad[3];
	uint16_t lookup_count[DNS_SECTION_COUNT];
	struct dp_pkt_peer peer; /* QUERY: the client */
	uint8_t dns[DP_MSG_DNS_MAX]; /* QUERY: the query as the client spelt it; PREFETCH: key */
};

_Static_assert(DP_MSG_DNS_MAX >= DNS_KEY_MAXLEN, "a prefetch report carries a whole key");

enum dp_fill_type {
	DP_FILL_INSERT = 1,      /* put blob into the cache */
	DP_FILL_REPLY,           /* answer peer's query dns[] from blob, or with rcode */
	DP_FILL_FLUSH_NAME,      /* remove every entry of the name in dns[] (lower-case wire) */
	DP_FILL_FLUSH_ALL,
	DP_FILL_LOOKUP,          /* look up key dns[] (a struct dns_key's bytes); answer by punt */
};

/** Control -> worker. */
struct dp_fill {
	uint8_t type;            /* enum dp_fill_type */
	uint8_t pad;
	uint16_t port_id;        /* REPLY: the port to send on (the query's) */
	uint16_t rcode;          /* REPLY without blob: the error to answer with */
	uint16_t dns_len;        /* bytes in dns[] */
	uint32_t cookie;         /* LOOKUP: echoed in the result */
	struct dp_blob *blob;    /* INSERT, REPLY: one reference, dropped by the worker */
	struct dp_pkt_peer peer; /* REPLY */
	uint8_t dns[DP_MSG_DNS_MAX];
};

_Static_assert(sizeof(struct dp_punt) % 4 == 0, "rte_ring elements are multiples of 4 bytes");
_Static_assert(sizeof(struct dp_fill) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

/** Drop the reference a fill held; the control thread frees the blob at 0. */
static inline void
dp_blob_release(struct dp_blob *b)
{
	atomic_fetch_sub_explicit(&b->refs, 1, memory_order_release);
}

#endif /* DP_MSG_H */
