/* SPDX-License-Identifier: BSD-3-Clause */
/* Upstream response acceptance, classification and bailiwick filtering for the iterator. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cp_response.h"
#include "dns_name.h"
#include "dns_wire.h"

#define RESP_TYPE_NSEC3 50 /* RFC 5155; not (yet) in dns_wire.h */

/* One RR as read from the message: owner lower-cased, RDATA still in place. */
struct resp_rr {
	uint8_t owner[DNS_NAME_MAXLEN];
	uint16_t owner_len;
	uint16_t type;
	uint16_t rclass;
	uint16_t rdlen;
	uint32_t ttl;
	size_t rd_pos;
};

/* A kept record: its expanded RDATA in the arena and the RRset it belongs to. */
struct resp_rec {
	const uint8_t *data;
	uint16_t len;
	uint8_t set;
};

/* Working state of one cp_response_parse() call; lives on its stack. */
struct resp_ctx {
	const uint8_t *msg;
	size_t len;
	uint8_t *arena;
	size_t cap;
	size_t used;
	struct cp_response *r;
	const struct cp_resp_query *q;
	uint8_t zone[DNS_NAME_MAXLEN]; /* lower-cased */
	uint16_t n_sets;
	uint16_t n_recs;
	bool over_limit;
	uint8_t drop[CP_RESP_MAX_RRSETS]; /* 0 kept, else enum cp_resp_drop + 1 */
	struct dns_rrset_in sets[CP_RESP_MAX_RRSETS];
	struct resp_rec recs[CP_RESP_MAX_RRS];
};

static const char *const verdict_names[CP_RESP_VERDICT_COUNT] = {
	[CP_RESP_ANSWER] = "answer",       [CP_RESP_CNAME] = "cname",
	[CP_RESP_NXDOMAIN] = "nxdomain",   [CP_RESP_NODATA] = "nodata",
	[CP_RESP_REFERRAL] = "referral",   [CP_RESP_LAME] = "lame",
	[CP_RESP_SERVER_ERROR] = "server_error", [CP_RESP_TRUNCATED] = "truncated",
	[CP_RESP_MISMATCH] = "mismatch",   [CP_RESP_FORMERR] = "formerr",
};

static const char *const drop_names[CP_RESP_DROP_COUNT] = {
	[CP_RESP_DROP_OUT_OF_ZONE] = "out_of_zone", [CP_RESP_DROP_GLUE] = "glue",
	[CP_RESP_DROP_UNRELATED] = "unrelated",     [CP_RESP_DROP_CLASS] = "class",
	[CP_RESP_DROP_DUPLICATE] = "duplicate",     [CP_RESP_DROP_LIMIT] = "limit",
};

/* Read the RR at *pos (owner, fixed fields, RDATA bounds) and move *pos past it. */
static int
rr_read(const uint8_t *msg, size_t len, size_t *pos, struct resp_rr *rr)
{
	size_t wl, p;
	int n = dns_name_unpack(msg, len, *pos, rr->owner, true, &wl);

	if (n < 0)
		return -EBADMSG;
	rr->owner_len = (uint16_t)n;
	p = *pos + wl;
	if (len - p < 10)
		return -EBADMSG;
	rr->type = dns_get_u16(msg + p);
	rr->rclass = dns_get_u16(msg + p + 2);
	rr->ttl = dns_get_u32(msg + p + 4);
	rr->rdlen = dns_get_u16(msg + p + 8);
	rr->rd_pos = p + 10;
	if (rr->rdlen > len - rr->rd_pos)
		return -EBADMSG;
	*pos = rr->rd_pos + rr->rdlen;
	return 0;
}

/* RDATA that holds names (RFC 1035 3.3, RFC 2782, RFC 6672): fixed octets before, names, after. */
static bool
rdata_layout(uint16_t type, unsigned *pre, unsigned *names, unsigned *post)
{
	*pre = 0;
	*names = 1;
	*post = 0;
	switch (type) {
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
	case DNS_TYPE_DNAME:
		return true;
	case DNS_TYPE_MX:
		*pre = 2;
		return true;
	case DNS_TYPE_SRV:
		*pre = 6;
		return true;
	case DNS_TYPE_SOA:
		*names = 2;
		*post = 20;
		return true;
	default:
		return false;
	}
}

