/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the dns/ unit suites: names, RDATA, templates, queries, packets, replies. */
#ifndef DNS_TEST_UTIL_H
#define DNS_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libknot/libknot.h>

#include "dns_query.h"
#include "dns_template.h"

/* ---- names and RDATA from text ---- */

/**
 * Wire name from dotted text without escapes ("" and "." are the root, a trailing dot is
 * optional), independent of the code under test.
 * @param out  room for the whole name
 * @return the length written to @p out
 */
size_t dt_wire(const char *text, uint8_t *out);

/** @return @p n bytes of a per-process test arena (never freed; asserts when full). */
void *dt_alloc(size_t n);

/** @return the wire form of @p text (see dt_wire()) in the test arena. */
const uint8_t *dt_name(const char *text);

/** @return @p c in lower case if it is an ASCII upper-case letter, else @p c. */
uint8_t dt_lc(uint8_t c);

/** @return true if the uncompressed names @p a and @p b are equal but for ASCII case. */
bool dt_name_eq_ci(const uint8_t *a, const uint8_t *b);

/** RDATA: a copy of @p len bytes of @p data in the test arena. */
struct dns_rdata dt_rd_bytes(const void *data, size_t len);
/** RDATA of an A record a.b.c.d. */
struct dns_rdata dt_rd_a(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
/** RDATA of an AAAA record 2001:db8::@p last. */
struct dns_rdata dt_rd_aaaa(uint16_t last);
/** RDATA that is one name (NS, CNAME, PTR). */
struct dns_rdata dt_rd_name(const char *text);
/** RDATA of an MX record. */
struct dns_rdata dt_rd_mx(uint16_t pref, const char *text);
/** RDATA of an SRV record. */
struct dns_rdata dt_rd_srv(uint16_t prio, uint16_t weight, uint16_t port, const char *text);
/** RDATA of a SOA record with fixed serial and timers and the given MINIMUM. */
struct dns_rdata dt_rd_soa(const char *mname, const char *rname, uint32_t minimum);
/** RDATA of a TXT record of one string (at most 255 octets). */
struct dns_rdata dt_rd_txt(const char *s);

/* ---- templates ---- */

#define DT_TB_MAX_SETS 64
#define DT_TB_MAX_RD   1100

/* Template input under construction: dt_tb_set() opens an RRset, dt_tb_rd() fills it. */
struct dt_tb {
	struct dns_tmpl_in in;
	struct dns_rrset_in sets[DT_TB_MAX_SETS];
	struct dns_rdata rd[DT_TB_MAX_RD];
	size_t n_rd;
};

/* The one template input of the process, which dt_tb_init() resets and returns. */
extern struct dt_tb dt_the_tb;

/** Reset the one template input of the process for @p qname / @p qtype (class IN) and return it. */
struct dt_tb *dt_tb_init(const char *qname, uint16_t qtype);

/** Open a new RRset of @p type in @p section (class IN); dt_tb_rd() adds its RDATA. */
void dt_tb_set(struct dt_tb *b, uint8_t section, const char *owner, uint16_t type, uint32_t ttl);

/** Add one RDATA to the RRset opened last. */
void dt_tb_rd(struct dt_tb *b, struct dns_rdata rd);

/**
 * Build @p b into the template buffer (filled with 0xa5 first) with room @p cap.
 * @return what dns_template_build() returns
 */
int dt_tb_try(struct dt_tb *b, size_t cap);

/** Build @p b with room DNS_TMPL_MAXLEN, assert it succeeds, and return the template. */
struct dns_template *dt_tb_build(struct dt_tb *b);

/** @return the template buffer that dt_tb_try() and dt_tb_build() write. */
struct dns_template *dt_tb_template(void);

/* ---- queries ---- */

/* What dt_mkquery() puts in a query with one question and optionally an OPT. */
struct dt_qspec {
	uint16_t id;
	uint16_t flags;        /* header word at offset 2 */
	const char *qname;     /* any case */
	uint16_t qtype;        /* 0: A */
	uint16_t qclass;       /* 0: IN */
	bool edns;
	uint16_t udp;          /* 0: 1232 */
	bool do_bit;
	uint8_t version;
	const uint8_t *opts;   /* OPT RDATA */
	uint16_t opts_len;
};

/* The query packet of dt_query(); replies may be written over it in place. */
extern uint8_t dt_qbuf[65536];

/** Write the query @p s describes to @p buf. @return its length. */
size_t dt_mkquery(uint8_t *buf, const struct dt_qspec *s);

/** Build @p s in dt_qbuf, parse it into @p q and assert the verdict is @p want. */
void dt_query_verdict(const struct dt_qspec *s, struct dns_query *q, enum dns_verdict want);

/** dt_query_verdict() expecting DNS_VERDICT_ANSWER. */
void dt_query(const struct dt_qspec *s, struct dns_query *q);

/* ---- packets byte by byte ---- */

/* ID of every message dt_put_header() starts. */
#define DT_TEST_ID 0xbeef

/* EDNS version @p v in the OPT TTL */
#define DT_TTL_VERSION(v) ((uint32_t)(v) << 16)

/* A message under construction; every dt_put_*() appends to it and asserts it fits. */
struct dt_pkt {
	uint8_t buf[1024];
	size_t len;
};

/** Append @p n bytes of @p b. */
void dt_put_bytes(struct dt_pkt *p, const void *b, size_t n);
/** Append one octet. */
void dt_put_u8(struct dt_pkt *p, uint8_t v);
/** Append a 16-bit value in network order. */
void dt_put_u16(struct dt_pkt *p, uint16_t v);
/** Append a 32-bit value in network order. */
void dt_put_u32(struct dt_pkt *p, uint32_t v);
/** Append a plain text name ("www.example.com", "." for the root, no escapes) in wire form. */
void dt_put_name(struct dt_pkt *p, const char *text);
/** Start a message over @p p: ID DT_TEST_ID, @p flags and the four counts. */
void dt_put_header(struct dt_pkt *p, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
		   uint16_t ar);
/** Append a question. */
void dt_put_question(struct dt_pkt *p, const char *name, uint16_t qtype, uint16_t qclass);
/** Start a plain query over @p p: RD set, one question, @p ar additional records to follow. */
void dt_put_query(struct dt_pkt *p, const char *name, uint16_t qtype, uint16_t qclass, uint16_t ar);
/** Append an A record of @p owner, as a query should never carry one. */
void dt_put_a_rr(struct dt_pkt *p, const char *owner);

/**
 * Start an OPT RR (root owner): @p ttl is ext-rcode | version | DO | Z.
 * @return the offset of RDLEN; dt_opt_end() fills it in after the options
 */
size_t dt_opt_begin(struct dt_pkt *p, uint16_t udp, uint32_t ttl);
/** Append one EDNS option of @p len octets of @p data. */
void dt_opt_option(struct dt_pkt *p, uint16_t code, uint16_t len, const void *data);
/** Set the RDLEN at @p rdlen_off to cover what follows it. */
void dt_opt_end(struct dt_pkt *p, size_t rdlen_off);
/** Append an option-less OPT. */
void dt_put_opt(struct dt_pkt *p, uint16_t udp, uint32_t ttl);

/**
 * Parse an exact-size heap copy of the first @p len bytes, so ASan catches any
 * read past len, and check the input is left alone. *q starts as garbage, so a
 * field the parser forgets to set does not pass by luck. Afterwards q->wire is
 * moved back to p->buf, which holds the same bytes.
 */
enum dns_verdict dt_parse_n(struct dt_pkt *p, size_t len, struct dns_query *q);
/** dt_parse_n() of the whole packet. */
enum dns_verdict dt_parse(struct dt_pkt *p, struct dns_query *q);
/** Assert the cache key of @p q: lower-case name @p lname, @p qtype, @p qclass, DO octet. */
void dt_assert_key(const struct dns_query *q, const uint8_t *lname, size_t name_len,
		   uint16_t qtype, uint16_t qclass, uint8_t do_octet);

/* ---- reading replies with libknot ---- */

/* One RR of a message other than OPT, as libknot decodes it. */
struct dt_rr {
	int section;
	knot_dname_storage_t owner; /* as decompressed, case kept */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[1024];
};

/* A message as libknot reads it. */
struct dt_reply {
	size_t len;
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount;
	uint16_t count[3];      /* per section, OPT not counted */
	knot_dname_storage_t qname; /* as on the wire */
	uint16_t qtype;
	uint16_t qclass;
	size_t n_rr;            /* RRs other than OPT, in wire order */
	bool has_opt;
	uint16_t opt_payload;
	uint8_t opt_version;
	uint8_t opt_ext_rcode;
	bool opt_do;
	uint16_t opt_rdlen;
	uint32_t opt_ttl;
	uint16_t ext_rcode;     /* knot_pkt_ext_rcode() */
};

/**
 * Parse a copy of the @p len (> 0) octets at @p msg with libknot, asserting it succeeds and
 * that the header counts match the sections; fill @p r and the RRs other than OPT, in wire
 * order, into @p rr (room for @p max_rr).
 */
void dt_kparse_into(const uint8_t *msg, int len, struct dt_reply *r, struct dt_rr *rr,
		    size_t max_rr);

/* What dt_kparse() read last: the reply and its RRs other than OPT (dt_r.n_rr of them). */
extern struct dt_reply dt_r;
extern struct dt_rr dt_rrs[700];

/** dt_kparse_into() to dt_r and dt_rrs. */
void dt_kparse(const uint8_t *msg, int len);

#endif /* DNS_TEST_UTIL_H */
