/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iterator's result: read back from the master cache, or from the RRsets it
 * held itself because the cache did not take them (TTL 0, no memory).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp_iter_int.h"

/* Held RRsets. */

static struct cp_iter_held *
held_slot(struct cp_iter *it, const uint8_t *owner, uint16_t type)
{
	for (unsigned i = 0; i < it->n_held; i++) {
		struct cp_iter_held *h = &it->held[i];

		if (h->rr.type == type && dns_name_equal(h->rr.owner, owner)) {
			free(h->mem);
			h->mem = NULL;
			return h;
		}
	}
	return it->n_held < CP_ITER_MAX_HELD ? &it->held[it->n_held++] : NULL;
}

/*
 * Copy @p rr into one allocation: the rdata array, then the owner, then the
 * RDATA bytes. A held RRset outlives the response arena it came from.
 */
static void
hold(struct cp_iter *it, const struct dns_rrset_in *rr, uint32_t ttl)
{
	size_t olen = dns_name_length(rr->owner), bytes = 0;
	struct cp_iter_held *h;
	struct dns_rdata *rd;
	uint8_t *p;

	for (unsigned i = 0; i < rr->n_rdata; i++)
		bytes += rr->rdata[i].len;
	h = held_slot(it, rr->owner, rr->type);
	if (h == NULL)
		return;
	h->mem = malloc(rr->n_rdata * sizeof(*rd) + olen + bytes);
	if (h->mem == NULL) {
		/* Keep the slot consistent: an empty RRset nobody will find. */
		memset(&h->rr, 0, sizeof(h->rr));
		h->rr.owner = (const uint8_t *)"";
		return;
	}
	rd = h->mem;
	p = (uint8_t *)(rd + rr->n_rdata);
	memcpy(p, rr->owner, olen);
	h->rr = *rr;
	h->rr.owner = p;
	h->rr.ttl = ttl;
	h->rr.rdata = rd;
	p += olen;
	for (unsigned i = 0; i < rr->n_rdata; i++) {
		memcpy(p, rr->rdata[i].data, rr->rdata[i].len);
		rd[i].data = p;
		rd[i].len = rr->rdata[i].len;
		p += rr->rdata[i].len;
	}
}

const struct dns_rrset_in *
cp_iter_held_find(const struct cp_iter *it, const uint8_t *owner, uint16_t type)
{
	for (unsigned i = 0; i < it->n_held; i++) {
		const struct cp_iter_held *h = &it->held[i];

		if (h->mem != NULL && h->rr.type == type && dns_name_equal(h->rr.owner, owner))
			return &h->rr;
	}
	return NULL;
}

/* A held SOA of a zone enclosing @p name (the SOA of a negative answer for it). */
static const struct dns_rrset_in *
held_soa(const struct cp_iter *it, const uint8_t *name)
{
	for (unsigned i = 0; i < it->n_held; i++) {
		const struct cp_iter_held *h = &it->held[i];

		if (h->mem != NULL && h->rr.type == DNS_TYPE_SOA &&
		    dns_name_in_zone(name, h->rr.owner))
			return &h->rr;
	}
	return NULL;
}

void
cp_iter_held_free(struct cp_iter *it)
{
	for (unsigned i = 0; i < it->n_held; i++)
		free(it->held[i].mem);
	it->n_held = 0;
}

/* Does the cache now hold an entry for (owner, type) that may answer a client? */
static bool
cache_answers(struct cp_iter *it, const uint8_t *owner, uint16_t type, uint64_t now_s)
{
	const struct cp_rrc_rrset *e = NULL;
	int kind = cp_rrcache_lookup(it->env->rrcache, owner, type, it->qclass, now_s, &e, NULL);

	return kind == CP_RRC_POSITIVE && cp_iter_answers_client(kind, e);
}

void
cp_iter_hold_uncached(struct cp_iter *it, const struct cp_response *r, uint64_t now_s)
{
	if (r->verdict == CP_RESP_ANSWER || r->verdict == CP_RESP_CNAME) {
		for (unsigned i = 0; i < r->n_rrsets; i++) {
			const struct dns_rrset_in *rr = &r->rrsets[i];

			if (rr->section != DNS_SECTION_ANSWER ||
			    (rr->type != DNS_TYPE_CNAME && (int)i != r->answer))
				continue;
			if (!cache_answers(it, rr->owner, rr->type, now_s))
				hold(it, rr, rr->ttl);
		}
		return;
	}
	if ((r->verdict == CP_RESP_NXDOMAIN || r->verdict == CP_RESP_NODATA) && r->soa >= 0) {
		const struct cp_rrc_rrset *e = NULL;
		int kind = cp_rrcache_lookup(it->env->rrcache, r->sname, it->qtype, it->qclass,
		                             now_s, &e, NULL);

		/* A negative answer the cache did not take lives 0 s (RFC 2308 5). */
		if (kind != CP_RRC_NXDOMAIN && kind != CP_RRC_NODATA)
			hold(it, &r->rrsets[r->soa], 0);
	}
}

/* Result assembly. */

static bool
out_put(struct cp_iter_result *res, struct dns_rrset_in *o, enum dns_section sec)
{
	o->section = sec;
	res->count[sec]++;
	if (o->ttl < res->ttl_min)
		res->ttl_min = o->ttl;
	return true;
}

