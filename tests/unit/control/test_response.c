/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of upstream response acceptance, verdicts and bailiwick (control/cp_response.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "cp_response.h"
#include "dns_name.h"
#include "msg_builder.h"

#define QID 0x4242

/* A message under construction; names are compressed against earlier ones. */
static void
mb_a(struct mb *m, const char *owner, uint32_t ttl, uint8_t last)
{
	size_t at = mb_rr_begin(m, owner, DNS_TYPE_A, DNS_CLASS_IN, ttl);

	mb_put8(m, 192);
	mb_put8(m, 0);
	mb_put8(m, 2);
	mb_put8(m, last);
	mb_end_rr(m, at);
}

static void
mb_aaaa(struct mb *m, const char *owner, uint32_t ttl)
{
	size_t at = mb_rr_begin(m, owner, DNS_TYPE_AAAA, DNS_CLASS_IN, ttl);

	mb_put16(m, 0x2001);
	mb_put16(m, 0x0db8);
	for (int i = 0; i < 6; i++)
		mb_put16(m, (uint16_t)i);
	mb_end_rr(m, at);
}

/* NS, CNAME, PTR, DNAME: one (compressed) name. */
static void
mb_namerr(struct mb *m, const char *owner, uint16_t type, uint32_t ttl, const char *target)
{
	size_t at = mb_rr_begin(m, owner, type, DNS_CLASS_IN, ttl);

	mb_name(m, target);
	mb_end_rr(m, at);
}

static void
mb_mx(struct mb *m, const char *owner, uint16_t pref, const char *exchange)
{
	size_t at = mb_rr_begin(m, owner, DNS_TYPE_MX, DNS_CLASS_IN, 300);

	mb_put16(m, pref);
	mb_name(m, exchange);
	mb_end_rr(m, at);
}

static void
mb_soa(struct mb *m, const char *owner, uint32_t ttl)
{
	size_t at = mb_rr_begin(m, owner, DNS_TYPE_SOA, DNS_CLASS_IN, ttl);
	char mname[300], rname[300];

	snprintf(mname, sizeof(mname), "ns1.%s", owner);
	snprintf(rname, sizeof(rname), "hostmaster.%s", owner);
	mb_name(m, mname);
	mb_name(m, rname);
	mb_put32(m, 2024010101);
	mb_put32(m, 3600);
	mb_put32(m, 600);
	mb_put32(m, 86400);
	mb_put32(m, 60);
	mb_end_rr(m, at);
}

/* OPT with the given extended-rcode octet. */
static void
mb_opt(struct mb *m, uint8_t ext_rcode)
{
	size_t at = mb_rr_begin(m, ".", DNS_TYPE_OPT, 1232, (uint32_t)ext_rcode << 24);

	mb_end_rr(m, at);
}

/* The query every test asks, to the zone given. */
static uint8_t q_name[DNS_NAME_MAXLEN], q_zone[DNS_NAME_MAXLEN];
static uint8_t arena[CP_RESP_ARENA_MAX];
static struct cp_response resp;

static struct cp_resp_query
query(const char *qname, uint16_t qtype, const char *zone)
{
	mb_wire(q_name, qname);
	mb_wire(q_zone, zone);
	return (struct cp_resp_query){.qname = q_name, .zone = q_zone, .qtype = qtype,
				      .qclass = DNS_CLASS_IN, .id = QID};
}

static enum cp_resp_verdict
judge(const struct cp_resp_query *q, const struct mb *m)
{
	int rc = cp_response_parse(q, m->b, m->len, arena, sizeof(arena), &resp);

	cr_assert_eq(rc, 0, "cp_response_parse: %d", rc);
	return resp.verdict;
}

static bool
name_is(const uint8_t *got, const char *text)
{
	uint8_t w[DNS_NAME_MAXLEN];
	size_t n = mb_wire(w, text);

	return got != NULL && dns_name_length(got) == n && memcmp(got, w, n) == 0;
}

#define AA_FLAGS (DNS_FLAG_QR | DNS_FLAG_AA)

/* A referral from com. for www.example.com: glue in and out of the child, and noise. */
static void
referral(struct mb *m)
{
	mb_start(m, QID, DNS_FLAG_QR, "www.example.com.", DNS_TYPE_A);
	m->sec = DNS_SECTION_AUTHORITY;
	mb_namerr(m, "example.com.", DNS_TYPE_NS, 172800, "ns1.example.com.");
	mb_namerr(m, "example.com.", DNS_TYPE_NS, 86400, "NS2.example.com.");
	mb_namerr(m, "example.com.", DNS_TYPE_NS, 172800, "ns.other.com.");
	mb_namerr(m, "example.com.", DNS_TYPE_NS, 172800, "ns.example.net.");
	m->sec = DNS_SECTION_ADDITIONAL;
	mb_a(m, "ns1.example.com.", 172800, 1);
	mb_aaaa(m, "ns2.example.com.", 172800);
	mb_a(m, "ns.other.com.", 172800, 3);   /* in com., not in example.com.: not glue */
	mb_a(m, "ns.example.net.", 172800, 4); /* not even in com. */
	mb_a(m, "www.google.com.", 172800, 5); /* no NS names it */
	mb_opt(m, 0);
}

Test(cp_response, answer_simple)
{
	struct cp_resp_query q = query("www.Example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS | DNS_FLAG_RA, "www.Example.com.", DNS_TYPE_A);
	mb_a(&m, "www.example.com.", 300, 1);
	mb_a(&m, "WWW.example.com.", 100, 2);
	cr_assert_eq(judge(&q, &m), CP_RESP_ANSWER);
	cr_assert(resp.aa && resp.ra && !resp.tc);
	cr_assert(resp.qname_case_match);
	cr_assert_eq(resp.rcode, 0);
	cr_assert_eq(resp.n_rrsets, 1);
	cr_assert_eq(resp.answer, 0);
	cr_assert_eq(resp.n_chain, 0);
	cr_assert(name_is(resp.rrsets[0].owner, "www.example.com."));
	cr_assert(name_is(resp.sname, "www.example.com."));
	cr_assert_eq(resp.rrsets[0].ttl, 100);
	cr_assert_eq(resp.rrsets[0].n_rdata, 2);
	cr_assert_eq(resp.rrsets[0].section, DNS_SECTION_ANSWER);
	cr_assert_eq(resp.rrsets[0].rdata[1].len, 4);
	cr_assert_eq(resp.rrsets[0].rdata[1].data[3], 2);
}

Test(cp_response, case_mismatch_recorded_for_0x20)
{
	struct cp_resp_query q = query("wWw.ExAmple.cOm.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_a(&m, "www.example.com.", 300, 1);
	cr_assert_eq(judge(&q, &m), CP_RESP_ANSWER);
	cr_assert(!resp.qname_case_match);
}

Test(cp_response, forged_responses_are_mismatch)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID + 1, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_a(&m, "www.example.com.", 300, 1);
	cr_assert_eq(judge(&q, &m), CP_RESP_MISMATCH, "wrong id");
	cr_assert_eq(resp.n_rrsets, 0);

	mb_start(&m, QID, DNS_FLAG_AA, "www.example.com.", DNS_TYPE_A);
	cr_assert_eq(judge(&q, &m), CP_RESP_MISMATCH, "QR=0");

	mb_start(&m, QID, AA_FLAGS | (DNS_OPCODE_NOTIFY << DNS_OPCODE_SHIFT), "www.example.com.",
		 DNS_TYPE_A);
	cr_assert_eq(judge(&q, &m), CP_RESP_MISMATCH, "opcode");

	mb_start(&m, QID, AA_FLAGS, "www.example.org.", DNS_TYPE_A);
	mb_a(&m, "www.example.com.", 300, 1);
	cr_assert_eq(judge(&q, &m), CP_RESP_MISMATCH, "wrong qname");

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_AAAA);
	cr_assert_eq(judge(&q, &m), CP_RESP_MISMATCH, "wrong qtype");

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	m.b[m.len - 1] = DNS_CLASS_CH;
	cr_assert_eq(judge(&q, &m), CP_RESP_MISMATCH, "wrong qclass");

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	m.b[5] = 2;
	cr_assert_eq(judge(&q, &m), CP_RESP_MISMATCH, "two questions");
	m.b[5] = 0;
	cr_assert_eq(judge(&q, &m), CP_RESP_MISMATCH, "no question");
}

Test(cp_response, truncated_means_tcp)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS | DNS_FLAG_TC, "www.example.com.", DNS_TYPE_A);
	m.b[7] = 5; /* ANCOUNT says 5, none follow: TC wins before the body is read */
	cr_assert_eq(judge(&q, &m), CP_RESP_TRUNCATED);
	cr_assert(resp.tc);
	cr_assert_eq(resp.n_rrsets, 0);
}

