/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for control/cp_localdata*.c: the store (add, remove, conflicts),
 * parsing and printing records, and every kind of answer. Answers go the whole
 * way a worker serves them: template built, query parsed by dns_query_parse(),
 * reply written by dns_serve(), and the reply read back with libknot's parser.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libknot/libknot.h>

#include "cp_localdata.h"
#include "dns_present.h"
#include "dns_query.h"
#include "dns_serve.h"
#include "dns_template.h"

static struct cp_localdata *ld;

static void
setup(void)
{
	ld = cp_localdata_new();
	cr_assert_not_null(ld);
}

static void
teardown(void)
{
	cp_localdata_free(ld);
	ld = NULL;
}

TestSuite(cp_localdata, .init = setup, .fini = teardown);

static void
add(const char *text)
{
	char err[256] = "";
	int rc = cp_localdata_add_text(ld, text, err, sizeof(err));

	cr_assert_eq(rc, 0, "adding \"%s\": %d %s", text, rc, err);
}

static void
zone(const char *name, enum cp_lz_type type)
{
	uint8_t wire[DNS_NAME_MAXLEN];

	cr_assert_gt(dns_name_from_text(name, wire, sizeof(wire)), 0);
	cr_assert_eq(cp_localdata_zone_add(ld, wire, type), 0, "zone %s", name);
}

/* Adding @p text fails with @p want and a reason containing @p why. */
static void
add_fails(const char *text, int want, const char *why)
{
	char err[256] = "";
	int rc = cp_localdata_add_text(ld, text, err, sizeof(err));

	cr_assert_eq(rc, want, "adding \"%s\": %d, want %d (%s)", text, rc, want, err);
	cr_assert(strstr(err, why) != NULL, "\"%s\": reason \"%s\" lacks \"%s\"", text, err, why);
}

/* ---- serving: query -> template -> dns_serve -> libknot ---- */

struct reply {
	knot_pkt_t *pkt;
	uint8_t wire[65536];
	int len;
	enum cp_ld_kind kind;
};

static struct reply the_reply;

/* Build a query for @p name/@p type, answer it from local data and parse the reply. */
static struct reply *
ask_class(const char *name, uint16_t type, uint16_t qclass)
{
	static uint8_t query[512];
	static uint32_t tbuf[DNS_TMPL_MAXLEN / 4];
	struct reply *r = &the_reply;
	struct dns_query q;
	size_t n = DNS_HEADER_LEN;
	int qlen, tlen;

	memset(query, 0, DNS_HEADER_LEN);
	dns_put_u16(query, 0x4242);
	dns_put_u16(query + 2, DNS_FLAG_RD);
	dns_put_u16(query + 4, 1);
	qlen = dns_name_from_text(name, query + n, DNS_NAME_MAXLEN);
	cr_assert_gt(qlen, 0, "bad test name %s", name);
	n += (size_t)qlen;
	dns_put_u16(query + n, type);
	dns_put_u16(query + n + 2, qclass);
	n += 4;
	cr_assert_eq(dns_query_parse(query, n, &q), DNS_VERDICT_ANSWER);

	if (r->pkt != NULL)
		knot_pkt_free(r->pkt);
	r->pkt = NULL;
	tlen = cp_localdata_build_template(ld, q.key.bytes, q.qtype, q.qclass, tbuf, sizeof(tbuf),
	                                   &r->kind);
	cr_assert_geq(tlen, 0, "build_template(%s): %d", name, tlen);
	if (tlen == 0) {
		cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
		return r;
	}
	cr_assert_eq(dns_template_check(tbuf, (size_t)tlen), 0, "template for %s", name);
	r->len = dns_serve((const struct dns_template *)tbuf, &q, 0, 0, 65535, r->wire,
	                   sizeof(r->wire));
	cr_assert_gt(r->len, 0, "dns_serve: %d", r->len);
	r->pkt = knot_pkt_new(r->wire, (size_t)r->len, NULL);
	cr_assert_not_null(r->pkt);
	cr_assert_eq(knot_pkt_parse(r->pkt, 0), KNOT_EOK, "libknot cannot parse the reply");
	return r;
}