/* Append @p n bytes to out (or only count them when out is NULL). */
static int
put(uint8_t *out, size_t cap, size_t *o, const uint8_t *src, size_t n)
{
	if (out != NULL) {
		if (n > cap - *o)
			return -ENOBUFS;
		memcpy(out + *o, src, n);
	}
	*o += n;
	return 0;
}

/*
 * Validate the RDATA of @p rr and, if @p out is not NULL, write it with every
 * name decompressed. A name must lie inside its RDATA (a pointer may still lead
 * anywhere earlier in the message). Returns the expanded length or -errno.
 */
static int
rdata_expand(const uint8_t *msg, size_t len, const struct resp_rr *rr, uint8_t *out, size_t cap)
{
	size_t p = rr->rd_pos, end = rr->rd_pos + rr->rdlen, o = 0, wl;
	unsigned pre, names, post;
	uint8_t name[DNS_NAME_MAXLEN];
	int n;

	if ((rr->type == DNS_TYPE_A && rr->rdlen != 4) ||
	    (rr->type == DNS_TYPE_AAAA && rr->rdlen != 16))
		return -EBADMSG;
	if (!rdata_layout(rr->type, &pre, &names, &post))
		return put(out, cap, &o, msg + p, rr->rdlen) < 0 ? -ENOBUFS : (int)o;
	if (pre > end - p || put(out, cap, &o, msg + p, pre) < 0)
		return pre > end - p ? -EBADMSG : -ENOBUFS;
	p += pre;
	for (unsigned i = 0; i < names; i++) {
		if (p >= end)
			return -EBADMSG;
		n = dns_name_unpack(msg, len, p, name, false, &wl);
		if (n < 0 || wl > end - p)
			return -EBADMSG;
		if (put(out, cap, &o, name, (size_t)n) < 0)
			return -ENOBUFS;
		p += wl;
	}
	if (end - p != post)
		return -EBADMSG;
	if (put(out, cap, &o, msg + p, post) < 0)
		return -ENOBUFS;
	return (int)o;
}

/* Check every RR of the three sections; find OPT for the extended rcode. */
static int
validate_rrs(const uint8_t *msg, size_t len, size_t pos, const uint16_t count[3],
	     uint32_t *opt_ttl)
{
	struct resp_rr rr;
	bool has_opt = false;

	for (unsigned s = 0; s < 3; s++) {
		for (unsigned i = 0; i < count[s]; i++) {
			if (rr_read(msg, len, &pos, &rr) < 0 ||
			    rdata_expand(msg, len, &rr, NULL, 0) < 0)
				return -EBADMSG;
			if (rr.type != DNS_TYPE_OPT)
				continue;
			if (s != DNS_SECTION_ADDITIONAL || has_opt || rr.owner_len != 1)
				return -EBADMSG;
			has_opt = true;
			*opt_ttl = rr.ttl;
		}
	}
	return pos == len ? 0 : -EBADMSG;
}

static int
find_set(const struct resp_ctx *c, uint8_t section, const uint8_t *owner, uint16_t type)
{
	for (unsigned i = 0; i < c->n_sets; i++) {
		const struct dns_rrset_in *s = &c->sets[i];

		if (s->section == section && s->type == type && dns_name_equal(s->owner, owner))
			return (int)i;
	}
	return -1;
}

/* The first record of RRset @p set (every stored RRset has one). */
static const struct resp_rec *
first_rec(const struct resp_ctx *c, int set)
{
	for (unsigned i = 0; i < c->n_recs; i++)
		if (c->recs[i].set == set)
			return &c->recs[i];
	return NULL;
}

static void
drop_set(struct resp_ctx *c, int set, enum cp_resp_drop why)
{
	if (c->drop[set] != 0)
		return;
	c->drop[set] = (uint8_t)(why + 1);
	c->r->dropped[why] += c->sets[set].n_rdata;
}