Test(cp_response, server_errors_carry_rcode)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	const uint16_t rcodes[] = {DNS_RCODE_SERVFAIL, DNS_RCODE_REFUSED, DNS_RCODE_NOTIMP,
				   DNS_RCODE_FORMERR, 9};
	struct mb m;

	for (unsigned i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++) {
		mb_start(&m, QID, DNS_FLAG_QR | rcodes[i], "www.example.com.", DNS_TYPE_A);
		cr_assert_eq(judge(&q, &m), CP_RESP_SERVER_ERROR, "rcode %u", rcodes[i]);
		cr_assert_eq(resp.rcode, rcodes[i]);
	}
	/* BADVERS: header rcode 0, upper bits in OPT */
	mb_start(&m, QID, DNS_FLAG_QR, "www.example.com.", DNS_TYPE_A);
	m.sec = DNS_SECTION_ADDITIONAL;
	mb_opt(&m, 1);
	cr_assert_eq(judge(&q, &m), CP_RESP_SERVER_ERROR);
	cr_assert_eq(resp.rcode, DNS_RCODE_BADVERS);
}

Test(cp_response, referral_keeps_only_child_glue)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "com.");
	const struct dns_rrset_in *ns;
	struct mb m;
	unsigned n_glue = 0;

	referral(&m);
	cr_assert_eq(judge(&q, &m), CP_RESP_REFERRAL);
	cr_assert(name_is(resp.child_zone, "example.com."));
	cr_assert_geq(resp.ns, 0);
	ns = &resp.rrsets[resp.ns];
	cr_assert_eq(ns->type, DNS_TYPE_NS);
	cr_assert_eq(ns->section, DNS_SECTION_AUTHORITY);
	cr_assert_eq(ns->n_rdata, 4);
	cr_assert_eq(ns->ttl, 86400);
	/* RDATA names are decompressed, case kept */
	cr_assert(name_is(ns->rdata[1].data, "NS2.example.com."));
	cr_assert(name_is(ns->rdata[3].data, "ns.example.net."));
	for (unsigned i = 0; i < resp.n_rrsets; i++) {
		const struct dns_rrset_in *s = &resp.rrsets[i];

		if (s->section != DNS_SECTION_ADDITIONAL)
			continue;
		n_glue++;
		cr_assert(name_is(s->owner, "ns1.example.com.") ||
			  name_is(s->owner, "ns2.example.com."));
	}
	cr_assert_eq(n_glue, 2);
	cr_assert_eq(resp.n_rrsets, 3);
	cr_assert_eq(resp.dropped[CP_RESP_DROP_GLUE], 1);
	cr_assert_eq(resp.dropped[CP_RESP_DROP_OUT_OF_ZONE], 1);
	cr_assert_eq(resp.dropped[CP_RESP_DROP_UNRELATED], 1);
}

