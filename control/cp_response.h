/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Understanding an upstream response: decide whether a message answers the
 * query we sent (spoofing defence), classify it (RFC 1034 5.3.3, RFC 2308) and
 * extract the RRsets the iterator may cache, with out-of-bailiwick data dropped.
 *
 * The checks run in this order, and the first that fails decides:
 *
 *   FORMERR       shorter than a header
 *   MISMATCH      QR=0, opcode not QUERY, ID differs, QDCOUNT != 1, or a
 *                 question (name case-insensitively, type, class) that is not
 *                 ours: not an answer at all, ignore it and keep waiting
 *   FORMERR       a malformed question name or a truncated question
 *   TRUNCATED     TC=1: retry over TCP (the rest is not even parsed)
 *   FORMERR       any RR malformed: bad or truncated owner, header or RDATA, a
 *                 compressed name that overruns its RDATA, A/AAAA of the wrong
 *                 size, OPT outside additional or twice, bytes after the last RR
 *   SERVER_ERROR  an rcode (OPT's extended bits included) other than NOERROR
 *                 and NXDOMAIN; REFUSED means lame for this zone
 *   FORMERR       more RRsets or RRs kept than CP_RESP_MAX_RRSETS/_RRS, a CNAME
 *                 RRset of more than one record, data for qtype with NXDOMAIN
 *   LAME          answer data (the qtype RRset or a CNAME for qname) without AA
 *                 (unless the upstream is a forwarder), or no answer, no SOA,
 *                 AA=0 and no NS for a zone strictly between the asked zone and
 *                 qname (a referral upwards or sideways, or an empty reply)
 *   ANSWER        the qtype RRset at qname, or at the end of a CNAME chain
 *   CNAME         a chain whose last target has no data here: continue with it
 *   NXDOMAIN      rcode 3 (for the last name of the chain, RFC 6604)
 *   NODATA        NOERROR, no data, and an SOA in authority or AA=1
 *   REFERRAL      NOERROR, no data, no SOA, NS for a proper subdomain of the asked
 *                 zone that encloses qname (or the chain's last name)
 *
 * Bailiwick: every record whose owner is not at or below the asked zone is
 * dropped (CP_RESP_DROP_OUT_OF_ZONE) before anything else looks at it. Of the
 * rest only what the verdict needs is kept (the chain, the final RRset, the SOA,
 * the zone's NS, DNSSEC records, addresses of NS/MX/SRV targets; for a referral
 * the child's NS, DS and the glue at or below the child zone). Everything else
 * is counted by reason in cp_response.dropped. For MISMATCH, FORMERR, TRUNCATED,
 * SERVER_ERROR and LAME no RRset is returned at all.
 *
 * Parsing is done with the project's own dns_name_unpack(), not libknot: it
 * needs no allocation (knot_pkt_parse wants a memory context), pointers must
 * point strictly backwards so loops are impossible, and it lets the names in
 * RDATA be decompressed straight into the caller's arena. Names inside the
 * RDATA of NS, CNAME, DNAME, PTR, MX, SRV and SOA are decompressed (case kept);
 * RDATA of any other type is copied as it is (RFC 3597 forbids compression there).
 *
 * Owner: the control thread. Nothing here keeps state between calls.
 */
#ifndef CP_RESPONSE_H
#define CP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_template.h"
#include "dns_wire.h"

#define CP_RESP_MAX_RRSETS 64 /* RRsets kept before filtering; more is FORMERR */
#define CP_RESP_MAX_RRS    512 /* records kept before filtering; more is FORMERR */
#define CP_RESP_MAX_CHAIN  16  /* CNAMEs followed inside one response */

/*
 * Arena size that can never run out: every owner at full length, every RDATA
 * byte of a 64 KiB message, and each kept record grown by decompression to the
 * largest SOA (two 255-octet names and 20 octets). Smaller arenas work for
 * ordinary responses; cp_response_parse() returns -ENOBUFS when one is too small.
 */
#define CP_RESP_ARENA_MAX                                                                          \
	(CP_RESP_MAX_RRSETS * DNS_NAME_MAXLEN + DNS_MSG_MAXLEN +                                   \
	 CP_RESP_MAX_RRS * (2 * DNS_NAME_MAXLEN + 20))

/** Verdict on one response; see the top of this file for the order of checks. */
enum cp_resp_verdict {
	CP_RESP_ANSWER = 0, /* rrsets[answer] is the data, after chain[] */
	CP_RESP_CNAME,      /* chain[] ends at sname, whose data is not here */
	CP_RESP_NXDOMAIN,   /* sname does not exist; rrsets[soa] when soa >= 0 */
	CP_RESP_NODATA,     /* sname exists without qtype; rrsets[soa] when soa >= 0 */
	CP_RESP_REFERRAL,   /* go to child_zone: rrsets[ns] and the ADDITIONAL RRsets (glue) */
	CP_RESP_LAME,       /* the server is not authoritative for the zone asked */
	CP_RESP_SERVER_ERROR, /* rcode says so: try another server */
	CP_RESP_TRUNCATED,  /* TC=1: ask again over TCP */
	CP_RESP_MISMATCH,   /* not a reply to our query: ignore, keep waiting */
	CP_RESP_FORMERR,    /* malformed or over the limits */
	CP_RESP_VERDICT_COUNT,
};

/** Why records were dropped (cp_response.dropped[]), counted per record. */
enum cp_resp_drop {
	CP_RESP_DROP_OUT_OF_ZONE = 0, /* owner not at or below the zone asked */
	CP_RESP_DROP_GLUE,            /* referral address for an NS name outside the child zone */
	CP_RESP_DROP_UNRELATED,       /* in bailiwick but not needed by the verdict */
	CP_RESP_DROP_CLASS,           /* class other than the question's */
	CP_RESP_DROP_DUPLICATE,       /* same RDATA twice in one RRset */
	CP_RESP_DROP_LIMIT,           /* over CP_RESP_MAX_RRSETS or CP_RESP_MAX_RRS */
	CP_RESP_DROP_COUNT,
};

/** The query we sent and the zone whose server we sent it to. Read only. */
struct cp_resp_query {
	const uint8_t *qname; /* uncompressed wire name as sent, 0x20 case included */
	const uint8_t *zone;  /* delegation point asked ("." for a forwarder), any case */
	uint16_t qtype;
	uint16_t qclass;
	uint16_t id;
	bool forwarder;       /* upstream is a recursive resolver: AA is not expected */
};

/**
 * What one response says. Filled by cp_response_parse(); owned by the caller.
 * Owners, RDATA and sname point into the caller's arena, so they stay valid
 * until the arena is reused; nothing points into the message.
 */
struct cp_response {
	enum cp_resp_verdict verdict;
	uint16_t rcode;       /* 12-bit rcode, OPT's upper bits included */
	bool aa, tc, ra;
	bool qname_case_match; /* question echoed byte for byte (0x20 check) */
	bool cname_loop;      /* the chain came back to a name already in it */
	int16_t answer;       /* ANSWER: index into rrsets, else -1 */
	int16_t soa;          /* NXDOMAIN, NODATA: the SOA RRset or -1 */
	int16_t ns;           /* REFERRAL: the child's NS RRset, else -1 */
	uint8_t n_chain;
	int16_t chain[CP_RESP_MAX_CHAIN]; /* CNAME RRsets in order from qname */
	const uint8_t *sname; /* last name of the chain (qname if none), lower-cased */
	const uint8_t *child_zone; /* REFERRAL: owner of rrsets[ns], else NULL */
	uint16_t n_rrsets;
	uint16_t n_rdata;
	/*
	 * Kept RRsets in section order (dns_template_build() takes them as they are).
	 * Owners lower-cased, TTL the minimum of the records (top bit set means 0,
	 * RFC 2181 8), section = where the records came from, for trust ranking.
	 */
	struct dns_rrset_in rrsets[CP_RESP_MAX_RRSETS];
	struct dns_rdata rdata[CP_RESP_MAX_RRS]; /* backs rrsets[i].rdata */
	uint32_t dropped[CP_RESP_DROP_COUNT];
};

/**
 * Judge the response @p msg (@p len bytes) to the query @p q, which the caller
 * has already matched by source address and port.
 * @param arena     bytes the result's names and RDATA are written to
 * @param arena_cap their number; CP_RESP_ARENA_MAX is always enough
 * @param[out] r    the verdict and RRsets (its arrays are reused, not allocated)
 * @return 0 with r->verdict set; -EINVAL if @p q holds an invalid name or its qname
 *         is not at or below its zone; -ENOBUFS if @p arena is too small (r->verdict
 *         is then CP_RESP_FORMERR).
 * Control thread only; reads at most @p len bytes of @p msg, never allocates.
 */
int cp_response_parse(const struct cp_resp_query *q, const uint8_t *msg, size_t len,
		      uint8_t *arena, size_t arena_cap, struct cp_response *r);

/** Short lower-case name of a verdict ("answer", "referral", ...), for counters and logs. */
const char *cp_resp_verdict_name(enum cp_resp_verdict v);

/** Short lower-case name of a drop reason ("out_of_zone", "glue", ...). */
const char *cp_resp_drop_name(enum cp_resp_drop d);

#endif /* CP_RESPONSE_H */
