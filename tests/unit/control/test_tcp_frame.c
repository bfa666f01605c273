/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of DNS-over-TCP answer framing and RFC 7828 keepalive (control/cp_tcp_frame.c). */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cp_tcp_frame.h"

/* Header (1 question, 1 answer, @p n_ar additional) + a.test A IN + an A record. */
static size_t
answer(uint8_t *m, uint8_t n_ar)
{
	static const uint8_t body[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,  /* header; ARCOUNT below */
		1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,    /* question */
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1, /* a.test A 192.0.2.1 */
	};

	memcpy(m, body, sizeof(body));
	m[11] = n_ar;
	return sizeof(body);
}

/* Append an OPT RR with @p rdlen bytes of RDATA from @p rdata. */
static size_t
opt(uint8_t *m, const uint8_t *rdata, uint16_t rdlen)
{
	static const uint8_t head[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0 };

	memcpy(m, head, sizeof(head));
	m[9] = (uint8_t)(rdlen >> 8);
	m[10] = (uint8_t)rdlen;
	if (rdlen > 0)
		memcpy(m + 11, rdata, rdlen); /* rdata may be NULL when empty */
	return 11u + rdlen;
}

static uint16_t
u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

Test(cp_tcp_frame, prefix_only_without_opt)
{
	uint8_t m[128], out[128 + CP_TCP_FRAME_EXTRA];
	size_t len = answer(m, 0);

	cr_assert_eq(cp_tcp_frame(out, m, (uint16_t)len, true, 50), len + 2);
	cr_assert_eq(u16(out), len);
	cr_assert_eq(memcmp(out + 2, m, len), 0);
}

Test(cp_tcp_frame, keepalive_appended_to_opt)
{
	static const uint8_t cookie[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t m[128], out[128 + CP_TCP_FRAME_EXTRA];
	size_t a = answer(m, 1);
	size_t len = a + opt(m + a, cookie, sizeof(cookie));

	cr_assert_eq(cp_tcp_frame(out, m, (uint16_t)len, true, 100), len + 2 + 6);
	cr_assert_eq(u16(out), len + 6);
	cr_assert_eq(memcmp(out + 2, m, a + 9), 0, "unchanged up to the OPT RDLENGTH");
	cr_assert_eq(u16(out + 2 + a + 9), sizeof(cookie) + 6);
	cr_assert_eq(memcmp(out + 2 + a + 11, cookie, sizeof(cookie)), 0, "options kept");
	const uint8_t *ka = out + 2 + len;
	cr_assert_eq(u16(ka), CP_EDNS_TCP_KEEPALIVE);
	cr_assert_eq(u16(ka + 2), 2);
	cr_assert_eq(u16(ka + 4), 100);
}

Test(cp_tcp_frame, keepalive_inserted_before_a_later_record)
{
	/* OPT, then another additional record (as TSIG would follow it). */
	uint8_t m[128], out[128 + CP_TCP_FRAME_EXTRA];
	size_t a = answer(m, 2);
	size_t o = opt(m + a, NULL, 0);
	static const uint8_t rr[] = { 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 0, 0, 2, 1, 'x' };
	memcpy(m + a + o, rr, sizeof(rr));
	size_t len = a + o + sizeof(rr);

	cr_assert_eq(cp_tcp_frame(out, m, (uint16_t)len, true, 0), len + 8);
	cr_assert_eq(u16(out + 2 + a + 9), 6);
	cr_assert_eq(u16(out + 2 + a + 11), CP_EDNS_TCP_KEEPALIVE);
	cr_assert_eq(u16(out + 2 + a + 15), 0, "TIMEOUT 0");
	cr_assert_eq(memcmp(out + 2 + a + o + 6, rr, sizeof(rr)), 0);
}

Test(cp_tcp_frame, existing_keepalive_or_off_left_alone)
{
	static const uint8_t ka[] = { 0, 11, 0, 2, 0, 7 };
	uint8_t m[128], out[128 + CP_TCP_FRAME_EXTRA];
	size_t a = answer(m, 1);
	size_t len = a + opt(m + a, ka, sizeof(ka));

	cr_assert_eq(cp_tcp_frame(out, m, (uint16_t)len, true, 100), len + 2);
	cr_assert_eq(memcmp(out + 2, m, len), 0);
	len = a + opt(m + a, NULL, 0);
	cr_assert_eq(cp_tcp_frame(out, m, (uint16_t)len, false, 100), len + 2);
}

Test(cp_tcp_frame, malformed_framed_unchanged)
{
	static const uint8_t bad_opt[] = { 0, 10, 0, 9, 1, 2, 3 }; /* option past RDLENGTH */
	uint8_t m[128], out[128 + CP_TCP_FRAME_EXTRA];
	size_t a = answer(m, 1), len;

	len = a + opt(m + a, bad_opt, sizeof(bad_opt));
	cr_assert_eq(cp_tcp_frame(out, m, (uint16_t)len, true, 1), len + 2);
	len = a + opt(m + a, NULL, 0);
	m[a + 10] = 40; /* RDLENGTH past the end */
	cr_assert_eq(cp_tcp_frame(out, m, (uint16_t)len, true, 1), len + 2);
	m[a + 10] = 0;
	m[a] = 0x40; /* not a name */
	cr_assert_eq(cp_tcp_frame(out, m, (uint16_t)len, true, 1), len + 2);
	m[a] = 0;
	m[7] = 0xff; /* ANCOUNT larger than the message */
	cr_assert_eq(cp_tcp_frame(out, m, (uint16_t)len, true, 1), len + 2);
	cr_assert_eq(memcmp(out + 2, m, len), 0);
	cr_assert_eq(cp_tcp_frame(out, m, 5, true, 1), 7, "shorter than a header");
}