Test(cp_response, answer_data_outside_zone_dropped)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_a(&m, "www.example.com.", 300, 1);
	mb_a(&m, "www.bank.org.", 300, 66);   /* out of bailiwick */
	mb_a(&m, "other.example.com.", 300, 7); /* in bailiwick but not asked for */
	m.sec = DNS_SECTION_AUTHORITY;
	mb_namerr(&m, "example.com.", DNS_TYPE_NS, 3600, "ns1.example.com.");
	mb_namerr(&m, "com.", DNS_TYPE_NS, 3600, "evil.example.net.");
	m.sec = DNS_SECTION_ADDITIONAL;
	mb_a(&m, "ns1.example.com.", 3600, 9);
	mb_a(&m, "a.gtld-servers.net.", 3600, 10);
	cr_assert_eq(judge(&q, &m), CP_RESP_ANSWER);
	cr_assert_eq(resp.n_rrsets, 3); /* answer, zone NS, its address */
	cr_assert_eq(resp.rrsets[1].type, DNS_TYPE_NS);
	cr_assert_eq(resp.rrsets[2].section, DNS_SECTION_ADDITIONAL);
	cr_assert(name_is(resp.rrsets[2].owner, "ns1.example.com."));
	cr_assert_eq(resp.dropped[CP_RESP_DROP_OUT_OF_ZONE], 3);
	cr_assert_eq(resp.dropped[CP_RESP_DROP_UNRELATED], 1);
	for (unsigned i = 0; i < resp.n_rrsets; i++)
		cr_assert(dns_name_in_zone(resp.rrsets[i].owner, q_zone));
}

