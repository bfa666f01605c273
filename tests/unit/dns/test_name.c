/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of dns/dns_name.c: scanning, unpacking, folding and comparing wire names. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dns_name.h"
#include "dns_test_util.h"

/* A name of labels of the given lengths, filled with a mixed-case pattern. */
static size_t
make_name(uint8_t *out, const unsigned *lens, size_t n_labels)
{
	size_t n = 0;

	for (size_t i = 0; i < n_labels; i++) {
		out[n++] = (uint8_t)lens[i];
		for (unsigned j = 0; j < lens[i]; j++)
			out[n++] = (uint8_t)((j & 1 ? 'A' : 'a') + (i + j) % 26);
	}
	out[n++] = 0;
	return n;
}

/* dns_name_scan() over an exact-size heap copy, so ASan sees any read past avail. */
static int
scan_exact(const uint8_t *p, size_t avail, uint8_t *lower)
{
	uint8_t *copy = malloc(avail > 0 ? avail : 1);
	int ret;

	cr_assert_not_null(copy);
	if (avail > 0)
		memcpy(copy, p, avail);
	ret = dns_name_scan(copy, avail, lower);
	cr_assert(avail == 0 || memcmp(copy, p, avail) == 0, "scan modified its input");
	free(copy);
	return ret;
}

/* dns_name_unpack() over an exact-size heap copy of the message. */
static int
unpack_exact(const uint8_t *msg, size_t msg_len, size_t pos, uint8_t *out, bool fold,
	     size_t *wire_len)
{
	uint8_t *copy = malloc(msg_len > 0 ? msg_len : 1);
	int ret;

	cr_assert_not_null(copy);
	if (msg_len > 0)
		memcpy(copy, msg, msg_len);
	ret = dns_name_unpack(copy, msg_len, pos, out, fold, wire_len);
	cr_assert(msg_len == 0 || memcmp(copy, msg, msg_len) == 0, "unpack modified its input");
	free(copy);
	return ret;
}

/* ---- dns_lower ---- */

Test(dns_name, lower_table_folds_only_ascii_letters)
{
	for (unsigned c = 0; c < 256; c++) {
		uint8_t want = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);

		cr_assert_eq(dns_lower((uint8_t)c), want, "dns_lower(0x%02x)", c);
		cr_assert_eq(dns_lower_table[c], want, "dns_lower_table[0x%02x]", c);
	}
}

/* ---- dns_name_scan ---- */

Test(dns_name, scan_simple_name)
{
	uint8_t name[64], lower[DNS_NAME_MAXLEN];
	size_t len = dt_wire("www.example.com", name);

	cr_assert_eq(len, 17);
	cr_assert_eq(scan_exact(name, len, lower), 17);
	cr_assert_eq(memcmp(lower, name, len), 0);
	cr_assert_eq(scan_exact(name, len, NULL), 17);
}

Test(dns_name, scan_root)
{
	const uint8_t root[] = {0};
	uint8_t lower[DNS_NAME_MAXLEN];

	memset(lower, 0xee, sizeof(lower));
	cr_assert_eq(scan_exact(root, 1, lower), 1);
	cr_assert_eq(lower[0], 0);
}

Test(dns_name, scan_stops_at_root_label)
{
	uint8_t buf[64];
	size_t len = dt_wire("example.com", buf);

	/* Whatever follows the root label is not part of the name. */
	memset(buf + len, 0xc0, 10);
	cr_assert_eq(scan_exact(buf, len + 10, NULL), (int)len);
}

Test(dns_name, scan_label_63_ok)
{
	const unsigned lens[] = {63};
	uint8_t name[DNS_NAME_MAXLEN], lower[DNS_NAME_MAXLEN];
	size_t len = make_name(name, lens, 1);

	cr_assert_eq(len, 65);
	cr_assert_eq(scan_exact(name, len, lower), 65);
	cr_assert_eq(lower[0], 63);
}

Test(dns_name, scan_label_64_is_label_type_01)
{
	/* 64 = 0x40: the top bits 01 make it an (obsolete) extended label type. */
	uint8_t name[128];

	name[0] = 64;
	memset(name + 1, 'a', 64);
	name[65] = 0;
	cr_assert_eq(scan_exact(name, 66, NULL), DNS_NAME_ELABEL);
}

