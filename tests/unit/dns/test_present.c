/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for dns/dns_present.c: names, types, classes and rcodes to text and back. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dns_present.h"

/* Wire name from dotted text without escapes ("." is the root), independent of dns_present. */
static int
wire(const char *text, uint8_t *out)
{
	size_t n = 0;
	const char *p = text;

	if (strcmp(text, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot != NULL ? (size_t)(dot - p) : strlen(p);

		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	out[n++] = 0;
	return (int)n;
}

static void
expect_text(const uint8_t *name, const char *text)
{
	char buf[DNS_NAME_TEXT_MAX];
	int rc = dns_name_to_text(name, buf, sizeof(buf));

	cr_assert_eq(rc, (int)strlen(text), "length %d for \"%s\"", rc, text);
	cr_assert_str_eq(buf, text);
}

static void
expect_wire(const char *text, const uint8_t *name, int len)
{
	uint8_t buf[DNS_NAME_MAXLEN];
	int rc = dns_name_from_text(text, buf, sizeof(buf));

	cr_assert_eq(rc, len, "\"%s\": %d, want %d", text, rc, len);
	cr_assert_arr_eq(buf, name, (size_t)len, "\"%s\": wrong wire form", text);
}

/* ---- names to text ---- */

Test(dns_present, root_to_text)
{
	const uint8_t root[] = {0};

	expect_text(root, ".");
}

Test(dns_present, name_to_text_is_absolute)
{
	uint8_t n[DNS_NAME_MAXLEN];

	wire("www.example.com", n);
	expect_text(n, "www.example.com.");
	wire("com", n);
	expect_text(n, "com.");
}

Test(dns_present, name_to_text_keeps_case)
{
	uint8_t n[DNS_NAME_MAXLEN];

	wire("WwW.ExAmPlE.CoM", n);
	expect_text(n, "WwW.ExAmPlE.CoM.");
}

Test(dns_present, name_to_text_escapes_dot_and_backslash)
{
	const uint8_t dot[] = {3, 'a', '.', 'b', 3, 'c', 'o', 'm', 0};
	const uint8_t bs[] = {3, 'a', '\\', 'b', 0};
	char buf[DNS_NAME_TEXT_MAX];
	int rc;

	rc = dns_name_to_text(dot, buf, sizeof(buf));
	cr_assert_gt(rc, 0);
	cr_assert(strcmp(buf, "a\\.b.com.") == 0 || strcmp(buf, "a\\046b.com.") == 0,
		  "dot inside a label: \"%s\"", buf);
	cr_assert_eq(rc, (int)strlen(buf));

	rc = dns_name_to_text(bs, buf, sizeof(buf));
	cr_assert_gt(rc, 0);
	cr_assert(strcmp(buf, "a\\\\b.") == 0 || strcmp(buf, "a\\092b.") == 0,
		  "backslash inside a label: \"%s\"", buf);
}

Test(dns_present, name_to_text_escapes_non_printable_as_ddd)
{
	const uint8_t n[] = {3, 0x00, 'x', 0xff, 0};
	char buf[DNS_NAME_TEXT_MAX];
	int rc = dns_name_to_text(n, buf, sizeof(buf));

	cr_assert_gt(rc, 0);
	cr_assert_str_eq(buf, "\\000x\\255.");
}

Test(dns_present, name_to_text_enospc)
{
	uint8_t n[DNS_NAME_MAXLEN];
	char buf[DNS_NAME_TEXT_MAX];
	const char *want = "www.example.com.";
	size_t len = strlen(want);

	wire("www.example.com", n);
	/* The text is NUL-terminated: len + 1 bytes are enough, len are not. */
	cr_assert_eq(dns_name_to_text(n, buf, len + 1), (int)len);
	cr_assert_str_eq(buf, want);
	cr_assert_eq(dns_name_to_text(n, buf, len), -ENOSPC);
	cr_assert_eq(dns_name_to_text(n, buf, 4), -ENOSPC);
	cr_assert_eq(dns_name_to_text(n, buf, 0), -ENOSPC);

	const uint8_t root[] = {0};

	cr_assert_eq(dns_name_to_text(root, buf, 2), 1);
	cr_assert_eq(dns_name_to_text(root, buf, 1), -ENOSPC);
}

Test(dns_present, name_to_text_longest_name_fits_max)
{
	/* 127 one-octet labels of 0x01 (escaped \001) plus the root: 255 octets. */
	uint8_t n[DNS_NAME_MAXLEN];
	char buf[DNS_NAME_TEXT_MAX];
	int rc;

	for (int i = 0; i < 127; i++) {
		n[2 * i] = 1;
		n[2 * i + 1] = 0x01;
	}
	n[254] = 0;
	rc = dns_name_to_text(n, buf, sizeof(buf));
	cr_assert_eq(rc, 127 * 5, "rc %d", rc);
	cr_assert_eq(strncmp(buf, "\\001.\\001.", 10), 0);
}

Test(dns_present, name_to_text_rejects_bad_wire)
{
	const uint8_t ptr[] = {0xc0, 0x0c};
	const uint8_t ext[] = {0x41, 'a', 0};
	char buf[DNS_NAME_TEXT_MAX];
	uint8_t longlab[80];

	longlab[0] = 64;
	memset(longlab + 1, 'a', 64);
	longlab[65] = 0;
	cr_assert_eq(dns_name_to_text(ptr, buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(dns_name_to_text(ext, buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(dns_name_to_text(longlab, buf, sizeof(buf)), -EINVAL);
}

/* ---- text to names ---- */

Test(dns_present, root_from_text)
{
	const uint8_t root[] = {0};

	expect_wire(".", root, 1);
}

Test(dns_present, absolute_and_relative_text_agree)
{
	uint8_t n[DNS_NAME_MAXLEN];
	int len = wire("www.example.com", n);

	expect_wire("www.example.com.", n, len);
	expect_wire("www.example.com", n, len);
	len = wire("com", n);
	expect_wire("com", n, len);
	expect_wire("com.", n, len);
}

Test(dns_present, from_text_keeps_case)
{
	uint8_t n[DNS_NAME_MAXLEN];
	int len = wire("WwW.ExAmPlE.CoM", n);

	expect_wire("WwW.ExAmPlE.CoM.", n, len);
}

Test(dns_present, from_text_escapes)
{
	const uint8_t dot[] = {3, 'a', '.', 'b', 3, 'c', 'o', 'm', 0};
	const uint8_t odd[] = {3, 0x00, 'x', 0xff, 0};
	const uint8_t bs[] = {3, 'a', '\\', 'b', 0};

	expect_wire("a\\.b.com.", dot, sizeof(dot));
	expect_wire("a\\046b.com.", dot, sizeof(dot));
	expect_wire("a\\046b.com", dot, sizeof(dot));
	expect_wire("\\000x\\255.", odd, sizeof(odd));
	expect_wire("a\\\\b.", bs, sizeof(bs));
	expect_wire("a\\092b", bs, sizeof(bs));
}

Test(dns_present, from_text_63_octet_label_ok_64_rejected)
{
	char text[80];
	uint8_t buf[DNS_NAME_MAXLEN];

	memset(text, 'a', 63);
	strcpy(text + 63, ".com.");
	cr_assert_eq(dns_name_from_text(text, buf, sizeof(buf)), 1 + 63 + 4 + 1);
	cr_assert_eq(buf[0], 63);

	memset(text, 'a', 64);
	strcpy(text + 64, ".com.");
	cr_assert_eq(dns_name_from_text(text, buf, sizeof(buf)), -EINVAL);
}

Test(dns_present, from_text_rejects_empty_labels)
{
	uint8_t buf[DNS_NAME_MAXLEN];

	cr_assert_eq(dns_name_from_text("a..b", buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(dns_name_from_text("a..b.", buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(dns_name_from_text(".a.b", buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(dns_name_from_text("..", buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(dns_name_from_text("a.b..", buf, sizeof(buf)), -EINVAL);
}

Test(dns_present, from_text_rejects_too_long_names)
{
	/* 4 labels of 63 = 256 octets with the root: one too many. */
	char text[300];
	uint8_t buf[DNS_NAME_MAXLEN];
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		memset(text + n, 'a', 63);
		n += 63;
		text[n++] = '.';
	}
	text[n] = '\0';
	cr_assert_eq(dns_name_from_text(text, buf, sizeof(buf)), -EINVAL);

	/* 3 x 63 + one of 61 = 255 octets: the longest valid name. */
	n = 3 * 64;
	memset(text + n, 'b', 61);
	n += 61;
	text[n] = '\0';
	cr_assert_eq(dns_name_from_text(text, buf, sizeof(buf)), 255);
}

Test(dns_present, from_text_rejects_bad_escapes)
{
	uint8_t buf[DNS_NAME_MAXLEN];

	cr_assert_eq(dns_name_from_text("a\\256.com", buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(dns_name_from_text("a\\", buf, sizeof(buf)), -EINVAL);
}

Test(dns_present, from_text_small_buffer_fails)
{
	uint8_t buf[DNS_NAME_MAXLEN];

	cr_assert_eq(dns_name_from_text("www.example.com", buf, 17), 17);
	cr_assert_lt(dns_name_from_text("www.example.com", buf, 16), 0);
	cr_assert_lt(dns_name_from_text("www.example.com", buf, 0), 0);
}

Test(dns_present, round_trip_every_octet)
{
	/* Each octet value in a label of its own survives wire -> text -> wire. */
	for (int c = 0; c < 256; c++) {
		uint8_t n[] = {3, 'a', (uint8_t)c, 'z', 3, 'n', 'e', 't', 0};
		uint8_t back[DNS_NAME_MAXLEN];
		char text[DNS_NAME_TEXT_MAX];
		int tl = dns_name_to_text(n, text, sizeof(text));

		cr_assert_gt(tl, 0, "octet %d", c);
		cr_assert_eq(dns_name_from_text(text, back, sizeof(back)), (int)sizeof(n),
			     "octet %d: \"%s\"", c, text);
		cr_assert_arr_eq(back, n, sizeof(n), "octet %d: \"%s\"", c, text);
	}
}

/* ---- types ---- */

Test(dns_present, type_to_text)
{
	char buf[16];

	cr_assert_eq(dns_type_to_text(DNS_TYPE_A, buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "A");
	cr_assert_eq(dns_type_to_text(DNS_TYPE_AAAA, buf, sizeof(buf)), 4);
	cr_assert_str_eq(buf, "AAAA");
	cr_assert_eq(dns_type_to_text(DNS_TYPE_MX, buf, sizeof(buf)), 2);
	cr_assert_str_eq(buf, "MX");
	cr_assert_eq(dns_type_to_text(DNS_TYPE_SOA, buf, sizeof(buf)), 3);
	cr_assert_str_eq(buf, "SOA");
	cr_assert_eq(dns_type_to_text(DNS_TYPE_HTTPS, buf, sizeof(buf)), 5);
	cr_assert_str_eq(buf, "HTTPS");
	cr_assert_eq(dns_type_to_text(65280, buf, sizeof(buf)), 9);
	cr_assert_str_eq(buf, "TYPE65280");
}

Test(dns_present, type_to_text_enospc)
{
	char buf[16];

	cr_assert_eq(dns_type_to_text(DNS_TYPE_AAAA, buf, 5), 4);
	cr_assert_eq(dns_type_to_text(DNS_TYPE_AAAA, buf, 4), -ENOSPC);
	cr_assert_eq(dns_type_to_text(65280, buf, 9), -ENOSPC);
	cr_assert_eq(dns_type_to_text(DNS_TYPE_A, buf, 0), -ENOSPC);
}

Test(dns_present, type_from_text)
{
	uint16_t t = 0;

	cr_assert_eq(dns_type_from_text("A", &t), 0);
	cr_assert_eq(t, DNS_TYPE_A);
	cr_assert_eq(dns_type_from_text("AAAA", &t), 0);
	cr_assert_eq(t, DNS_TYPE_AAAA);
	cr_assert_eq(dns_type_from_text("MX", &t), 0);
	cr_assert_eq(t, DNS_TYPE_MX);
	cr_assert_eq(dns_type_from_text("TYPE65280", &t), 0);
	cr_assert_eq(t, 65280);
	cr_assert_eq(dns_type_from_text("TYPE1", &t), 0);
	cr_assert_eq(t, DNS_TYPE_A);
}

Test(dns_present, type_from_text_any_case)
{
	uint16_t t = 0;

	cr_assert_eq(dns_type_from_text("aaaa", &t), 0);
	cr_assert_eq(t, DNS_TYPE_AAAA);
	cr_assert_eq(dns_type_from_text("mX", &t), 0);
	cr_assert_eq(t, DNS_TYPE_MX);
	cr_assert_eq(dns_type_from_text("type65280", &t), 0);
	cr_assert_eq(t, 65280);
	cr_assert_eq(dns_type_from_text("cname", &t), 0);
	cr_assert_eq(t, DNS_TYPE_CNAME);
}

Test(dns_present, type_from_text_rejects_garbage)
{
	uint16_t t = 0;

	cr_assert_eq(dns_type_from_text("", &t), -EINVAL);
	cr_assert_eq(dns_type_from_text("FOO", &t), -EINVAL);
	cr_assert_eq(dns_type_from_text("AAAAA", &t), -EINVAL);
	cr_assert_eq(dns_type_from_text("TYPE", &t), -EINVAL);
	cr_assert_eq(dns_type_from_text("TYPEx", &t), -EINVAL);
	cr_assert_eq(dns_type_from_text("TYPE65536", &t), -EINVAL);
	cr_assert_eq(dns_type_from_text("TYPE99999999999", &t), -EINVAL);
	cr_assert_eq(dns_type_from_text("TYPE12x", &t), -EINVAL);
}

Test(dns_present, type_round_trip)
{
	for (uint32_t v = 0; v <= 0xffff; v += 97) {
		char buf[16];
		uint16_t back = 0;

		cr_assert_gt(dns_type_to_text((uint16_t)v, buf, sizeof(buf)), 0);
		cr_assert_eq(dns_type_from_text(buf, &back), 0, "%u -> \"%s\"", v, buf);
		cr_assert_eq(back, v, "%u -> \"%s\" -> %u", v, buf, back);
	}
}

/* ---- classes ---- */

Test(dns_present, class_to_text)
{
	char buf[16];

	cr_assert_eq(dns_class_to_text(DNS_CLASS_IN, buf, sizeof(buf)), 2);
	cr_assert_str_eq(buf, "IN");
	cr_assert_eq(dns_class_to_text(DNS_CLASS_CH, buf, sizeof(buf)), 2);
	cr_assert_str_eq(buf, "CH");
	cr_assert_eq(dns_class_to_text(7, buf, sizeof(buf)), 6);
	cr_assert_str_eq(buf, "CLASS7");
	cr_assert_eq(dns_class_to_text(DNS_CLASS_IN, buf, 2), -ENOSPC);
	cr_assert_eq(dns_class_to_text(7, buf, 6), -ENOSPC);
}

Test(dns_present, class_from_text)
{
	uint16_t c = 0;

	cr_assert_eq(dns_class_from_text("IN", &c), 0);
	cr_assert_eq(c, DNS_CLASS_IN);
	cr_assert_eq(dns_class_from_text("in", &c), 0);
	cr_assert_eq(c, DNS_CLASS_IN);
	cr_assert_eq(dns_class_from_text("Ch", &c), 0);
	cr_assert_eq(c, DNS_CLASS_CH);
	cr_assert_eq(dns_class_from_text("CLASS7", &c), 0);
	cr_assert_eq(c, 7);
	cr_assert_eq(dns_class_from_text("class1", &c), 0);
	cr_assert_eq(c, DNS_CLASS_IN);
}

Test(dns_present, class_from_text_rejects_garbage)
{
	uint16_t c = 0;

	cr_assert_eq(dns_class_from_text("", &c), -EINVAL);
	cr_assert_eq(dns_class_from_text("INN", &c), -EINVAL);
	cr_assert_eq(dns_class_from_text("CLASS", &c), -EINVAL);
	cr_assert_eq(dns_class_from_text("CLASS65536", &c), -EINVAL);
	cr_assert_eq(dns_class_from_text("A", &c), -EINVAL);
}

/* ---- rcodes ---- */

Test(dns_present, rcode_names)
{
	cr_assert_str_eq(dns_rcode_to_text(DNS_RCODE_NOERROR), "NOERROR");
	cr_assert_str_eq(dns_rcode_to_text(DNS_RCODE_FORMERR), "FORMERR");
	cr_assert_str_eq(dns_rcode_to_text(DNS_RCODE_SERVFAIL), "SERVFAIL");
	cr_assert_str_eq(dns_rcode_to_text(DNS_RCODE_NXDOMAIN), "NXDOMAIN");
	/* IANA's mnemonic is NotImp (RFC 6895 2.3), as dig prints it; libknot says NOTIMPL. */
	cr_assert_str_eq(dns_rcode_to_text(DNS_RCODE_NOTIMP), "NOTIMP");
	cr_assert_str_eq(dns_rcode_to_text(DNS_RCODE_REFUSED), "REFUSED");
	cr_assert_str_eq(dns_rcode_to_text(DNS_RCODE_BADVERS), "BADVERS");
}

Test(dns_present, rcode_unknown_is_numeric)
{
	cr_assert_str_eq(dns_rcode_to_text(4000), "RCODE4000");
	cr_assert_str_eq(dns_rcode_to_text(4095), "RCODE4095");
}