Test(cp_response, cname_chain_inside_response)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_namerr(&m, "web.example.com.", DNS_TYPE_CNAME, 300, "host.example.com."); /* order */
	mb_namerr(&m, "www.example.com.", DNS_TYPE_CNAME, 600, "Web.example.com.");
	mb_a(&m, "host.example.com.", 60, 3);
	cr_assert_eq(judge(&q, &m), CP_RESP_ANSWER);
	cr_assert_eq(resp.n_chain, 2);
	cr_assert(name_is(resp.rrsets[resp.chain[0]].owner, "www.example.com."));
	/* compressed against the earlier owner, so it reads back in that spelling */
	cr_assert(name_is(resp.rrsets[resp.chain[0]].rdata[0].data, "web.example.com."));
	cr_assert(name_is(resp.rrsets[resp.chain[1]].owner, "web.example.com."));
	cr_assert(name_is(resp.rrsets[resp.answer].owner, "host.example.com."));
	cr_assert_eq(resp.rrsets[resp.answer].type, DNS_TYPE_A);
	cr_assert(name_is(resp.sname, "host.example.com."));
	cr_assert(!resp.cname_loop);
}

Test(cp_response, cname_chain_leaving_zone)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_namerr(&m, "www.example.com.", DNS_TYPE_CNAME, 300, "edge.cdn.net.");
	mb_a(&m, "edge.cdn.net.", 300, 99); /* not this server's to say */
	cr_assert_eq(judge(&q, &m), CP_RESP_CNAME);
	cr_assert_eq(resp.n_chain, 1);
	cr_assert_eq(resp.answer, -1);
	cr_assert(name_is(resp.sname, "edge.cdn.net."));
	cr_assert_eq(resp.n_rrsets, 1);
	cr_assert_eq(resp.dropped[CP_RESP_DROP_OUT_OF_ZONE], 1);
}

Test(cp_response, cname_to_missing_data_continues)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_namerr(&m, "www.example.com.", DNS_TYPE_CNAME, 300, "sub.child.example.com.");
	cr_assert_eq(judge(&q, &m), CP_RESP_CNAME);
	cr_assert(name_is(resp.sname, "sub.child.example.com."));
}

