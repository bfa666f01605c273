/* SPDX-License-Identifier: BSD-3-Clause */
/* Serve-stale answers from the master cache (RFC 8767; cp_stale.h). */
#include <errno.h>
#include <string.h>

#include "cp_stale.h"
#include "dns_name.h"

/* The chain's CNAMEs plus the final RRset or SOA. */
#define MAX_OUT (CP_STALE_MAX_CNAMES + 1)

struct stale_out {
	struct dns_rrset_in rr[MAX_OUT];
	uint16_t n;
	bool stale;
};

/* The same rule as the iterator's: glue and referral data never answer a client. */
static bool
answers_client(int kind, const struct cp_rrc_rrset *e)
{
	return kind >= 0 && (kind != CP_RRC_POSITIVE || e->rank >= CP_RRC_RANK_NONAUTH_ANSWER);
}

static void
out_add(struct stale_out *o, const struct cp_rrc_rrset *e, bool stale, enum dns_section sec,
        uint64_t now, uint32_t answer_ttl)
{
	struct dns_rrset_in *rr = &o->rr[o->n++];

	cp_rrcache_rrset_in(e, now, sec, rr);
	/* RFC 8767 4: stale data goes out with the stale-answer TTL; live data no longer. */
	if (stale || rr->ttl > answer_ttl)
		rr->ttl = answer_ttl;
	o->stale |= stale;
}

static bool
chain_has(uint8_t (*names)[DNS_NAME_MAXLEN], unsigned n, const uint8_t *name)
{
	for (unsigned i = 0; i < n; i++)
		if (dns_name_equal(names[i], name))
			return true;
	return false;
}

int
cp_stale_build(struct cp_rrcache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
               uint64_t now, uint32_t answer_ttl, void *buf, size_t cap, bool *stale)
{
	uint8_t names[CP_STALE_MAX_CNAMES + 1][DNS_NAME_MAXLEN];
	struct stale_out o = { .n = 0, .stale = false };
	struct dns_tmpl_in in = { .qname = qname, .qtype = qtype, .qclass = qclass };
	const struct cp_rrc_rrset *e;
	unsigned n = 1;
	bool was_stale;
	int kind;

	if (stale != NULL)
		*stale = false;
	if (dns_name_scan(qname, DNS_NAME_MAXLEN, names[0]) <= 0)
		return -EINVAL;
	for (;;) {
		const uint8_t *sname = names[n - 1];

		kind = cp_rrcache_lookup_stale(c, sname, qtype, qclass, now, &e, &was_stale);
		if (answers_client(kind, e))
			break;
		if (qtype == DNS_TYPE_CNAME ||
		    cp_rrcache_lookup_stale(c, sname, DNS_TYPE_CNAME, qclass, now, &e,
		                            &was_stale) != CP_RRC_POSITIVE ||
		    !answers_client(CP_RRC_POSITIVE, e) || e->n_rdata == 0)
			return 0;
		if (n == CP_STALE_MAX_CNAMES + 1 ||
		    dns_name_scan(e->rdata[0].data, e->rdata[0].len, names[n]) <= 0 ||
		    chain_has(names, n, names[n]))
			return 0;
		out_add(&o, e, was_stale, DNS_SECTION_ANSWER, now, answer_ttl);
		n++;
	}
	if (kind == CP_RRC_POSITIVE) {
		out_add(&o, e, was_stale, DNS_SECTION_ANSWER, now, answer_ttl);
		in.rcode = DNS_RCODE_NOERROR;
	} else {
		out_add(&o, e, was_stale, DNS_SECTION_AUTHORITY, now, answer_ttl);
		in.rcode = kind == CP_RRC_NXDOMAIN ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
	}
	in.n_rrset = o.n;
	in.rrsets = o.rr;
	if (stale != NULL)
		*stale = o.stale;
	return dns_template_build(&in, buf, cap);
}