Test(dns_name, scan_name_255_ok)
{
	const unsigned lens[] = {63, 63, 63, 61};
	uint8_t name[300], lower[DNS_NAME_MAXLEN];
	size_t len = make_name(name, lens, 4);

	cr_assert_eq(len, 255);
	cr_assert_eq(scan_exact(name, len, lower), 255);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(lower[i], dns_lower(name[i]), "octet %zu", i);
}

Test(dns_name, scan_name_256_too_long)
{
	const unsigned lens[] = {63, 63, 63, 62};
	uint8_t name[300];
	size_t len = make_name(name, lens, 4);

	cr_assert_eq(len, 256);
	cr_assert_eq(scan_exact(name, len, NULL), DNS_NAME_ETOOLONG);
}

Test(dns_name, scan_many_short_labels_too_long)
{
	unsigned lens[128];
	uint8_t name[400];
	size_t len;

	/* 127 one-octet labels: 255 octets, fine; 128: 257 octets. */
	for (size_t i = 0; i < 128; i++)
		lens[i] = 1;
	len = make_name(name, lens, 127);
	cr_assert_eq(len, 255);
	cr_assert_eq(scan_exact(name, len, NULL), 255);
	len = make_name(name, lens, 128);
	cr_assert_eq(len, 257);
	cr_assert_eq(scan_exact(name, len, NULL), DNS_NAME_ETOOLONG);
}

Test(dns_name, scan_lowers_copy_keeps_original)
{
	uint8_t name[64], orig[64], lower[DNS_NAME_MAXLEN], want[64];
	size_t len = dt_wire("WwW.ExAmPlE.CoM", name);

	memcpy(orig, name, len);
	dt_wire("www.example.com", want);
	cr_assert_eq(dns_name_scan(name, len, lower), (int)len);
	cr_assert_eq(memcmp(lower, want, len), 0);
	cr_assert_eq(memcmp(name, orig, len), 0, "original must not change");
}

Test(dns_name, scan_keeps_binary_octets)
{
	/* RFC 2181 11: any octet may appear in a label; only A-Z fold (RFC 4343). */
	const uint8_t name[] = {9, 0x80, 0xff, 0xc0, 0x00, '.', 'A', 'Z', '@', '[',
				4, 0xc1, 0xda, 0x41, 0x5a, 0};
	const uint8_t want[] = {9, 0x80, 0xff, 0xc0, 0x00, '.', 'a', 'z', '@', '[',
				4, 0xc1, 0xda, 'a', 'z', 0};
	uint8_t lower[DNS_NAME_MAXLEN];

	cr_assert_eq(scan_exact(name, sizeof(name), lower), (int)sizeof(name));
	cr_assert_eq(memcmp(lower, want, sizeof(want)), 0);
}

/* The folded copy is made 8 octets at a time: every octet value, at every lane and in the tail. */
Test(dns_name, scan_folds_every_octet_at_every_position)
{
	for (unsigned len = 1; len <= 20; len++) {
		for (unsigned pos = 0; pos < len; pos++) {
			for (unsigned c = 0; c < 256; c++) {
				uint8_t name[24], lower[DNS_NAME_MAXLEN];

				name[0] = (uint8_t)len;
				memset(name + 1, 'Q', len);
				name[1 + pos] = (uint8_t)c;
				name[1 + len] = 0;
				cr_assert_eq(dns_name_scan(name, len + 2, lower), (int)len + 2);
				cr_assert_eq(lower[0], len);
				for (unsigned k = 0; k < len; k++) {
					uint8_t want = k == pos ? dns_lower_table[c] : 'q';
					cr_assert_eq(lower[1 + k], want, "len %u pos %u octet 0x%02x", len,
						     pos, c);
				}
				cr_assert_eq(lower[1 + len], 0);
			}
		}
	}
}

Test(dns_name, scan_rejects_compression_pointer)
{
	const uint8_t ptr[] = {0xc0, 0x0c};
	const uint8_t after_label[] = {3, 'w', 'w', 'w', 0xc0, 0x0c};
	const uint8_t ptr_max[] = {0xff, 0xff, 0};

	cr_assert_eq(scan_exact(ptr, sizeof(ptr), NULL), DNS_NAME_EPTR);
	cr_assert_eq(scan_exact(after_label, sizeof(after_label), NULL), DNS_NAME_EPTR);
	cr_assert_eq(scan_exact(ptr_max, sizeof(ptr_max), NULL), DNS_NAME_EPTR);
}