Test(cp_response, cname_loop_detected)
{
	struct cp_resp_query q = query("a.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS, "a.example.com.", DNS_TYPE_A);
	mb_namerr(&m, "a.example.com.", DNS_TYPE_CNAME, 300, "b.example.com.");
	mb_namerr(&m, "b.example.com.", DNS_TYPE_CNAME, 300, "a.example.com.");
	cr_assert_eq(judge(&q, &m), CP_RESP_CNAME);
	cr_assert(resp.cname_loop);
	cr_assert_eq(resp.n_chain, 2);
}

Test(cp_response, nxdomain_with_soa)
{
	struct cp_resp_query q = query("nope.example.com.", DNS_TYPE_A, "example.com.");
	const struct dns_rrset_in *soa;
	uint8_t w[DNS_NAME_MAXLEN];
	size_t n;
	struct mb m;

	mb_start(&m, QID, AA_FLAGS | DNS_RCODE_NXDOMAIN, "nope.example.com.", DNS_TYPE_A);
	m.sec = DNS_SECTION_AUTHORITY;
	mb_soa(&m, "example.com.", 3600);
	cr_assert_eq(judge(&q, &m), CP_RESP_NXDOMAIN);
	cr_assert_eq(resp.rcode, DNS_RCODE_NXDOMAIN);
	cr_assert_geq(resp.soa, 0);
	soa = &resp.rrsets[resp.soa];
	cr_assert_eq(soa->type, DNS_TYPE_SOA);
	cr_assert_eq(soa->section, DNS_SECTION_AUTHORITY);
	/* both names expanded from pointers: position independent */
	n = mb_wire(w, "ns1.example.com.");
	cr_assert_eq(memcmp(soa->rdata[0].data, w, n), 0);
	n += mb_wire(w, "hostmaster.example.com.");
	cr_assert_eq(soa->rdata[0].len, n + 20);
	cr_assert_eq(dns_get_u32(soa->rdata[0].data + n + 16), 60);
}

Test(cp_response, nxdomain_after_cname)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS | DNS_RCODE_NXDOMAIN, "www.example.com.", DNS_TYPE_A);
	mb_namerr(&m, "www.example.com.", DNS_TYPE_CNAME, 300, "gone.example.com.");
	m.sec = DNS_SECTION_AUTHORITY;
	mb_soa(&m, "example.com.", 3600);
	cr_assert_eq(judge(&q, &m), CP_RESP_NXDOMAIN);
	cr_assert_eq(resp.n_chain, 1);
	cr_assert(name_is(resp.sname, "gone.example.com."));
	cr_assert_geq(resp.soa, 0);
}

Test(cp_response, nodata_with_soa)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_AAAA, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_AAAA);
	m.sec = DNS_SECTION_AUTHORITY;
	mb_soa(&m, "example.com.", 3600);
	mb_soa(&m, "other.example.com.", 3600); /* not an ancestor of qname */
	cr_assert_eq(judge(&q, &m), CP_RESP_NODATA);
	cr_assert_geq(resp.soa, 0);
	cr_assert(name_is(resp.rrsets[resp.soa].owner, "example.com."));
	cr_assert_eq(resp.n_rrsets, 1);
	cr_assert_eq(resp.dropped[CP_RESP_DROP_UNRELATED], 1);
}

Test(cp_response, nodata_without_soa)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_AAAA, "example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_AAAA);
	cr_assert_eq(judge(&q, &m), CP_RESP_NODATA);
	cr_assert_eq(resp.soa, -1);
	cr_assert_eq(resp.n_rrsets, 0);
}

Test(cp_response, referral_upward_or_sideways_is_lame)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, DNS_FLAG_QR, "www.example.com.", DNS_TYPE_A);
	m.sec = DNS_SECTION_AUTHORITY;
	mb_namerr(&m, ".", DNS_TYPE_NS, 518400, "a.root-servers.net.");
	m.sec = DNS_SECTION_ADDITIONAL;
	mb_a(&m, "a.root-servers.net.", 518400, 4);
	cr_assert_eq(judge(&q, &m), CP_RESP_LAME, "upward");
	cr_assert_eq(resp.n_rrsets, 0);

	mb_start(&m, QID, DNS_FLAG_QR, "www.example.com.", DNS_TYPE_A);
	m.sec = DNS_SECTION_AUTHORITY;
	mb_namerr(&m, "example.com.", DNS_TYPE_NS, 3600, "ns1.example.com.");
	cr_assert_eq(judge(&q, &m), CP_RESP_LAME, "to itself");

	mb_start(&m, QID, DNS_FLAG_QR, "www.example.com.", DNS_TYPE_A);
	m.sec = DNS_SECTION_AUTHORITY;
	mb_namerr(&m, "other.example.com.", DNS_TYPE_NS, 3600, "ns1.example.com.");
	cr_assert_eq(judge(&q, &m), CP_RESP_LAME, "sideways");

	mb_start(&m, QID, DNS_FLAG_QR, "www.example.com.", DNS_TYPE_A);
	cr_assert_eq(judge(&q, &m), CP_RESP_LAME, "empty, no AA");
}

