/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for dns/dns_present.c: names, types, classes and rcodes to text and back. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dns_present.h"
#include "dns_test_util.h"

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

typedef int (*to_text_fn)(uint16_t value, char *out, size_t cap);
typedef int (*from_text_fn)(const char *text, uint16_t *value);

/* A text and the type or class it stands for. */
struct text_case {
	const char *text;
	uint16_t value;
};

/* Every value of @p cases is written as its text; @p what names the function in messages. */
static void
expect_to_text(to_text_fn fn, const char *what, const struct text_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char buf[16];
		int rc = fn(cases[i].value, buf, sizeof(buf));

		cr_assert_eq(rc, (int)strlen(cases[i].text), "%s(%u): %d", what, cases[i].value,
			     rc);
		cr_assert_str_eq(buf, cases[i].text, "%s(%u)", what, cases[i].value);
	}
}

/* Every text of @p cases parses to its value; @p what names the parser in messages. */
static void
expect_from_text(from_text_fn fn, const char *what, const struct text_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t v = 0;
		int rc = fn(cases[i].text, &v);

		cr_assert_eq(rc, 0, "%s(\"%s\"): %d", what, cases[i].text, rc);
		cr_assert_eq(v, cases[i].value, "%s(\"%s\"): %u, want %u", what, cases[i].text, v,
			     cases[i].value);
	}
}

/* Every text of @p texts is refused with -EINVAL. */
static void
expect_rejected(from_text_fn fn, const char *what, const char *const *texts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t v = 0;
		int rc = fn(texts[i], &v);

		cr_assert_eq(rc, -EINVAL, "%s(\"%s\"): %d, want -EINVAL", what, texts[i], rc);
	}
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

	dt_wire("www.example.com", n);
	expect_text(n, "www.example.com.");
	dt_wire("com", n);
	expect_text(n, "com.");
}

Test(dns_present, name_to_text_keeps_case)
{
	uint8_t n[DNS_NAME_MAXLEN];

	dt_wire("WwW.ExAmPlE.CoM", n);
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

	dt_wire("www.example.com", n);
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
	int len = (int)dt_wire("www.example.com", n);

	expect_wire("www.example.com.", n, len);
	expect_wire("www.example.com", n, len);
	len = (int)dt_wire("com", n);
	expect_wire("com", n, len);
	expect_wire("com.", n, len);
}

Test(dns_present, from_text_keeps_case)
{
	uint8_t n[DNS_NAME_MAXLEN];
	int len = (int)dt_wire("WwW.ExAmPlE.CoM", n);

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
	static const struct text_case cases[] = {
		{"A", DNS_TYPE_A},     {"AAAA", DNS_TYPE_AAAA},   {"MX", DNS_TYPE_MX},
		{"SOA", DNS_TYPE_SOA}, {"HTTPS", DNS_TYPE_HTTPS}, {"TYPE65280", 65280},
	};

	expect_to_text(dns_type_to_text, "dns_type_to_text", cases, VD_ARRAY_SIZE(cases));
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
	static const struct text_case cases[] = {
		{"A", DNS_TYPE_A},       {"AAAA", DNS_TYPE_AAAA}, {"MX", DNS_TYPE_MX},
		{"TYPE65280", 65280},    {"TYPE1", DNS_TYPE_A},
	};

	expect_from_text(dns_type_from_text, "dns_type_from_text", cases, VD_ARRAY_SIZE(cases));
}

Test(dns_present, type_from_text_any_case)
{
	static const struct text_case cases[] = {
		{"aaaa", DNS_TYPE_AAAA}, {"mX", DNS_TYPE_MX}, {"type65280", 65280},
		{"cname", DNS_TYPE_CNAME},
	};

	expect_from_text(dns_type_from_text, "dns_type_from_text", cases, VD_ARRAY_SIZE(cases));
}

Test(dns_present, type_from_text_rejects_garbage)
{
	static const char *const texts[] = {
		"", "FOO", "AAAAA", "TYPE", "TYPEx", "TYPE65536", "TYPE99999999999", "TYPE12x",
	};

	expect_rejected(dns_type_from_text, "dns_type_from_text", texts, VD_ARRAY_SIZE(texts));
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
	static const struct text_case cases[] = {
		{"IN", DNS_CLASS_IN}, {"CH", DNS_CLASS_CH}, {"CLASS7", 7},
	};
	char buf[16];

	expect_to_text(dns_class_to_text, "dns_class_to_text", cases, VD_ARRAY_SIZE(cases));
	cr_assert_eq(dns_class_to_text(DNS_CLASS_IN, buf, 2), -ENOSPC);
	cr_assert_eq(dns_class_to_text(7, buf, 6), -ENOSPC);
}

Test(dns_present, class_from_text)
{
	static const struct text_case cases[] = {
		{"IN", DNS_CLASS_IN}, {"in", DNS_CLASS_IN},     {"Ch", DNS_CLASS_CH},
		{"CLASS7", 7},        {"class1", DNS_CLASS_IN},
	};

	expect_from_text(dns_class_from_text, "dns_class_from_text", cases, VD_ARRAY_SIZE(cases));
}

Test(dns_present, class_from_text_rejects_garbage)
{
	static const char *const texts[] = {"", "INN", "CLASS", "CLASS65536", "A"};

	expect_rejected(dns_class_from_text, "dns_class_from_text", texts, VD_ARRAY_SIZE(texts));
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