Test(dns_name, scan_rejects_label_types_01_and_10)
{
	uint8_t buf[256];
	const uint8_t types[] = {0x40, 0x41, 0x7f, 0x80, 0xbf};

	for (size_t i = 0; i < sizeof(types); i++) {
		/* Enough bytes follow that no reading of the octet as a length is truncated. */
		memset(buf, 0, sizeof(buf));
		buf[0] = types[i];
		cr_assert_eq(scan_exact(buf, sizeof(buf), NULL), DNS_NAME_ELABEL, "0x%02x",
			     types[i]);
		buf[0] = 3;
		memcpy(buf + 1, "com", 3);
		buf[4] = types[i];
		cr_assert_eq(scan_exact(buf, sizeof(buf), NULL), DNS_NAME_ELABEL,
			     "0x%02x after a label", types[i]);
	}
}

Test(dns_name, scan_truncated_at_every_position)
{
	const unsigned lens[] = {63, 63, 63, 61};
	uint8_t name[300];
	size_t len = dt_wire("www.example.com", name);

	for (size_t n = 0; n < len; n++)
		cr_assert_eq(scan_exact(name, n, NULL), DNS_NAME_ETRUNC, "avail %zu", n);
	len = make_name(name, lens, 4);
	for (size_t n = 0; n < len; n++)
		cr_assert_eq(scan_exact(name, n, NULL), DNS_NAME_ETRUNC, "255-octet, avail %zu", n);
}

Test(dns_name, scan_errors_are_distinct)
{
	cr_assert_lt(DNS_NAME_ETRUNC, 0);
	cr_assert_lt(DNS_NAME_ETOOLONG, 0);
	cr_assert_lt(DNS_NAME_EPTR, 0);
	cr_assert_lt(DNS_NAME_ELABEL, 0);
	cr_assert_neq(DNS_NAME_ETRUNC, DNS_NAME_ETOOLONG);
	cr_assert_neq(DNS_NAME_ETRUNC, DNS_NAME_EPTR);
	cr_assert_neq(DNS_NAME_ETRUNC, DNS_NAME_ELABEL);
	cr_assert_neq(DNS_NAME_ETOOLONG, DNS_NAME_EPTR);
	cr_assert_neq(DNS_NAME_ETOOLONG, DNS_NAME_ELABEL);
	cr_assert_neq(DNS_NAME_EPTR, DNS_NAME_ELABEL);
}

/* ---- dns_name_unpack ---- */

/*
 * A message with a pointer chain:
 *   12: "\7Example\3COM\0"        example.com
 *   25: "\3www" ptr(12)            www.example.com
 *   31: "\1A" ptr(25)              a.www.example.com
 *   35: ptr(31)                    a.www.example.com, a bare pointer
 */
static size_t
chain_msg(uint8_t *msg)
{
	size_t n = DNS_HEADER_LEN;

	memset(msg, 0, DNS_HEADER_LEN);
	n += dt_wire("Example.COM", msg + n);
	memcpy(msg + n, "\3www\xc0\x0c", 6);
	n += 6;
	memcpy(msg + n, "\1A\xc0\x19", 4);
	n += 4;
	memcpy(msg + n, "\xc0\x1f", 2);
	n += 2;
	return n;
}

/*
 * The name at @p pos of the chain_msg() message unpacks without folding to @p text, of
 * @p name_len octets, and takes @p wire_len octets of the message.
 */
static void
expect_chain_unpack(size_t pos, const char *text, int name_len, size_t wire_len)
{
	uint8_t msg[64], out[DNS_NAME_MAXLEN], want[64];
	size_t msg_len = chain_msg(msg), wl = 0;
	int rc;

	dt_wire(text, want);
	rc = unpack_exact(msg, msg_len, pos, out, false, &wl);
	cr_assert_eq(rc, name_len, "offset %zu: %d, want %d", pos, rc, name_len);
	cr_assert_eq(wl, wire_len, "offset %zu: %zu octets of the message, want %zu", pos, wl,
		     wire_len);
	cr_assert_eq(memcmp(out, want, (size_t)name_len), 0, "offset %zu: not %s", pos, text);
}

Test(dns_name, unpack_uncompressed)
{
	expect_chain_unpack(12, "Example.COM", 13, 13);
}

