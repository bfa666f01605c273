/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Local data: static records and local zones the control thread answers from,
 * in the manner of Unbound's local-data and local-zone.
 *
 * Records are kept in RRsets by (owner, type, class) in a hash map keyed by
 * the lower-cased wire name, so a lookup costs one probe per name visited
 * (the question, each CNAME target, each MX/SRV/NS target, each ancestor
 * while looking for the enclosing zone), never a scan of the data.
 *
 * Answers (cp_localdata_answer), for a question (qname, qtype, qclass):
 *
 *   qname has an RRset of qtype      NOERROR, AA, the RRset; for MX, SRV and NS
 *                                    the local A/AAAA of their targets go into
 *                                    the additional section
 *   qtype ANY                        every RRset at qname (at most
 *                                    CP_LD_MAX_RRSETS)
 *   qname has a CNAME (qtype is not  the CNAME, and the chain followed through
 *     CNAME)                         local data: at most CP_LD_CNAME_MAX links,
 *                                    a loop ends the chain where it closes; the
 *                                    chain's end decides the rest as below
 *                                    (RFC 6604: the rcode is the last name's)
 *   qname exists, not with qtype     NODATA: NOERROR, AA, SOA in authority
 *     (in a static zone its apex and
 *     empty non-terminals exist too)
 *   no such name, in a static zone   NXDOMAIN, AA, SOA in authority
 *   no such name, transparent zone   not local (the resolver's question); so are
 *                                    its apex and empty non-terminals
 *   in a refuse zone, no answer      REFUSED (records inside are still answered)
 *   outside every local zone         not local, unless qname has local data,
 *                                    which acts as a transparent zone at
 *                                    qname (Unbound does the same)
 *
 * The zone deciding is the closest enclosing local zone. Zones apply to class
 * IN; questions of other classes get exact matches only.
 *
 * The SOA in a negative answer is the zone's own (the SOA RRset at its apex),
 * with TTL min(SOA TTL, SOA MINIMUM) as RFC 2308 5 says. A zone without one,
 * and data outside any zone, gets a synthesized SOA at the apex (the qname
 * itself for data outside any zone):
 *     APEX 60 IN SOA APEX nobody.invalid. 1 3600 1200 604800 60
 * so negative answers stay cacheable for a minute and no more. A SOA query at
 * such an apex is answered with the same record.
 *
 * Names in local data are taken literally: "*" is no wildcard, DNAME is not
 * followed.
 *
 * Ownership and threads: a struct cp_localdata belongs to the control thread;
 * nothing here locks. Answers point into the store and are valid until the
 * next change of it. After a change, templates built from the old data may
 * still sit in the workers' caches: the caller flushes the names it touched
 * (cp_localdata_generation() tells it that something changed).
 */
#ifndef CP_LOCALDATA_H
#define CP_LOCALDATA_H

#include <stddef.h>
#include <stdint.h>

#include "dns_template.h"
#include "dns_wire.h"

struct cp_localdata;

enum cp_lz_type {
	CP_LZ_STATIC = 0,  /* NXDOMAIN/NODATA for what local data lacks */
	CP_LZ_TRANSPARENT, /* answer local data; other names are resolved */
	CP_LZ_REFUSE,      /* answer local data; REFUSED for the rest */
};

/* Most RRs in one RRset (an answer must fit in one template). */
#define CP_LD_MAX_RRSET_RR 256
/* Most CNAMEs followed for one answer. */
#define CP_LD_CNAME_MAX 8
/* Most RRsets in one answer, all sections. */
#define CP_LD_MAX_RRSETS 64
/* Default TTL of a record that gives none. */
#define CP_LD_DEFAULT_TTL 3600
/* TTL and MINIMUM of a synthesized SOA. */
#define CP_LD_SYNTH_SOA_TTL 60
/* Room for any record in presentation form from cp_rr_to_text(). */
#define CP_RR_TEXT_MAX 4096

/** One resource record in wire form; pointers are borrowed. */
struct cp_rr {
	const uint8_t *owner; /* uncompressed wire name, any case */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata; /* uncompressed */
};

/** Create an empty store. @return NULL on allocation failure. Free with cp_localdata_free(). */
struct cp_localdata *cp_localdata_new(void);

/** Free the store and everything in it. NULL is fine. */
void cp_localdata_free(struct cp_localdata *ld);

/** "static", "transparent", "refuse" to a type. @return 0 or -EINVAL. */
int cp_lz_type_parse(const char *text, enum cp_lz_type *type);

/** Name of a zone type. */
const char *cp_lz_type_name(enum cp_lz_type type);

/**
 * Declare local zone @p name (wire form) of @p type.
 * @return 0, -EEXIST if the zone is already declared (with any type), -EINVAL, -ENOMEM.
 */
int cp_localdata_zone_add(struct cp_localdata *ld, const uint8_t *name, enum cp_lz_type type);

/** Remove local zone @p name; its records stay. @return 0 or -ENOENT. */
int cp_localdata_zone_remove(struct cp_localdata *ld, const uint8_t *name);

/**
 * Parse one record in zone-file syntax ("www.example.test. 300 IN A 198.18.1.10";
 * origin ".", so every name is absolute; default TTL CP_LD_DEFAULT_TTL; class IN,
 * the only one the zone-file scanner reads). Exactly one record; no directives.
 * @param[out] rr  points into a buffer of @p ld, valid until the next parse
 * @param err      the reason on failure, e.g. "invalid IPv4 address"
 * @return 0, -EINVAL, -ENOMEM.
 */
int cp_localdata_parse(struct cp_localdata *ld, const char *text, struct cp_rr *rr, char *err,
                       size_t errlen);

/**
 * Add one record.
 * @return 0; -EEXIST for a record already present (identical owner, type, class
 *         and RDATA); -EINVAL with a reason in @p err for: a meta type (OPT, ANY,
 *         AXFR, ...), class NONE/ANY, RDATA that is not valid for its type, a TTL
 *         other than the TTL of the RRset it joins (RFC 2181 5.2), CNAME next to
 *         other data or a second CNAME (RFC 1034 3.6.2, RFC 2181 10.1), a second
 *         SOA at one name; -E2BIG past CP_LD_MAX_RRSET_RR records; -ENOMEM.
 */
int cp_localdata_add(struct cp_localdata *ld, const struct cp_rr *rr, char *err, size_t errlen);

/** cp_localdata_parse() then cp_localdata_add(). Same results. */
int cp_localdata_add_text(struct cp_localdata *ld, const char *text, char *err, size_t errlen);

/** Remove the one record equal to @p rr (TTL ignored). @return 0 or -ENOENT. */
int cp_localdata_remove(struct cp_localdata *ld, const struct cp_rr *rr);

/**
 * Remove every record at @p owner of @p type (0: of every type), class IN.
 * @return the number removed (> 0), or -ENOENT.
 */
int cp_localdata_remove_name(struct cp_localdata *ld, const uint8_t *owner, uint16_t type);

/**
 * For the control socket's "local-data remove": @p text is "NAME" (every record
 * there), "NAME TYPE" (that RRset) or a whole record (that record).
 * @return the number of records removed (> 0), -ENOENT (nothing matched), -EINVAL.
 */
int cp_localdata_remove_text(struct cp_localdata *ld, const char *text, char *err, size_t errlen);

/** Records in the store. */
size_t cp_localdata_count(const struct cp_localdata *ld);

/** Bumped by every successful change of records or zones. */
uint64_t cp_localdata_generation(const struct cp_localdata *ld);

/**
 * Call @p cb for every record (owner lower-cased), in no particular order; stop
 * when it returns non-zero. The store must not change meanwhile.
 * @return 0, or what @p cb returned.
 */
int cp_localdata_foreach(const struct cp_localdata *ld,
                         int (*cb)(const struct cp_rr *rr, void *arg), void *arg);

/**
 * Call @p cb for every local zone. @return 0, or what @p cb returned.
 */
int cp_localdata_zone_foreach(const struct cp_localdata *ld,
                              int (*cb)(const uint8_t *name, enum cp_lz_type type, void *arg),
                              void *arg);

/** Write @p rr in presentation form (one line, no newline). @return length or -ENOSPC/-EINVAL. */
int cp_rr_to_text(const struct cp_rr *rr, char *out, size_t cap);

/* ---- answering ---- */

enum cp_ld_kind {
	CP_LD_NOT_LOCAL = 0, /* local data has nothing to say: resolve (or REFUSE for now) */
	CP_LD_ANSWER,        /* NOERROR with data (possibly a CNAME chain) */
	CP_LD_NODATA,        /* NOERROR, no data of the type: SOA in authority */
	CP_LD_NXDOMAIN,      /* NXDOMAIN, SOA in authority */
	CP_LD_REFUSED,       /* refuse zone */
};

/** Answer to one question. tmpl and its RRsets point into this struct and into the store. */
struct cp_ld_answer {
	enum cp_ld_kind kind;
	struct dns_tmpl_in tmpl; /* the input of dns_template_build(), unless NOT_LOCAL */
	/* The last CNAME target when the chain left local data (or hit CP_LD_CNAME_MAX):
	 * a resolver continues from it. NULL otherwise. */
	const uint8_t *chase;
	/* storage */
	struct dns_rrset_in rrsets[CP_LD_MAX_RRSETS];
	struct dns_rdata soa_rd;
	uint8_t soa[2 * DNS_NAME_MAXLEN + 20];
	uint8_t qname[DNS_NAME_MAXLEN];
};

/** "not-local", "answer", "nodata", "nxdomain", "refused". */
const char *cp_ld_kind_name(enum cp_ld_kind kind);

/**
 * Answer (@p qname, @p qtype, @p qclass) from local data into @p ans.
 * @p qname is an uncompressed wire name in any case; the template's question is
 * its lower-cased form (the cache key's).
 * @return ans->kind, or -EINVAL for a bad name.
 */
int cp_localdata_answer(const struct cp_localdata *ld, const uint8_t *qname, uint16_t qtype,
                        uint16_t qclass, struct cp_ld_answer *ans);

/**
 * cp_localdata_answer() and dns_template_build() into @p out (@p cap bytes,
 * 4-byte aligned). Control thread; nothing allocated.
 * @param[out] kind  the answer's kind (may be NULL)
 * @return the template's length; 0 when the answer is CP_LD_NOT_LOCAL (nothing
 *         written); -EINVAL, or -EMSGSIZE when the answer does not fit in a
 *         template (the caller answers SERVFAIL).
 */
int cp_localdata_build_template(const struct cp_localdata *ld, const uint8_t *qname, uint16_t qtype,
                                uint16_t qclass, void *out, size_t cap, enum cp_ld_kind *kind);

#endif /* CP_LOCALDATA_H */