static struct reply *
ask(const char *name, uint16_t type)
{
	return ask_class(name, type, DNS_CLASS_IN);
}

static void
expect_header(const struct reply *r, uint8_t rcode, bool aa, uint16_t an, uint16_t ns, uint16_t ar)
{
	const uint8_t *w = r->pkt->wire;

	cr_assert_eq(knot_wire_get_rcode(w), rcode, "rcode %s, want %s",
	             dns_rcode_to_text(knot_wire_get_rcode(w)), dns_rcode_to_text(rcode));
	cr_assert_eq(knot_wire_get_aa(w) != 0, aa, "AA");
	cr_assert(knot_wire_get_qr(w));
	cr_assert_eq(knot_wire_get_id(w), 0x4242);
	cr_assert_eq(knot_wire_get_ancount(w), an, "ANCOUNT %u, want %u", knot_wire_get_ancount(w),
	             an);
	cr_assert_eq(knot_wire_get_nscount(w), ns, "NSCOUNT %u, want %u", knot_wire_get_nscount(w),
	             ns);
	cr_assert_eq(knot_wire_get_arcount(w), ar, "ARCOUNT %u, want %u", knot_wire_get_arcount(w),
	             ar);
}

/* RR @p i of section @p sec as "owner TTL TYPE rdata" (class left out). */
static const char *
rr_text(const struct reply *r, knot_section_t sec, uint16_t i)
{
	static char buf[2048];
	const knot_pktsection_t *s = knot_pkt_section(r->pkt, sec);
	const knot_rrset_t *rr;
	char owner[KNOT_DNAME_TXT_MAXLEN], type[16], data[768];

	cr_assert_lt(i, s->count, "section %d has %u RRs", sec, s->count);
	rr = knot_pkt_rr(s, i);
	knot_dname_to_str(owner, rr->owner, sizeof(owner));
	knot_rrtype_to_string(rr->type, type, sizeof(type));
	cr_assert_geq(knot_rrset_txt_dump_data(rr, 0, data, sizeof(data), &KNOT_DUMP_STYLE_DEFAULT),
	              0);
	snprintf(buf, sizeof(buf), "%s %u %s %s", owner, rr->ttl, type, data);
	return buf;
}

static void
expect_rr(const struct reply *r, knot_section_t sec, uint16_t i, const char *want)
{
	const char *got = rr_text(r, sec, i);

	cr_assert_str_eq(got, want, "section %d RR %u: \"%s\", want \"%s\"", sec, i, got, want);
}

/* The example zone most tests answer from. */
static void
example_zone(void)
{
	zone("example.test.", CP_LZ_STATIC);
	add("example.test. 3600 IN SOA ns.example.test. hostmaster.example.test. 1 3600 900 "
	    "604800 300");
	add("example.test. 3600 IN NS ns.example.test.");
	add("example.test. 300 IN MX 10 mail.example.test.");
	add("ns.example.test. 3600 IN A 198.18.1.2");
	add("www.example.test. 300 IN A 198.18.1.10");
	add("www.example.test. 300 IN A 198.18.1.11");
	add("www.example.test. 300 IN AAAA 2001:db8:1::10");
	add("mail.example.test. 300 IN A 198.18.1.25");
	add("mail.example.test. 300 IN AAAA 2001:db8:1::25");
	add("web.example.test. 300 IN CNAME www.example.test.");
	add("a.b.c.example.test. 60 IN TXT \"deep\"");
}

/* ---- answers ---- */