Test(dns_name, unpack_follows_pointer)
{
	expect_chain_unpack(25, "www.Example.COM", 17, 6); /* label + pointer */
}

Test(dns_name, unpack_pointer_chain)
{
	expect_chain_unpack(31, "A.www.Example.COM", 19, 4);
	/* A bare pointer to a name that itself ends in a pointer. */
	expect_chain_unpack(35, "A.www.Example.COM", 19, 2);
}

Test(dns_name, unpack_fold)
{
	uint8_t msg[64], orig[64], out[DNS_NAME_MAXLEN], want[64];
	size_t msg_len = chain_msg(msg);

	memcpy(orig, msg, msg_len);
	dt_wire("a.www.example.com", want);
	cr_assert_eq(dns_name_unpack(msg, msg_len, 31, out, true, NULL), 19);
	cr_assert_eq(memcmp(out, want, 19), 0);
	cr_assert_eq(memcmp(msg, orig, msg_len), 0, "message must not change");
}

Test(dns_name, unpack_keeps_binary_octets)
{
	uint8_t msg[64] = {0}, out[DNS_NAME_MAXLEN];
	const uint8_t name[] = {4, 0xc0, 0x00, '.', 'Q', 0};
	const uint8_t want[] = {4, 0xc0, 0x00, '.', 'q', 0};

	memcpy(msg + 12, name, sizeof(name));
	cr_assert_eq(unpack_exact(msg, 12 + sizeof(name), 12, out, true, NULL), (int)sizeof(name));
	cr_assert_eq(memcmp(out, want, sizeof(want)), 0);
}

Test(dns_name, unpack_rejects_self_pointer)
{
	uint8_t msg[16] = {0}, out[DNS_NAME_MAXLEN];
	size_t wl;

	msg[12] = 0xc0;
	msg[13] = 12;
	cr_assert_eq(unpack_exact(msg, 14, 12, out, false, &wl), DNS_NAME_EPTR);
	/* A pointer to the name's own start, after a label, points backwards of itself:
	 * see unpack_rejects_loop_through_own_label. Here: a pointer into itself. */
	memcpy(msg + 12, "\1a\xc0\x0e", 4);
	cr_assert_eq(unpack_exact(msg, 16, 12, out, false, &wl), DNS_NAME_EPTR);
}

Test(dns_name, unpack_rejects_forward_pointer)
{
	uint8_t msg[64] = {0}, out[DNS_NAME_MAXLEN];
	size_t n;

	/* 12: ptr(14); 14: "com." -- a valid name, but ahead of the pointer. */
	msg[12] = 0xc0;
	msg[13] = 14;
	n = 14 + dt_wire("com", msg + 14);
	cr_assert_eq(unpack_exact(msg, n, 12, out, false, NULL), DNS_NAME_EPTR);

	/* The same after a label: 12: "\1a" ptr(20); 20: "com." */
	memset(msg, 0, sizeof(msg));
	memcpy(msg + 12, "\1a\xc0\x14", 4);
	n = 20 + dt_wire("com", msg + 20);
	cr_assert_eq(unpack_exact(msg, n, 12, out, false, NULL), DNS_NAME_EPTR);

	/* A pointer beyond the end of the message. */
	memset(msg, 0, sizeof(msg));
	memcpy(msg + 12, "\xc0\x30", 2);
	cr_assert_eq(unpack_exact(msg, 14, 12, out, false, NULL), DNS_NAME_EPTR);
}

Test(dns_name, unpack_rejects_loop_through_own_label)
{
	uint8_t msg[32] = {0}, out[DNS_NAME_MAXLEN];
	int ret;

	/*
	 * 12: "\3www" ptr(12). Each pointer points backwards of itself, yet following
	 * it never reaches a root label: either the rule on pointers or the 255-octet
	 * limit must stop it.
	 */
	memcpy(msg + 12, "\3www\xc0\x0c", 6);
	ret = unpack_exact(msg, 18, 12, out, false, NULL);
	cr_assert(ret == DNS_NAME_EPTR || ret == DNS_NAME_ETOOLONG, "ret %d", ret);
}

