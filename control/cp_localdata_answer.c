/* SPDX-License-Identifier: BSD-3-Clause */
/* Answering a question from local data: exact RRsets, CNAME chains, NODATA, NXDOMAIN, REFUSED. */
#include <errno.h>
#include <string.h>

#include "cp_localdata_int.h"
#include "dns_name.h"

/* One name's verdict, before the chain decides the whole answer's. */
enum step {
	STEP_DATA,     /* the RRset(s) asked for were added */
	STEP_CNAME,    /* a CNAME was added: follow it */
	STEP_NODATA,   /* the name exists without the type */
	STEP_NXDOMAIN, /* no such name in a static zone */
	STEP_REFUSED,  /* refuse zone */
	STEP_ELSEWHERE /* not local data's to answer */
};

struct abuild {
	const struct cp_localdata *ld;
	struct cp_ld_answer *ans;
	const struct ld_rrset *src[CP_LD_MAX_RRSETS]; /* where each RRset came from, for dedup */
	uint16_t n;
	uint16_t qtype;
	uint16_t qclass;
};

/* Add an RRset to the next section slot; false when the answer is full. */
static bool
push(struct abuild *b, const uint8_t *owner, const struct ld_rrset *s, uint8_t section,
     uint32_t ttl)
{
	struct dns_rrset_in *r;

	if (b->n == CP_LD_MAX_RRSETS)
		return false;
	r = &b->ans->rrsets[b->n];
	r->owner = owner;
	r->type = s->type;
	r->rclass = s->rclass;
	r->ttl = ttl;
	r->section = section;
	r->n_rdata = s->n;
	r->rdata = s->rd;
	b->src[b->n++] = s;
	return true;
}

static bool
pushed(const struct abuild *b, const struct ld_rrset *s)
{
	for (uint16_t i = 0; i < b->n; i++) {
		if (b->src[i] == s)
			return true;
	}
	return false;
}

/* The closest enclosing local zone of the lower-cased @p key, or NULL. */
static const struct ld_zone *
closest_zone(const struct cp_localdata *ld, const uint8_t *key, size_t len)
{
	if (ld->zones.n == 0)
		return NULL;
	for (size_t off = 0;; off += 1u + key[off]) {
		const struct ld_zone *z = cp_nmap_get(&ld->zones, key + off, len - off);

		if (z != NULL)
			return z;
		if (key[off] == 0)
			return NULL;
	}
}

/* Write the synthesized SOA of @p apex (see cp_localdata.h) into ans->soa_rd. */
static void
synth_soa(struct cp_ld_answer *ans, const uint8_t *apex)
{
	static const uint8_t rname[] = "\6nobody\7invalid";
	static const uint32_t timers[5] = { 1, 3600, 1200, 604800, CP_LD_SYNTH_SOA_TTL };
	size_t len = dns_name_length(apex), off = 0;

	memcpy(ans->soa, apex, len);
	off += len;
	memcpy(ans->soa + off, rname, sizeof(rname)); /* with its root label, the NUL */
	off += sizeof(rname);
	for (int i = 0; i < 5; i++, off += 4)
		dns_put_u32(ans->soa + off, timers[i]);
	ans->soa_rd.data = ans->soa;
	ans->soa_rd.len = (uint16_t)off;
}

/*
 * The SOA for a negative answer about a name in @p z. Outside every zone (NULL)
 * the name itself is the apex: @p name as spelt, @p key lower-cased.
 */
static void
push_soa(struct abuild *b, const struct ld_zone *z, const uint8_t *name, const uint8_t *key,
         uint8_t section)
{
	const uint8_t *apex = z != NULL ? z->name : name;
	const uint8_t *apex_key = z != NULL ? z->name : key;
	const struct ld_node *n = ld_node_get(b->ld, apex_key, dns_name_length(apex_key));
	const struct ld_rrset *soa =
		n != NULL ? ld_node_rrset(n, DNS_TYPE_SOA, DNS_CLASS_IN) : NULL;
	struct dns_rrset_in *r;

	if (soa != NULL) {
		uint32_t min = dns_get_u32(soa->rd[0].data + soa->rd[0].len - 4);

		/* RFC 2308 5: negative answers live min(SOA TTL, MINIMUM); SOA answers do not. */
		push(b, n->name, soa, section,
		     section == DNS_SECTION_ANSWER ? soa->ttl : VD_MIN(soa->ttl, min));
		return;
	}
	if (b->n == CP_LD_MAX_RRSETS)
		return;
	synth_soa(b->ans, apex);
	r = &b->ans->rrsets[b->n];
	r->owner = apex;
	r->type = DNS_TYPE_SOA;
	r->rclass = DNS_CLASS_IN;
	r->ttl = CP_LD_SYNTH_SOA_TTL;
	r->section = section;
	r->n_rdata = 1;
	r->rdata = &b->ans->soa_rd;
	b->src[b->n++] = NULL;
}