Test(cp_response, answer_without_aa_is_lame_unless_forwarder)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;

	mb_start(&m, QID, DNS_FLAG_QR | DNS_FLAG_RA, "www.example.com.", DNS_TYPE_A);
	mb_a(&m, "www.example.com.", 300, 1);
	cr_assert_eq(judge(&q, &m), CP_RESP_LAME);
	cr_assert_eq(resp.n_rrsets, 0);
	cr_assert_eq(resp.answer, -1);

	q = query("www.example.com.", DNS_TYPE_A, ".");
	q.forwarder = true;
	cr_assert_eq(judge(&q, &m), CP_RESP_ANSWER);
	cr_assert_eq(resp.n_rrsets, 1);
}

Test(cp_response, mx_rdata_decompressed_and_target_address_kept)
{
	struct cp_resp_query q = query("example.com.", DNS_TYPE_MX, "example.com.");
	uint8_t w[DNS_NAME_MAXLEN];
	size_t n = mb_wire(w, "mail.example.com.");
	struct mb m;

	mb_start(&m, QID, AA_FLAGS, "example.com.", DNS_TYPE_MX);
	mb_mx(&m, "example.com.", 10, "mail.example.com.");
	m.sec = DNS_SECTION_ADDITIONAL;
	mb_a(&m, "mail.example.com.", 300, 25);
	mb_a(&m, "www.example.com.", 300, 80);
	cr_assert_eq(judge(&q, &m), CP_RESP_ANSWER);
	cr_assert_eq(resp.n_rrsets, 2);
	cr_assert_eq(resp.rrsets[0].rdata[0].len, 2 + n);
	cr_assert_eq(dns_get_u16(resp.rrsets[0].rdata[0].data), 10);
	cr_assert_eq(memcmp(resp.rrsets[0].rdata[0].data + 2, w, n), 0);
	cr_assert(name_is(resp.rrsets[1].owner, "mail.example.com."));
	cr_assert_eq(resp.dropped[CP_RESP_DROP_UNRELATED], 1);
	/* nothing points into the message */
	for (unsigned i = 0; i < resp.n_rdata; i++)
		cr_assert(resp.rdata[i].data >= arena &&
			  resp.rdata[i].data < arena + sizeof(arena));
}

Test(cp_response, duplicates_and_other_classes_dropped)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;
	size_t at;

	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_a(&m, "www.example.com.", 300, 1);
	mb_a(&m, "www.example.com.", 300, 1);
	at = mb_rr_begin(&m, "www.example.com.", DNS_TYPE_A, DNS_CLASS_CH, 300);
	mb_put32(&m, 0x01020304);
	mb_end_rr(&m, at);
	cr_assert_eq(judge(&q, &m), CP_RESP_ANSWER);
	cr_assert_eq(resp.rrsets[0].n_rdata, 1);
	cr_assert_eq(resp.dropped[CP_RESP_DROP_DUPLICATE], 1);
	cr_assert_eq(resp.dropped[CP_RESP_DROP_CLASS], 1);
}

Test(cp_response, malformed_is_formerr)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "example.com.");
	struct mb m;
	size_t at;

	/* A with 5 octets */
	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	at = mb_rr_begin(&m, "www.example.com.", DNS_TYPE_A, DNS_CLASS_IN, 300);
	mb_put32(&m, 1);
	mb_put8(&m, 1);
	mb_end_rr(&m, at);
	cr_assert_eq(judge(&q, &m), CP_RESP_FORMERR, "A rdlen 5");

	/* a forward compression pointer in an owner */
	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_a(&m, "www.example.com.", 300, 1);
	/* the owner is a 2-octet pointer to the question; point it at itself */
	m.b[m.len - 16] = (uint8_t)(0xc0 | (m.len - 16) >> 8);
	m.b[m.len - 15] = (uint8_t)(m.len - 16);
	cr_assert_eq(judge(&q, &m), CP_RESP_FORMERR, "pointer to itself");

	/* a CNAME whose name runs past its RDLENGTH */
	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_namerr(&m, "www.example.com.", DNS_TYPE_CNAME, 300, "host.example.com.");
	m.b[m.len - 2 - 5 - 1] = (uint8_t)(m.b[m.len - 2 - 5 - 1] - 1);
	cr_assert_eq(judge(&q, &m), CP_RESP_FORMERR, "short rdlen");

	/* trailing garbage, and OPT in the answer section */
	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_a(&m, "www.example.com.", 300, 1);
	mb_put8(&m, 0);
	cr_assert_eq(judge(&q, &m), CP_RESP_FORMERR, "trailing byte");
	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_opt(&m, 0);
	cr_assert_eq(judge(&q, &m), CP_RESP_FORMERR, "OPT in answer");

	/* two CNAMEs at one name */
	mb_start(&m, QID, AA_FLAGS, "www.example.com.", DNS_TYPE_A);
	mb_namerr(&m, "www.example.com.", DNS_TYPE_CNAME, 300, "a.example.com.");
	mb_namerr(&m, "www.example.com.", DNS_TYPE_CNAME, 300, "b.example.com.");
	cr_assert_eq(judge(&q, &m), CP_RESP_FORMERR, "CNAME RRset of two");

	/* shorter than a header */
	cr_assert_eq(cp_response_parse(&q, m.b, 11, arena, sizeof(arena), &resp), 0);
	cr_assert_eq(resp.verdict, CP_RESP_FORMERR);
}