/* Store one in-bailiwick record into its RRset, creating the RRset if needed. */
static int
store_rr(struct resp_ctx *c, const struct resp_rr *rr, uint8_t section)
{
	int set = find_set(c, section, rr->owner, rr->type);
	uint32_t ttl = (rr->ttl & 0x80000000u) != 0 ? 0 : rr->ttl; /* RFC 2181 8 */
	uint8_t *data;
	int n;

	if ((set < 0 && c->n_sets == CP_RESP_MAX_RRSETS) || c->n_recs == CP_RESP_MAX_RRS) {
		c->over_limit = true;
		c->r->dropped[CP_RESP_DROP_LIMIT]++;
		return 0;
	}
	if (set < 0) {
		struct dns_rrset_in *s = &c->sets[c->n_sets];

		if (rr->owner_len > c->cap - c->used)
			return -ENOBUFS;
		memcpy(c->arena + c->used, rr->owner, rr->owner_len);
		*s = (struct dns_rrset_in){.owner = c->arena + c->used, .type = rr->type,
					   .rclass = rr->rclass, .ttl = ttl, .section = section};
		c->used += rr->owner_len;
		set = c->n_sets++;
	}
	data = c->arena + c->used;
	n = rdata_expand(c->msg, c->len, rr, data, c->cap - c->used);
	if (n < 0)
		return n;
	for (unsigned i = 0; i < c->n_recs; i++) {
		const struct resp_rec *o = &c->recs[i];

		if (o->set == set && o->len == n && memcmp(o->data, data, (size_t)n) == 0) {
			c->r->dropped[CP_RESP_DROP_DUPLICATE]++;
			return 0;
		}
	}
	c->used += (size_t)n;
	c->recs[c->n_recs++] = (struct resp_rec){.data = data, .len = (uint16_t)n,
						 .set = (uint8_t)set};
	if (ttl < c->sets[set].ttl)
		c->sets[set].ttl = ttl;
	c->sets[set].n_rdata++;
	return 0;
}