Test(dns_name, unpack_truncated)
{
	uint8_t msg[64] = {0}, out[DNS_NAME_MAXLEN];
	size_t msg_len = chain_msg(msg);

	/* The message ends in the middle of a pointer. */
	memcpy(msg + 12, "\3www\xc0", 5);
	cr_assert_eq(unpack_exact(msg, 17, 12, out, false, NULL), DNS_NAME_ETRUNC);

	/* The pointer's target runs off the end. */
	memset(msg, 0, sizeof(msg));
	msg[12] = 63;
	msg[18] = 0xc0;
	msg[19] = 12;
	cr_assert_eq(unpack_exact(msg, 20, 18, out, false, NULL), DNS_NAME_ETRUNC);

	/* pos at or past the end. */
	msg_len = chain_msg(msg);
	cr_assert_eq(unpack_exact(msg, msg_len, msg_len, out, false, NULL), DNS_NAME_ETRUNC);

	/* Every prefix of a message that ends in a compressed name. */
	msg_len = chain_msg(msg);
	for (size_t n = 31; n < 35; n++)
		cr_assert_eq(unpack_exact(msg, n, 31, out, false, NULL), DNS_NAME_ETRUNC, "len %zu",
			     n);
}

Test(dns_name, unpack_result_over_255_rejected)
{
	const unsigned lens[] = {63, 63, 63, 1};
	uint8_t msg[512] = {0}, out[DNS_NAME_MAXLEN];
	size_t base = make_name(msg + 12, lens, 4); /* 195 octets at 12 */
	size_t p = 12 + base, wl = 0;

	cr_assert_eq(base, 195);

	/* 59-octet label + pointer: 60 + 195 = 255, the most allowed. */
	msg[p] = 59;
	memset(msg + p + 1, 'x', 59);
	msg[p + 60] = 0xc0;
	msg[p + 61] = 12;
	cr_assert_eq(unpack_exact(msg, p + 62, p, out, false, &wl), 255);
	cr_assert_eq(wl, 62);

	/* 60-octet label: 256. */
	msg[p] = 60;
	memset(msg + p + 1, 'x', 60);
	msg[p + 61] = 0xc0;
	msg[p + 62] = 12;
	cr_assert_eq(unpack_exact(msg, p + 63, p, out, false, NULL), DNS_NAME_ETOOLONG);
}

Test(dns_name, unpack_rejects_label_types)
{
	uint8_t msg[128] = {0}, out[DNS_NAME_MAXLEN];

	msg[12] = 0x40;
	cr_assert_eq(unpack_exact(msg, sizeof(msg), 12, out, false, NULL), DNS_NAME_ELABEL);
	msg[12] = 0x80;
	cr_assert_eq(unpack_exact(msg, sizeof(msg), 12, out, false, NULL), DNS_NAME_ELABEL);
	/* Behind a pointer too. */
	msg[12] = 0x41;
	msg[20] = 0xc0;
	msg[21] = 12;
	cr_assert_eq(unpack_exact(msg, sizeof(msg), 20, out, false, NULL), DNS_NAME_ELABEL);
}

Test(dns_name, unpack_uncompressed_255_and_256)
{
	const unsigned ok[] = {63, 63, 63, 61}, bad[] = {63, 63, 63, 62};
	uint8_t msg[512] = {0}, out[DNS_NAME_MAXLEN];
	size_t n;

	n = make_name(msg + 12, ok, 4);
	cr_assert_eq(unpack_exact(msg, 12 + n, 12, out, false, NULL), 255);
	n = make_name(msg + 12, bad, 4);
	cr_assert_eq(unpack_exact(msg, 12 + n, 12, out, false, NULL), DNS_NAME_ETOOLONG);
}

/* ---- length, labels, equal, in_zone ---- */

Test(dns_name, length_and_labels)
{
	const unsigned lens[] = {63, 63, 63, 61};
	uint8_t name[300];

	dt_wire(".", name);
	cr_assert_eq(dns_name_length(name), 1);
	cr_assert_eq(dns_name_labels(name), 0);
	dt_wire("com", name);
	cr_assert_eq(dns_name_length(name), 5);
	cr_assert_eq(dns_name_labels(name), 1);
	dt_wire("www.example.com", name);
	cr_assert_eq(dns_name_length(name), 17);
	cr_assert_eq(dns_name_labels(name), 3);
	make_name(name, lens, 4);
	cr_assert_eq(dns_name_length(name), 255);
	cr_assert_eq(dns_name_labels(name), 4);
}