Test(cp_response, truncated_at_every_byte_never_accepted)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "com.");
	struct mb m;

	referral(&m);
	for (size_t len = 0; len < m.len; len++) {
		/* an exact-size copy so ASan sees any read past the end */
		uint8_t *copy = malloc(len > 0 ? len : 1);

		memcpy(copy, m.b, len);
		cr_assert_eq(cp_response_parse(&q, copy, len, arena, sizeof(arena), &resp), 0);
		cr_assert(resp.verdict == CP_RESP_FORMERR || resp.verdict == CP_RESP_MISMATCH,
			  "len %zu: %s", len, cp_resp_verdict_name(resp.verdict));
		cr_assert_eq(resp.n_rrsets, 0);
		free(copy);
	}
	cr_assert_eq(judge(&q, &m), CP_RESP_REFERRAL);
}

Test(cp_response, every_byte_flipped_is_safe)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "com.");
	struct mb m, bad;

	referral(&m);
	for (size_t i = 0; i < m.len; i++) {
		for (unsigned v = 0; v < 256; v += 51) {
			bad = m;
			bad.b[i] = (uint8_t)(bad.b[i] ^ (v | 1));
			cr_assert_eq(cp_response_parse(&q, bad.b, bad.len, arena, sizeof(arena),
						       &resp), 0);
			for (unsigned k = 0; k < resp.n_rrsets; k++)
				cr_assert(dns_name_in_zone(resp.rrsets[k].owner, q_zone));
		}
	}
}

Test(cp_response, small_arena_and_bad_arguments)
{
	struct cp_resp_query q = query("www.example.com.", DNS_TYPE_A, "com.");
	uint8_t tiny[40];
	struct mb m;

	referral(&m);
	cr_assert_eq(cp_response_parse(&q, m.b, m.len, tiny, sizeof(tiny), &resp), -ENOBUFS);
	cr_assert_eq(resp.verdict, CP_RESP_FORMERR);
	q = query("www.example.com.", DNS_TYPE_A, "example.org.");
	cr_assert_eq(cp_response_parse(&q, m.b, m.len, arena, sizeof(arena), &resp), -EINVAL);
	q.zone = NULL;
	cr_assert_eq(cp_response_parse(&q, m.b, m.len, arena, sizeof(arena), &resp), -EINVAL);
}

Test(cp_response, names_of_verdicts_and_drops)
{
	cr_assert_str_eq(cp_resp_verdict_name(CP_RESP_REFERRAL), "referral");
	cr_assert_str_eq(cp_resp_verdict_name(CP_RESP_VERDICT_COUNT), "unknown");
	for (int v = 0; v < CP_RESP_VERDICT_COUNT; v++)
		cr_assert_neq(cp_resp_verdict_name((enum cp_resp_verdict)v), NULL);
	for (int d = 0; d < CP_RESP_DROP_COUNT; d++)
		cr_assert_neq(cp_resp_drop_name((enum cp_resp_drop)d), NULL);
	cr_assert_str_eq(cp_resp_drop_name(CP_RESP_DROP_GLUE), "glue");
}