/* Answer for one name (@p name as found in the message or RDATA, @p key lower-cased). */
static enum step
step(struct abuild *b, const uint8_t *name, const uint8_t *key, size_t klen, bool in_chain,
     const struct ld_rrset **cname)
{
	const struct ld_node *n = ld_node_get(b->ld, key, klen);
	bool has = n != NULL && ld_node_has_class(n, b->qclass);
	const struct ld_zone *z;
	bool apex, stat;

	if (has && b->qtype == DNS_TYPE_ANY && !in_chain) {
		for (uint16_t i = 0; i < n->n_sets; i++) {
			if (n->sets[i].rclass == b->qclass)
				push(b, n->name, &n->sets[i], DNS_SECTION_ANSWER, n->sets[i].ttl);
		}
		return STEP_DATA;
	}
	if (has) {
		const struct ld_rrset *s = ld_node_rrset(n, b->qtype, b->qclass);

		if (s != NULL)
			return push(b, n->name, s, DNS_SECTION_ANSWER, s->ttl) ? STEP_DATA
			                                                       : STEP_ELSEWHERE;
		s = ld_node_rrset(n, DNS_TYPE_CNAME, b->qclass);
		if (s != NULL && b->qtype != DNS_TYPE_CNAME) {
			if (!push(b, n->name, s, DNS_SECTION_ANSWER, s->ttl))
				return STEP_ELSEWHERE;
			*cname = s;
			return STEP_CNAME;
		}
	}
	z = b->qclass == DNS_CLASS_IN ? closest_zone(b->ld, key, klen) : NULL;
	if (z != NULL && z->type == CP_LZ_REFUSE)
		return STEP_REFUSED;
	stat = z != NULL && z->type == CP_LZ_STATIC;
	apex = stat && z->name_len == klen && memcmp(z->name, key, klen) == 0;
	/* In a static zone its apex and the empty non-terminals exist too (RFC 8020). */
	if (has || apex || (stat && n != NULL && n->below > 0)) {
		if (apex && b->qtype == DNS_TYPE_SOA) {
			push_soa(b, z, name, key, DNS_SECTION_ANSWER);
			return STEP_DATA;
		}
		return STEP_NODATA;
	}
	return stat ? STEP_NXDOMAIN : STEP_ELSEWHERE;
}

/* A/AAAA of the targets of MX, SRV and NS RRsets in the answer, into the additional section. */
static void
add_additional(struct abuild *b)
{
	uint16_t n_answer = b->n;

	for (uint16_t i = 0; i < n_answer; i++) {
		const struct dns_rrset_in *r = &b->ans->rrsets[i];
		size_t off = r->type == DNS_TYPE_MX ? 2 : r->type == DNS_TYPE_SRV ? 6 : 0;

		if (r->type != DNS_TYPE_MX && r->type != DNS_TYPE_SRV && r->type != DNS_TYPE_NS)
			continue;
		for (uint16_t j = 0; j < r->n_rdata; j++) {
			uint8_t key[DNS_NAME_MAXLEN];
			const struct ld_node *t;
			int len = dns_name_scan(r->rdata[j].data + off, r->rdata[j].len - off, key);

			if (len <= 1) /* "." : no host (RFC 7505 null MX, RFC 2782) */
				continue;
			t = ld_node_get(b->ld, key, (size_t)len);
			if (t == NULL)
				continue;
			for (uint16_t k = 0; k < t->n_sets; k++) {
				const struct ld_rrset *s = &t->sets[k];

				if ((s->type == DNS_TYPE_A || s->type == DNS_TYPE_AAAA) &&
				    s->rclass == r->rclass && !pushed(b, s))
					push(b, t->name, s, DNS_SECTION_ADDITIONAL, s->ttl);
			}
		}
	}
}