/* Store the in-bailiwick records of one section (already validated) and advance *pos. */
static int
store_section(struct resp_ctx *c, size_t *pos, uint16_t count, uint8_t section)
{
	struct resp_rr rr;
	int rc;

	for (unsigned i = 0; i < count; i++) {
		(void)rr_read(c->msg, c->len, pos, &rr);
		if (rr.type == DNS_TYPE_OPT || rr.type == DNS_TYPE_TSIG)
			continue; /* transport, not data */
		if (rr.rclass != c->q->qclass) {
			c->r->dropped[CP_RESP_DROP_CLASS]++;
			continue;
		}
		if (!dns_name_in_zone(rr.owner, c->zone)) {
			c->r->dropped[CP_RESP_DROP_OUT_OF_ZONE]++;
			continue;
		}
		rc = store_rr(c, &rr, section);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Offset of the name inside a stored RDATA of an NS, MX or SRV record, or -1. */
static int
target_offset(uint16_t type)
{
	switch (type) {
	case DNS_TYPE_NS:
		return 0;
	case DNS_TYPE_MX:
		return 2;
	case DNS_TYPE_SRV:
		return 6;
	default:
		return -1;
	}
}

/* True if @p name is the target of a record of a kept RRset (only @p only if >= 0). */
static bool
is_target(const struct resp_ctx *c, const uint8_t *name, int only)
{
	for (unsigned i = 0; i < c->n_recs; i++) {
		const struct resp_rec *rec = &c->recs[i];
		const struct dns_rrset_in *s = &c->sets[rec->set];
		int off = target_offset(s->type);

		if (c->drop[rec->set] != 0 || s->section == DNS_SECTION_ADDITIONAL || off < 0 ||
		    (only >= 0 && rec->set != only))
			continue;
		if (dns_name_equal(rec->data + off, name))
			return true;
	}
	return false;
}

/*
 * Follow CNAMEs from qname through the answer section; leaves the last name in
 * sname. *cont is set when the rest must be asked elsewhere: the chain left the
 * zone, looped, or reached CP_RESP_MAX_CHAIN.
 */
static int
walk_chain(struct resp_ctx *c, uint8_t *sname, bool *cont)
{
	struct cp_response *r = c->r;
	int set;

	for (;;) {
		if (!dns_name_in_zone(sname, c->zone) || r->n_chain == CP_RESP_MAX_CHAIN) {
			*cont = true;
			return 0;
		}
		set = find_set(c, DNS_SECTION_ANSWER, sname, c->q->qtype);
		if (set >= 0) {
			r->answer = (int16_t)set;
			return 0;
		}
		set = find_set(c, DNS_SECTION_ANSWER, sname, DNS_TYPE_CNAME);
		if (c->q->qtype == DNS_TYPE_CNAME || set < 0)
			return 0;
		if (c->sets[set].n_rdata != 1)
			return -EBADMSG; /* RFC 2181 10.1: one CNAME per name */
		r->chain[r->n_chain++] = (int16_t)set;
		memcpy(sname, first_rec(c, set)->data, first_rec(c, set)->len);
		for (unsigned i = 0; i < r->n_chain; i++) {
			if (dns_name_equal(sname, c->sets[r->chain[i]].owner)) {
				r->cname_loop = true;
				*cont = true;
				return 0;
			}
		}
	}
}

/* Keep the answer RRsets of the chain and its final RRset (and their RRSIGs, DNAMEs). */
static void
mark_answer(struct resp_ctx *c, const uint8_t *sname)
{
	struct cp_response *r = c->r;

	for (unsigned i = 0; i < c->n_sets; i++) {
		const struct dns_rrset_in *s = &c->sets[i];
		bool keep = (int)i == r->answer;

		if (s->section != DNS_SECTION_ANSWER)
			continue;
		for (unsigned k = 0; k < r->n_chain && !keep; k++) {
			const uint8_t *owner = c->sets[r->chain[k]].owner;

			keep = (int)i == r->chain[k] ||
			       (s->type == DNS_TYPE_RRSIG && dns_name_equal(s->owner, owner)) ||
			       (s->type == DNS_TYPE_DNAME && !dns_name_equal(s->owner, owner) &&
				dns_name_in_zone(owner, s->owner));
		}
		if (!keep && s->type == DNS_TYPE_RRSIG)
			keep = dns_name_equal(s->owner, sname);
		if (!keep)
			drop_set(c, (int)i, CP_RESP_DROP_UNRELATED);
	}
}

/* Authority: for a referral the child's NS/DS/RRSIG, else the SOA and the zone's NS. */
static void
mark_authority(struct resp_ctx *c, const uint8_t *sname)
{
	struct cp_response *r = c->r;

	for (unsigned i = 0; i < c->n_sets; i++) {
		const struct dns_rrset_in *s = &c->sets[i];
		bool dnssec = s->type == DNS_TYPE_NSEC || s->type == RESP_TYPE_NSEC3 ||
			      s->type == DNS_TYPE_RRSIG;
		bool keep;

		if (s->section != DNS_SECTION_AUTHORITY)
			continue;
		if (r->verdict == CP_RESP_REFERRAL)
			keep = (s->type == DNS_TYPE_NSEC || s->type == RESP_TYPE_NSEC3) ||
			       ((s->type == DNS_TYPE_NS || s->type == DNS_TYPE_DS ||
				 s->type == DNS_TYPE_RRSIG) &&
				dns_name_equal(s->owner, c->sets[r->ns].owner));
		else
			keep = (int)i == r->soa || dnssec ||
			       (s->type == DNS_TYPE_NS && dns_name_in_zone(sname, s->owner));
		if (!keep)
			drop_set(c, (int)i, CP_RESP_DROP_UNRELATED);
	}
}

/* Additional: addresses of kept NS/MX/SRV targets; for a referral only glue in the child. */
static void
mark_additional(struct resp_ctx *c)
{
	struct cp_response *r = c->r;
	bool referral = r->verdict == CP_RESP_REFERRAL;

	for (unsigned i = 0; i < c->n_sets; i++) {
		const struct dns_rrset_in *s = &c->sets[i];

		if (s->section != DNS_SECTION_ADDITIONAL)
			continue;
		if ((s->type != DNS_TYPE_A && s->type != DNS_TYPE_AAAA) ||
		    !is_target(c, s->owner, referral ? r->ns : -1))
			drop_set(c, (int)i, CP_RESP_DROP_UNRELATED);
		else if (referral && !dns_name_in_zone(s->owner, c->sets[r->ns].owner))
			drop_set(c, (int)i, CP_RESP_DROP_GLUE);
	}
}

/* Decide the verdict of a well-formed NOERROR/NXDOMAIN response (RFC 1034 5.3.3, RFC 2308). */
static enum cp_resp_verdict
classify(struct resp_ctx *c, const uint8_t *sname, bool cont)
{
	struct cp_response *r = c->r;
	bool has_data = r->answer >= 0 || r->n_chain > 0;

	if (has_data && !r->aa && !c->q->forwarder)
		return CP_RESP_LAME;
	if (r->answer >= 0)
		return r->rcode == DNS_RCODE_NXDOMAIN ? CP_RESP_FORMERR : CP_RESP_ANSWER;
	if (r->n_chain > 0 && cont)
		return CP_RESP_CNAME;
	for (unsigned i = 0; i < c->n_sets && r->soa < 0; i++) {
		const struct dns_rrset_in *s = &c->sets[i];

		if (s->section == DNS_SECTION_AUTHORITY && s->type == DNS_TYPE_SOA &&
		    dns_name_in_zone(sname, s->owner))
			r->soa = (int16_t)i;
	}
	if (r->rcode == DNS_RCODE_NXDOMAIN)
		return CP_RESP_NXDOMAIN;
	if (r->soa >= 0)
		return CP_RESP_NODATA;
	if (r->n_chain > 0)
		return CP_RESP_CNAME;
	for (unsigned i = 0; i < c->n_sets; i++) {
		const struct dns_rrset_in *s = &c->sets[i];

		if (s->section == DNS_SECTION_AUTHORITY && s->type == DNS_TYPE_NS &&
		    !dns_name_equal(s->owner, c->zone) && dns_name_in_zone(sname, s->owner)) {
			r->ns = (int16_t)i;
			return CP_RESP_REFERRAL;
		}
	}
	return r->aa ? CP_RESP_NODATA : CP_RESP_LAME;
}

/* Copy the kept RRsets to r in order, their records contiguous, and renumber the indexes. */
static void
finalize(struct resp_ctx *c)
{
	struct cp_response *r = c->r;
	int16_t map[CP_RESP_MAX_RRSETS];

	for (unsigned i = 0; i < c->n_sets; i++) {
		map[i] = -1;
		if (c->drop[i] != 0)
			continue;
		map[i] = (int16_t)r->n_rrsets;
		r->rrsets[r->n_rrsets] = c->sets[i];
		r->rrsets[r->n_rrsets].rdata = &r->rdata[r->n_rdata];
		for (unsigned k = 0; k < c->n_recs; k++)
			if (c->recs[k].set == i)
				r->rdata[r->n_rdata++] = (struct dns_rdata){c->recs[k].data,
									    c->recs[k].len};
		r->n_rrsets++;
	}
	r->answer = r->answer >= 0 ? map[r->answer] : -1;
	r->soa = r->soa >= 0 ? map[r->soa] : -1;
	r->ns = r->ns >= 0 ? map[r->ns] : -1;
	for (unsigned k = 0; k < r->n_chain; k++)
		r->chain[k] = map[r->chain[k]];
	if (r->ns >= 0)
		r->child_zone = r->rrsets[r->ns].owner;
}

/* Header and question: MISMATCH, FORMERR or, with 0, the offset just past the question. */
static enum cp_resp_verdict
check_question(const struct cp_resp_query *q, const uint8_t *msg, size_t len, size_t *pos,
	       struct cp_response *r)
{
	uint16_t flags = dns_get_u16(msg + 2);
	uint8_t qname[DNS_NAME_MAXLEN];
	size_t wl;
	int n;

	if ((flags & DNS_FLAG_QR) == 0 ||
	    (flags & DNS_OPCODE_MASK) >> DNS_OPCODE_SHIFT != DNS_OPCODE_QUERY ||
	    dns_get_u16(msg) != q->id || dns_get_u16(msg + 4) != 1)
		return CP_RESP_MISMATCH;
	n = dns_name_unpack(msg, len, DNS_HEADER_LEN, qname, false, &wl);
	if (n < 0 || len - DNS_HEADER_LEN - wl < 4)
		return CP_RESP_FORMERR;
	*pos = DNS_HEADER_LEN + wl + 4;
	if (!dns_name_equal(qname, q->qname) || dns_get_u16(msg + *pos - 4) != q->qtype ||
	    dns_get_u16(msg + *pos - 2) != q->qclass)
		return CP_RESP_MISMATCH;
	r->qname_case_match = memcmp(qname, q->qname, (size_t)n) == 0;
	return CP_RESP_ANSWER;
}

int
cp_response_parse(const struct cp_resp_query *q, const uint8_t *msg, size_t len,
		  uint8_t *arena, size_t arena_cap, struct cp_response *r)
{
	struct resp_ctx c = {.msg = msg, .len = len, .arena = arena, .cap = arena_cap,
			     .r = r, .q = q};
	uint8_t sname[DNS_NAME_MAXLEN];
	uint16_t count[3], flags;
	uint32_t opt_ttl = 0;
	bool cont = false;
	size_t pos = 0;
	int rc, n;

	memset(r, 0, offsetof(struct cp_response, rrsets));
	memset(r->dropped, 0, sizeof(r->dropped));
	r->answer = r->soa = r->ns = -1;
	r->verdict = CP_RESP_FORMERR;
	if (q->qname == NULL || q->zone == NULL ||
	    dns_name_scan(q->qname, DNS_NAME_MAXLEN, sname) < 0 ||
	    dns_name_scan(q->zone, DNS_NAME_MAXLEN, c.zone) < 0 ||
	    !dns_name_in_zone(sname, c.zone))
		return -EINVAL;
	if (msg == NULL || len < DNS_HEADER_LEN)
		return 0;
	r->verdict = check_question(q, msg, len, &pos, r);
	if (r->verdict != CP_RESP_ANSWER)
		return 0;
	flags = dns_get_u16(msg + 2);
	r->aa = (flags & DNS_FLAG_AA) != 0;
	r->tc = (flags & DNS_FLAG_TC) != 0;
	r->ra = (flags & DNS_FLAG_RA) != 0;
	r->rcode = flags & DNS_RCODE_MASK;
	if (r->tc) {
		r->verdict = CP_RESP_TRUNCATED;
		return 0;
	}
	for (unsigned s = 0; s < 3; s++)
		count[s] = dns_get_u16(msg + 6 + 2 * s);
	r->verdict = CP_RESP_FORMERR;
	if (validate_rrs(msg, len, pos, count, &opt_ttl) < 0)
		return 0;
	r->rcode |= (uint16_t)((opt_ttl >> 24) << 4);
	if (r->rcode != DNS_RCODE_NOERROR && r->rcode != DNS_RCODE_NXDOMAIN) {
		r->verdict = CP_RESP_SERVER_ERROR;
		return 0;
	}
	for (unsigned s = 0; s < 3; s++) {
		rc = store_section(&c, &pos, count[s], (uint8_t)s);
		if (rc < 0)
			return rc;
	}
	if (c.over_limit || walk_chain(&c, sname, &cont) < 0)
		return 0;
	r->verdict = classify(&c, sname, cont);
	if (r->verdict == CP_RESP_LAME || r->verdict == CP_RESP_FORMERR) {
		r->answer = r->soa = r->ns = -1;
		r->n_chain = 0;
		r->cname_loop = false;
		return 0;
	}
	n = (int)dns_name_length(sname);
	if ((size_t)n > c.cap - c.used)
		return -ENOBUFS;
	for (int i = 0; i < n; i++)
		c.arena[c.used + (size_t)i] = dns_lower(sname[i]);
	r->sname = c.arena + c.used;
	c.used += (size_t)n;
	mark_answer(&c, sname);
	mark_authority(&c, sname);
	mark_additional(&c);
	finalize(&c);
	return 0;
}

const char *
cp_resp_verdict_name(enum cp_resp_verdict v)
{
	return (unsigned)v < CP_RESP_VERDICT_COUNT ? verdict_names[v] : "unknown";
}

const char *
cp_resp_drop_name(enum cp_resp_drop d)
{
	return (unsigned)d < CP_RESP_DROP_COUNT ? drop_names[d] : "unknown";
}