Test(dns_name, labels_of_binary_name)
{
	/* Octets that look like length or root octets inside a label are data. */
	const uint8_t name[] = {3, 0x00, 0x01, 0x00, 2, 0xc0, 0x0c, 0};

	cr_assert_eq(dns_name_length(name), sizeof(name));
	cr_assert_eq(dns_name_labels(name), 2);
}

Test(dns_name, equal)
{
	static const struct {
		const char *a, *b;
		bool equal;
	} cases[] = {
		{"www.example.com", "WWW.Example.Com", true},
		{"www.example.com", "www.example.co", false},
		{"www.example.com", "ww.example.com", false},
		{"www.example.com", "www.example.com.x", false},
		{".", ".", true},
		{".", "com", false},
	};
	uint8_t a[64], b[64];

	for (size_t i = 0; i < VD_ARRAY_SIZE(cases); i++) {
		dt_wire(cases[i].a, a);
		dt_wire(cases[i].b, b);
		cr_assert(dns_name_equal(a, a), "%s = itself", cases[i].a);
		cr_assert_eq(dns_name_equal(a, b), cases[i].equal, "%s = %s", cases[i].a,
			     cases[i].b);
		cr_assert_eq(dns_name_equal(b, a), cases[i].equal, "%s = %s", cases[i].b,
			     cases[i].a);
	}
}

Test(dns_name, equal_folds_ascii_only)
{
	/* Latin-1 0xc0 and 0xe0 are not "the same letter" to DNS (RFC 4343). */
	const uint8_t a[] = {2, 0xc0, 'X', 0}, b[] = {2, 0xe0, 'x', 0}, c[] = {2, 0xc0, 'x', 0};
	/* '@' (0x40) and '`' (0x60) differ by 0x20 but are not letters. */
	const uint8_t d[] = {1, '@', 0}, e[] = {1, '`', 0};
	const uint8_t f[] = {1, '[', 0}, g[] = {1, '{', 0};

	cr_assert_not(dns_name_equal(a, b));
	cr_assert(dns_name_equal(a, c));
	cr_assert_not(dns_name_equal(d, e));
	cr_assert_not(dns_name_equal(f, g));
}

Test(dns_name, in_zone)
{
	static const struct {
		const char *name;
		bool in;
		const char *why;
	} cases[] = {
		{"www.example.com", true, "below the apex"},
		{"WWW.EXAMPLE.COM", true, "case-insensitive"},
		{"ExAmPlE.cOm", true, "the apex is in its zone"},
		{"a.b.c.example.com", true, "deep below the apex"},
		{"badexample.com", false, "suffix match must be label-wise"},
		{"com", false, "parent is not in the zone"},
		{"example.net", false, "other zone"},
		{"example.com.net", false, "other zone"},
		{".", false, "the root"},
	};
	uint8_t n[64], z[64];

	dt_wire("example.com", z);
	for (size_t i = 0; i < VD_ARRAY_SIZE(cases); i++) {
		dt_wire(cases[i].name, n);
		cr_assert_eq(dns_name_in_zone(n, z), cases[i].in, "%s in example.com: %s",
			     cases[i].name, cases[i].why);
	}
}

Test(dns_name, in_zone_root_contains_all)
{
	const unsigned lens[] = {63, 63, 63, 61};
	uint8_t n[300], root[1] = {0};

	cr_assert(dns_name_in_zone(root, root));
	dt_wire("com", n);
	cr_assert(dns_name_in_zone(n, root));
	dt_wire("www.example.com", n);
	cr_assert(dns_name_in_zone(n, root));
	make_name(n, lens, 4);
	cr_assert(dns_name_in_zone(n, root));
}

Test(dns_name, in_zone_is_label_wise_with_binary_labels)
{
	/* Name: one label "a\1b". Its last three octets spell the zone "b." */
	const uint8_t name[] = {3, 'a', 1, 'b', 0};
	const uint8_t zone[] = {1, 'b', 0};
	/* Name "x.\0b." where the zone is "\0b." -- equal labels, one deeper. */
	const uint8_t name2[] = {1, 'x', 2, 0x00, 'B', 0};
	const uint8_t zone2[] = {2, 0x00, 'b', 0};

	cr_assert_not(dns_name_in_zone(name, zone));
	cr_assert(dns_name_in_zone(name2, zone2));
}