Test(cp_localdata, exact_rrset_is_authoritative_noerror)
{
	struct reply *r;

	example_zone();
	r = ask("www.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_ANSWER);
	expect_header(r, KNOT_RCODE_NOERROR, true, 2, 0, 0);
	expect_rr(r, KNOT_ANSWER, 0, "www.example.test. 300 A 198.18.1.10");
	expect_rr(r, KNOT_ANSWER, 1, "www.example.test. 300 A 198.18.1.11");

	r = ask("www.example.test.", DNS_TYPE_AAAA);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 0);
	expect_rr(r, KNOT_ANSWER, 0, "www.example.test. 300 AAAA 2001:db8:1::10");
}

Test(cp_localdata, question_case_does_not_matter)
{
	struct reply *r;

	example_zone();
	r = ask("WwW.ExAmPlE.TeSt.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NOERROR, true, 2, 0, 0);
	expect_rr(r, KNOT_ANSWER, 0, "www.example.test. 300 A 198.18.1.10");
	/* The reply echoes the client's spelling, and the owner points at it (offset 12). */
	cr_assert_arr_eq(r->wire + DNS_HEADER_LEN, "\3WwW\7ExAmPlE\4TeSt", 18);
	cr_assert_eq(dns_get_u16(r->wire + DNS_HEADER_LEN + 18 + 4), 0xc000 | DNS_HEADER_LEN);
}

Test(cp_localdata, every_supported_type_answers)
{
	static const struct {
		const char *record;
		const char *name;
		uint16_t type;
		const char *want;
	} cases[] = {
		{ "t.test. 60 IN A 198.18.0.1", "t.test.", DNS_TYPE_A, "t.test. 60 A 198.18.0.1" },
		{ "t.test. 60 IN AAAA 2001:db8::1", "t.test.", DNS_TYPE_AAAA,
		  "t.test. 60 AAAA 2001:db8::1" },
		{ "c.test. 60 IN CNAME t.test.", "c.test.", DNS_TYPE_CNAME,
		  "c.test. 60 CNAME t.test." },
		{ "t.test. 60 IN MX 5 mx.test.", "t.test.", DNS_TYPE_MX,
		  "t.test. 60 MX 5 mx.test." },
		{ "t.test. 60 IN TXT \"hello world\" \"two\"", "t.test.", DNS_TYPE_TXT,
		  "t.test. 60 TXT \"hello world\" \"two\"" },
		{ "1.0.18.198.in-addr.arpa. 60 IN PTR t.test.", "1.0.18.198.in-addr.arpa.",
		  DNS_TYPE_PTR, "1.0.18.198.in-addr.arpa. 60 PTR t.test." },
		{ "t.test. 60 IN NS ns.test.", "t.test.", DNS_TYPE_NS, "t.test. 60 NS ns.test." },
		{ "t.test. 60 IN SOA ns.test. h.test. 7 1 2 3 4", "t.test.", DNS_TYPE_SOA,
		  "t.test. 60 SOA ns.test. h.test. 7 1 2 3 4" },
		{ "_s._udp.t.test. 60 IN SRV 1 2 53 t.test.", "_s._udp.t.test.", DNS_TYPE_SRV,
		  "_s._udp.t.test. 60 SRV 1 2 53 t.test." },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		add(cases[i].record);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reply *r = ask(cases[i].name, cases[i].type);

		cr_assert_eq(r->kind, CP_LD_ANSWER, "%s", cases[i].record);
		cr_assert_eq(knot_wire_get_ancount(r->pkt->wire), 1, "%s", cases[i].record);
		cr_assert(knot_wire_get_aa(r->pkt->wire));
		expect_rr(r, KNOT_ANSWER, 0, cases[i].want);
	}
}

Test(cp_localdata, default_ttl_is_3600)
{
	struct reply *r;

	add("nottl.test. A 198.18.0.9");
	r = ask("nottl.test.", DNS_TYPE_A);
	expect_rr(r, KNOT_ANSWER, 0, "nottl.test. 3600 A 198.18.0.9");
}

Test(cp_localdata, cname_is_chased_through_local_data)
{
	struct reply *r;

	example_zone();
	r = ask("web.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_ANSWER);
	expect_header(r, KNOT_RCODE_NOERROR, true, 3, 0, 0);
	expect_rr(r, KNOT_ANSWER, 0, "web.example.test. 300 CNAME www.example.test.");
	expect_rr(r, KNOT_ANSWER, 1, "www.example.test. 300 A 198.18.1.10");
	expect_rr(r, KNOT_ANSWER, 2, "www.example.test. 300 A 198.18.1.11");

	/* Asking for the CNAME itself gives just the CNAME. */
	r = ask("web.example.test.", DNS_TYPE_CNAME);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 0);
}

Test(cp_localdata, cname_chain_to_nodata_and_nxdomain)
{
	struct reply *r;

	example_zone();
	add("gone.example.test. 300 IN CNAME nowhere.example.test.");
	/* www has A and AAAA but no TXT: NODATA after the CNAME, SOA of the zone. */
	r = ask("web.example.test.", DNS_TYPE_TXT);
	cr_assert_eq(r->kind, CP_LD_NODATA);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 1, 0);
	expect_rr(r, KNOT_AUTHORITY, 0,
	          "example.test. 300 SOA ns.example.test. hostmaster.example.test. 1 3600 900 "
	          "604800 300");
	/* RFC 6604: the rcode is that of the last name in the chain. */
	r = ask("gone.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	expect_header(r, KNOT_RCODE_NXDOMAIN, true, 1, 1, 0);
	expect_rr(r, KNOT_ANSWER, 0, "gone.example.test. 300 CNAME nowhere.example.test.");
}

Test(cp_localdata, cname_leaving_local_data_stops_with_chase_target)
{
	struct cp_ld_answer ans;
	uint8_t q[DNS_NAME_MAXLEN], want[DNS_NAME_MAXLEN];
	struct reply *r;

	add("alias.test. 300 IN CNAME www.elsewhere.test.");
	dns_name_from_text("alias.test.", q, sizeof(q));
	dns_name_from_text("www.elsewhere.test.", want, sizeof(want));
	cr_assert_eq(cp_localdata_answer(ld, q, DNS_TYPE_A, DNS_CLASS_IN, &ans), CP_LD_ANSWER);
	cr_assert_not_null(ans.chase);
	cr_assert_arr_eq(ans.chase, want, sizeof("\3www\11elsewhere\4test"));
	r = ask("alias.test.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 0);
}

Test(cp_localdata, cname_loop_is_bounded)
{
	struct cp_ld_answer ans;
	uint8_t q[DNS_NAME_MAXLEN];
	struct reply *r;

	add("loop1.test. 60 IN CNAME loop2.test.");
	add("loop2.test. 60 IN CNAME loop3.test.");
	add("loop3.test. 60 IN CNAME loop1.test.");
	add("self.test. 60 IN CNAME self.test.");
	r = ask("loop1.test.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NOERROR, true, 3, 0, 0);
	expect_rr(r, KNOT_ANSWER, 2, "loop3.test. 60 CNAME loop1.test.");
	dns_name_from_text("loop1.test.", q, sizeof(q));
	cr_assert_eq(cp_localdata_answer(ld, q, DNS_TYPE_A, DNS_CLASS_IN, &ans), CP_LD_ANSWER);
	cr_assert_null(ans.chase, "a loop is not something to chase further");
	r = ask("self.test.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 0);
}

Test(cp_localdata, long_cname_chain_is_cut_at_the_limit)
{
	struct cp_ld_answer ans;
	uint8_t q[DNS_NAME_MAXLEN];
	char rec[128];
	struct reply *r;

	for (int i = 0; i < 20; i++) {
		snprintf(rec, sizeof(rec), "c%d.test. 60 IN CNAME c%d.test.", i, i + 1);
		add(rec);
	}
	add("c20.test. 60 IN A 198.18.0.20");
	r = ask("c0.test.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NOERROR, true, CP_LD_CNAME_MAX, 0, 0);
	dns_name_from_text("c0.test.", q, sizeof(q));
	cp_localdata_answer(ld, q, DNS_TYPE_A, DNS_CLASS_IN, &ans);
	cr_assert_not_null(ans.chase, "the rest of the chain is left to a resolver");

	/* A chain within the limit is followed to the end. */
	r = ask("c14.test.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NOERROR, true, 7, 0, 0);
	expect_rr(r, KNOT_ANSWER, 6, "c20.test. 60 A 198.18.0.20");
}

Test(cp_localdata, mx_answer_carries_exchange_addresses)
{
	struct reply *r;

	example_zone();
	r = ask("example.test.", DNS_TYPE_MX);
	cr_assert_eq(r->kind, CP_LD_ANSWER);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 2);
	expect_rr(r, KNOT_ANSWER, 0, "example.test. 300 MX 10 mail.example.test.");
	expect_rr(r, KNOT_ADDITIONAL, 0, "mail.example.test. 300 A 198.18.1.25");
	expect_rr(r, KNOT_ADDITIONAL, 1, "mail.example.test. 300 AAAA 2001:db8:1::25");
}

Test(cp_localdata, srv_and_ns_answers_carry_target_addresses)
{
	struct reply *r;

	example_zone();
	add("_dns._udp.example.test. 300 IN SRV 0 5 53 ns.example.test.");
	r = ask("_dns._udp.example.test.", DNS_TYPE_SRV);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 1);
	expect_rr(r, KNOT_ADDITIONAL, 0, "ns.example.test. 3600 A 198.18.1.2");
	r = ask("example.test.", DNS_TYPE_NS);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 1);
}

Test(cp_localdata, mx_to_a_name_without_local_address_has_no_additional)
{
	struct reply *r;

	add("m.test. 60 IN MX 10 mx.elsewhere.test.");
	add("null.test. 60 IN MX 0 .");
	r = ask("m.test.", DNS_TYPE_MX);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 0);
	r = ask("null.test.", DNS_TYPE_MX);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 0);
}

Test(cp_localdata, nodata_carries_the_zone_soa)
{
	struct reply *r;

	example_zone();
	r = ask("www.example.test.", DNS_TYPE_TXT);
	cr_assert_eq(r->kind, CP_LD_NODATA);
	expect_header(r, KNOT_RCODE_NOERROR, true, 0, 1, 0);
	/* RFC 2308 5: TTL min(3600, MINIMUM 300). */
	expect_rr(r, KNOT_AUTHORITY, 0,
	          "example.test. 300 SOA ns.example.test. hostmaster.example.test. 1 3600 900 "
	          "604800 300");
}

Test(cp_localdata, empty_non_terminal_is_nodata_not_nxdomain)
{
	struct reply *r;

	example_zone();
	r = ask("b.c.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NODATA);
	expect_header(r, KNOT_RCODE_NOERROR, true, 0, 1, 0);
	r = ask("c.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NODATA);
}

Test(cp_localdata, static_zone_nxdomain_with_soa)
{
	struct reply *r;

	example_zone();
	r = ask("nope.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	expect_header(r, KNOT_RCODE_NXDOMAIN, true, 0, 1, 0);
	expect_rr(r, KNOT_AUTHORITY, 0,
	          "example.test. 300 SOA ns.example.test. hostmaster.example.test. 1 3600 900 "
	          "604800 300");
	/* Below an existing name too. */
	r = ask("x.www.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
}

Test(cp_localdata, zone_without_soa_gets_a_synthesized_one)
{
	struct reply *r;

	zone("nosoa.test.", CP_LZ_STATIC);
	add("host.nosoa.test. 60 IN A 198.18.0.3");
	r = ask("missing.nosoa.test.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NXDOMAIN, true, 0, 1, 0);
	expect_rr(r, KNOT_AUTHORITY, 0,
	          "nosoa.test. 60 SOA nosoa.test. nobody.invalid. 1 3600 1200 604800 60");
	/* The apex exists (NODATA), and its SOA query gets the same record. */
	r = ask("nosoa.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NODATA);
	r = ask("nosoa.test.", DNS_TYPE_SOA);
	cr_assert_eq(r->kind, CP_LD_ANSWER);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 0);
	expect_rr(r, KNOT_ANSWER, 0,
	          "nosoa.test. 60 SOA nosoa.test. nobody.invalid. 1 3600 1200 604800 60");
}

Test(cp_localdata, data_outside_zones_is_transparent_at_its_name)
{
	struct reply *r;

	add("lone.test. 60 IN A 198.18.0.4");
	r = ask("lone.test.", DNS_TYPE_AAAA);
	cr_assert_eq(r->kind, CP_LD_NODATA);
	expect_header(r, KNOT_RCODE_NOERROR, true, 0, 1, 0);
	expect_rr(r, KNOT_AUTHORITY, 0,
	          "lone.test. 60 SOA lone.test. nobody.invalid. 1 3600 1200 604800 60");
	/* Neither its parent nor its children are local. */
	r = ask("test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
	r = ask("sub.lone.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
}

Test(cp_localdata, transparent_zone_leaves_unknown_names_to_the_resolver)
{
	struct reply *r;

	zone("tr.test.", CP_LZ_TRANSPARENT);
	add("known.tr.test. 60 IN A 198.18.0.5");
	r = ask("known.tr.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_ANSWER);
	r = ask("known.tr.test.", DNS_TYPE_MX);
	cr_assert_eq(r->kind, CP_LD_NODATA);
	r = ask("unknown.tr.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
	/* Only names with data exist here: the apex and empty non-terminals are resolved. */
	r = ask("tr.test.", DNS_TYPE_SOA);
	cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
	add("a.b.tr.test. 60 IN A 198.18.0.5");
	r = ask("b.tr.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
}

Test(cp_localdata, refuse_zone_refuses_but_answers_its_data)
{
	struct reply *r;

	zone("blocked.test.", CP_LZ_REFUSE);
	add("allowed.blocked.test. 60 IN A 198.18.0.6");
	r = ask("ads.blocked.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_REFUSED);
	expect_header(r, KNOT_RCODE_REFUSED, false, 0, 0, 0);
	r = ask("allowed.blocked.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_ANSWER);
	r = ask("allowed.blocked.test.", DNS_TYPE_TXT);
	cr_assert_eq(r->kind, CP_LD_REFUSED);
}

Test(cp_localdata, closest_zone_decides)
{
	struct reply *r;

	zone("outer.test.", CP_LZ_STATIC);
	zone("inner.outer.test.", CP_LZ_TRANSPARENT);
	r = ask("x.outer.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	r = ask("x.inner.outer.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
}

Test(cp_localdata, not_covered_is_not_local)
{
	struct reply *r;

	example_zone();
	r = ask("www.example.org.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
	/* Another class: exact matches only, zones do not apply. */
	r = ask_class("nope.example.test.", DNS_TYPE_A, DNS_CLASS_CH);
	cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
}

Test(cp_localdata, any_returns_every_rrset_at_the_name)
{
	struct reply *r;

	example_zone();
	r = ask("www.example.test.", DNS_TYPE_ANY);
	cr_assert_eq(r->kind, CP_LD_ANSWER);
	expect_header(r, KNOT_RCODE_NOERROR, true, 3, 0, 0);
}

/* ---- the store ---- */

Test(cp_localdata, cname_with_other_data_is_refused)
{
	add("x.test. 60 IN A 198.18.0.7");
	add_fails("x.test. 60 IN CNAME y.test.", -EINVAL, "RFC 1034 3.6.2");
	add("c.test. 60 IN CNAME y.test.");
	add_fails("c.test. 60 IN TXT \"no\"", -EINVAL, "RFC 1034 3.6.2");
	add_fails("c.test. 60 IN CNAME z.test.", -EINVAL, "at most one");
	/* The same CNAME again is a duplicate, not a second one. */
	add_fails("c.test. 60 IN CNAME Y.TEST.", -EEXIST, "already present");
}

Test(cp_localdata, duplicate_record_is_refused)
{
	add("d.test. 60 IN A 198.18.0.8");
	add_fails("D.test. 60 IN A 198.18.0.8", -EEXIST, "already present");
	add_fails("d.test. 60 IN A 198.18.0.8", -EEXIST, "already present");
	cr_assert_eq(cp_localdata_count(ld), 1);
}

Test(cp_localdata, ttl_must_match_the_rrset)
{
	add("t.test. 60 IN A 198.18.0.1");
	add_fails("t.test. 120 IN A 198.18.0.2", -EINVAL, "RFC 2181 5.2");
}

Test(cp_localdata, second_soa_and_meta_types_are_refused)
{
	add("z.test. 60 IN SOA ns.z.test. h.z.test. 1 2 3 4 5");
	add_fails("z.test. 60 IN SOA ns.z.test. h.z.test. 2 2 3 4 5", -EINVAL, "two SOA");
	add_fails("m.test. 60 IN TYPE41 \\# 0", -EINVAL, "meta type");
	add_fails("m.test. 60 IN TYPE255 \\# 0", -EINVAL, "meta type");
	add_fails("m.test. 2147483648 IN A 198.18.0.1", -EINVAL, "RFC 2181 8");
}

Test(cp_localdata, bad_records_do_not_parse)
{
	add_fails("www.test. 300 IN A 198.18.1.300", -EINVAL, "IPv4");
	add_fails("www.test. 300 IN AAAA 2001:db8::zz", -EINVAL, "address");
	add_fails("www.test. 300 IN BOGUS 1", -EINVAL, "");
	add_fails("www.test. 300 IN MX mail.test.", -EINVAL, "number");
	add_fails("www.test. 300 IN A", -EINVAL, "");
	add_fails("", -EINVAL, "empty");
	add_fails("   ", -EINVAL, "empty");
	add_fails("$TTL 60", -EINVAL, "directives");
	add_fails("$INCLUDE /etc/passwd", -EINVAL, "directives");
	add_fails("a.test. A 198.18.0.1\nb.test. A 198.18.0.2", -EINVAL, "more than one record");
	add_fails("www.test. 300 CH TXT \"x\"", -EINVAL, "");
	cr_assert_eq(cp_localdata_count(ld), 0);
	/* The scanner recovers after errors. */
	add("ok.test. 300 IN A 198.18.0.1");
}

Test(cp_localdata, remove_at_runtime)
{
	struct reply *r;
	char err[256];

	example_zone();
	r = ask("www.example.test.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NOERROR, true, 2, 0, 0);

	cr_assert_eq(cp_localdata_remove_text(ld, "www.example.test. 300 IN A 198.18.1.10", err,
	                                      sizeof(err)),
	             1, "%s", err);
	r = ask("www.example.test.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 0);
	expect_rr(r, KNOT_ANSWER, 0, "www.example.test. 300 A 198.18.1.11");

	/* A whole RRset by NAME TYPE, then the rest by NAME. */
	cr_assert_eq(cp_localdata_remove_text(ld, "www.example.test. A", err, sizeof(err)), 1);
	r = ask("www.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NODATA);
	cr_assert_eq(cp_localdata_remove_text(ld, "www.example.test", err, sizeof(err)), 1);
	r = ask("www.example.test.", DNS_TYPE_AAAA);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	/* The CNAME now leads nowhere. */
	r = ask("web.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	expect_header(r, KNOT_RCODE_NXDOMAIN, true, 1, 1, 0);

	cr_assert_eq(cp_localdata_remove_text(ld, "www.example.test.", err, sizeof(err)), -ENOENT);
	cr_assert_eq(cp_localdata_remove_text(ld, "x.test. BOGUSTYPE", err, sizeof(err)), -EINVAL);
}

Test(cp_localdata, add_at_runtime_and_generation)
{
	uint64_t g0 = cp_localdata_generation(ld);
	struct reply *r;

	example_zone();
	cr_assert_gt(cp_localdata_generation(ld), g0);
	r = ask("new.example.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	g0 = cp_localdata_generation(ld);
	add("new.example.test. 30 IN A 198.18.2.1");
	cr_assert_gt(cp_localdata_generation(ld), g0);
	r = ask("new.example.test.", DNS_TYPE_A);
	expect_header(r, KNOT_RCODE_NOERROR, true, 1, 0, 0);
	expect_rr(r, KNOT_ANSWER, 0, "new.example.test. 30 A 198.18.2.1");
}

Test(cp_localdata, removing_the_last_record_forgets_empty_non_terminals)
{
	struct reply *r;
	uint8_t name[DNS_NAME_MAXLEN];

	zone("ent.test.", CP_LZ_STATIC);
	add("a.b.c.ent.test. 60 IN A 198.18.0.1");
	r = ask("b.c.ent.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NODATA);
	dns_name_from_text("a.b.c.ent.test.", name, sizeof(name));
	cr_assert_eq(cp_localdata_remove_name(ld, name, 0), 1);
	r = ask("b.c.ent.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	r = ask("a.b.c.ent.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	cr_assert_eq(cp_localdata_count(ld), 0);
}

Test(cp_localdata, zones_add_remove)
{
	uint8_t name[DNS_NAME_MAXLEN];
	struct reply *r;

	dns_name_from_text("z.test.", name, sizeof(name));
	cr_assert_eq(cp_localdata_zone_add(ld, name, CP_LZ_STATIC), 0);
	cr_assert_eq(cp_localdata_zone_add(ld, name, CP_LZ_REFUSE), -EEXIST);
	r = ask("x.z.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	cr_assert_eq(cp_localdata_zone_remove(ld, name), 0);
	cr_assert_eq(cp_localdata_zone_remove(ld, name), -ENOENT);
	r = ask("x.z.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NOT_LOCAL);
}

static int
collect(const struct cp_rr *rr, void *arg)
{
	char *out = arg, text[CP_RR_TEXT_MAX];

	cr_assert_gt(cp_rr_to_text(rr, text, sizeof(text)), 0);
	strcat(out, text);
	strcat(out, "|");
	return 0;
}

Test(cp_localdata, list_prints_presentation_format)
{
	char out[4096] = "";

	add("MX.Test. 300 IN MX 10 Mail.Test.");
	cr_assert_eq(cp_localdata_foreach(ld, collect, out), 0);
	cr_assert_str_eq(out, "mx.test. 300 IN MX 10 Mail.Test.|");
}

Test(cp_localdata, many_names_stay_fast_and_correct)
{
	char rec[128], name[64];
	struct reply *r;

	zone("bulk.test.", CP_LZ_STATIC);
	for (int i = 0; i < 20000; i++) {
		snprintf(rec, sizeof(rec), "h%d.bulk.test. 60 IN A 198.18.%d.%d", i, i / 250,
		         i % 250 + 1);
		add(rec);
	}
	cr_assert_eq(cp_localdata_count(ld), 20000);
	for (int i = 0; i < 20000; i += 997) {
		char want[128];

		snprintf(name, sizeof(name), "h%d.bulk.test.", i);
		r = ask(name, DNS_TYPE_A);
		snprintf(want, sizeof(want), "h%d.bulk.test. 60 A 198.18.%d.%d", i, i / 250,
		         i % 250 + 1);
		expect_rr(r, KNOT_ANSWER, 0, want);
	}
	for (int i = 0; i < 20000; i += 2) {
		snprintf(name, sizeof(name), "h%d.bulk.test", i);
		cr_assert_eq(cp_localdata_remove_text(ld, name, rec, sizeof(rec)), 1);
	}
	cr_assert_eq(cp_localdata_count(ld), 10000);
	r = ask("h2.bulk.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_NXDOMAIN);
	r = ask("h3.bulk.test.", DNS_TYPE_A);
	cr_assert_eq(r->kind, CP_LD_ANSWER);
}