const char *
cp_ld_kind_name(enum cp_ld_kind kind)
{
	static const char *const names[] = {
		[CP_LD_NOT_LOCAL] = "not-local", [CP_LD_ANSWER] = "answer",
		[CP_LD_NODATA] = "nodata",       [CP_LD_NXDOMAIN] = "nxdomain",
		[CP_LD_REFUSED] = "refused",
	};

	return (size_t)kind < VD_ARRAY_SIZE(names) ? names[kind] : "?";
}

static int
finish(struct abuild *b, enum cp_ld_kind kind, uint8_t rcode)
{
	struct cp_ld_answer *ans = b->ans;

	ans->kind = kind;
	ans->tmpl.rcode = rcode;
	ans->tmpl.flags = kind == CP_LD_REFUSED ? 0 : DNS_FLAG_AA;
	if (kind == CP_LD_REFUSED)
		b->n = 0;
	ans->tmpl.n_rrset = b->n;
	return kind;
}

int
cp_localdata_answer(const struct cp_localdata *ld, const uint8_t *qname, uint16_t qtype,
                    uint16_t qclass, struct cp_ld_answer *ans)
{
	struct abuild b = { .ld = ld, .ans = ans, .qtype = qtype, .qclass = qclass };
	const struct ld_node *seen[CP_LD_CNAME_MAX + 1];
	const uint8_t *name = ans->qname;
	uint8_t key[DNS_NAME_MAXLEN];
	int klen = dns_name_scan(qname, DNS_NAME_MAXLEN, ans->qname);
	unsigned links = 0;

	if (klen < 0)
		return -EINVAL;
	memset(&ans->tmpl, 0, sizeof(ans->tmpl));
	ans->kind = CP_LD_NOT_LOCAL;
	ans->chase = NULL;
	ans->tmpl.qname = ans->qname;
	ans->tmpl.qtype = qtype;
	ans->tmpl.qclass = qclass;
	ans->tmpl.rrsets = ans->rrsets;
	memcpy(key, ans->qname, (size_t)klen);

	for (;;) {
		const struct ld_rrset *cname = NULL;
		const struct ld_node *next;
		enum step st = step(&b, name, key, (size_t)klen, links > 0, &cname);

		switch (st) {
		case STEP_DATA:
			add_additional(&b);
			return finish(&b, CP_LD_ANSWER, DNS_RCODE_NOERROR);
		case STEP_NODATA:
		case STEP_NXDOMAIN:
			push_soa(&b, closest_zone(ld, key, (size_t)klen), name, key,
			         DNS_SECTION_AUTHORITY);
			return st == STEP_NODATA ? finish(&b, CP_LD_NODATA, DNS_RCODE_NOERROR)
			                         : finish(&b, CP_LD_NXDOMAIN, DNS_RCODE_NXDOMAIN);
		case STEP_REFUSED:
		case STEP_ELSEWHERE:
			if (links == 0)
				return st == STEP_REFUSED
				               ? finish(&b, CP_LD_REFUSED, DNS_RCODE_REFUSED)
				               : finish(&b, CP_LD_NOT_LOCAL, 0);
			/* The chain left local data: what we have is the answer so far. */
			ans->chase = name;
			return finish(&b, CP_LD_ANSWER, DNS_RCODE_NOERROR);
		case STEP_CNAME:
			break;
		}
		/* Follow the CNAME: its target is the next name. */
		seen[links++] = ld_node_get(ld, key, (size_t)klen);
		name = cname->rd[0].data;
		klen = dns_name_scan(name, cname->rd[0].len, key);
		next = ld_node_get(ld, key, (size_t)klen);
		for (unsigned i = 0; i < links; i++) {
			if (next != NULL && seen[i] == next)
				return finish(&b, CP_LD_ANSWER, DNS_RCODE_NOERROR); /* a loop */
		}
		if (links == CP_LD_CNAME_MAX) {
			ans->chase = name;
			return finish(&b, CP_LD_ANSWER, DNS_RCODE_NOERROR);
		}
	}
}

int
cp_localdata_build_template(const struct cp_localdata *ld, const uint8_t *qname, uint16_t qtype,
                            uint16_t qclass, void *out, size_t cap, enum cp_ld_kind *kind)
{
	struct cp_ld_answer ans;
	int rc = cp_localdata_answer(ld, qname, qtype, qclass, &ans);

	if (rc < 0)
		return rc;
	if (kind != NULL)
		*kind = ans.kind;
	if (ans.kind == CP_LD_NOT_LOCAL)
		return 0;
	return dns_template_build(&ans.tmpl, out, cap);
}