static bool
out_add(struct cp_iter *it, struct cp_iter_result *res, const struct cp_rrc_rrset *e,
        enum dns_section sec, uint64_t now_s)
{
	struct dns_rrset_in *o;

	if (res->tmpl.n_rrset == CP_ITER_MAX_OUT)
		return false;
	o = &it->out[res->tmpl.n_rrset++];
	cp_rrcache_rrset_in(e, now_s, sec, o);
	return out_put(res, o, sec);
}

static bool
out_add_held(struct cp_iter *it, struct cp_iter_result *res, const struct dns_rrset_in *h,
             enum dns_section sec)
{
	struct dns_rrset_in *o;

	if (res->tmpl.n_rrset == CP_ITER_MAX_OUT)
		return false;
	o = &it->out[res->tmpl.n_rrset++];
	*o = *h;
	return out_put(res, o, sec);
}

/* (name, type) into the answer: from the cache, else as held. @return false if neither. */
static bool
out_add_answer(struct cp_iter *it, struct cp_iter_result *res, const uint8_t *name, uint16_t type,
               uint64_t now_s, const struct cp_rrc_rrset **entry)
{
	const struct dns_rrset_in *h;
	const struct cp_rrc_rrset *e;

	*entry = NULL;
	int kind = cp_rrcache_lookup(it->env->rrcache, name, type, it->qclass, now_s, &e, NULL);

	if (kind == CP_RRC_POSITIVE && cp_iter_answers_client(kind, e)) {
		*entry = e;
		return out_add(it, res, e, DNS_SECTION_ANSWER, now_s);
	}
	h = cp_iter_held_find(it, name, type);
	return h != NULL && out_add_held(it, res, h, DNS_SECTION_ANSWER);
}

/* Mail server aliasing: the cached addresses of every MX target, in additional. */
static void
add_mx_targets(struct cp_iter *it, struct cp_iter_result *res, const struct cp_rrc_rrset *mx,
               uint64_t now_s)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };

	for (unsigned i = 0; i < mx->n_rdata; i++) {
		if (mx->rdata[i].len < 3)
			continue;
		for (unsigned t = 0; t < 2; t++) {
			const struct cp_rrc_rrset *e;

			if (cp_rrcache_lookup(it->env->rrcache, mx->rdata[i].data + 2, types[t],
			                      it->qclass, now_s, &e, NULL) == CP_RRC_POSITIVE)
				(void)out_add(it, res, e, DNS_SECTION_ADDITIONAL, now_s);
		}
	}
}

static void
result_servfail(struct cp_iter_result *res, enum cp_iter_cause cause)
{
	res->rcode = DNS_RCODE_SERVFAIL;
	res->tmpl.rcode = DNS_RCODE_SERVFAIL;
	res->cause = cause;
	res->ttl_min = UINT32_MAX;
	res->tmpl.n_rrset = 0;
	memset(res->count, 0, sizeof(res->count));
}

void
cp_iter_result_build(struct cp_iter *it, struct cp_iter_result *res)
{
	struct cp_rrcache *c = it->env->rrcache;
	uint64_t now_s = cp_iter_now_ms(it) / 1000;
	const struct cp_rrc_rrset *e;
	const struct dns_rrset_in *h;
	unsigned last = it->n_names - 1;
	int rc;

	memset(res, 0, sizeof(*res));
	res->ttl_min = UINT32_MAX;
	res->tmpl.qname = it->qname;
	res->tmpl.qtype = it->qtype;
	res->tmpl.qclass = it->qclass;
	res->tmpl.rrsets = it->out;
	if (it->fail != CP_ITER_OK) {
		result_servfail(res, it->fail);
		return;
	}
	/* The chain as INIT walked it: names[i] -> names[i + 1] is a cached or held CNAME. */
	for (unsigned i = 0; i < last; i++) {
		if (!out_add_answer(it, res, it->names[i], DNS_TYPE_CNAME, now_s, &e)) {
			result_servfail(res, CP_ITER_FAIL_CACHE);
			return;
		}
	}
	if (out_add_answer(it, res, it->names[last], it->qtype, now_s, &e)) {
		if (it->qtype == DNS_TYPE_MX && e != NULL)
			add_mx_targets(it, res, e, now_s);
		res->tmpl.rcode = res->rcode;
		return;
	}
	if (res->tmpl.n_rrset == CP_ITER_MAX_OUT) {
		result_servfail(res, CP_ITER_FAIL_CACHE);
		return;
	}
	rc = cp_rrcache_lookup(c, it->names[last], it->qtype, it->qclass, now_s, &e, NULL);
	if (rc == CP_RRC_NXDOMAIN || rc == CP_RRC_NODATA) {
		res->rcode = rc == CP_RRC_NXDOMAIN ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
		(void)out_add(it, res, e, DNS_SECTION_AUTHORITY, now_s);
	} else if (it->neg_override && dns_name_equal(it->neg_name, it->names[last])) {
		/* Negative without a cacheable SOA: the rcode, and the SOA if one came (TTL 0). */
		res->rcode = it->neg_rcode;
		h = held_soa(it, it->names[last]);
		if (h != NULL)
			(void)out_add_held(it, res, h, DNS_SECTION_AUTHORITY);
	} else {
		result_servfail(res, CP_ITER_FAIL_CACHE);
		return;
	}
	res->tmpl.rcode = res->rcode;
}
