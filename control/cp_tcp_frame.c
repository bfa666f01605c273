/* SPDX-License-Identifier: BSD-3-Clause */
/* Framing DNS-over-TCP answers: length prefix (RFC 7766) and edns-tcp-keepalive (RFC 7828). */
#include <string.h>

#include "cp_tcp_frame.h"

#define DNS_HDR_LEN   12
#define DNS_TYPE_OPT  41
#define KEEPALIVE_LEN 6 /* code, length, TIMEOUT */

static uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Skip a (possibly compressed) name at @p pos of @p m.
 * @return the offset after it, or 0 if it runs out of the message or is not a name.
 */
static size_t
skip_name(const uint8_t *m, size_t len, size_t pos)
{
	while (pos < len) {
		uint8_t c = m[pos];

		if (c == 0)
			return pos + 1;
		if ((c & 0xc0) == 0xc0)
			return pos + 2 <= len ? pos + 2 : 0;
		if ((c & 0xc0) != 0)
			return 0;
		pos += 1u + c;
	}
	return 0;
}

/*
 * Find the OPT RR of @p m: offsets of its RDLENGTH field and of the end of its
 * RDATA. @return true if there is one, well-formed, with no edns-tcp-keepalive yet.
 * The answer comes from the daemon's own builder; this walk only guards the edit.
 */
static bool
find_opt(const uint8_t *m, size_t len, size_t *rdlen_at, size_t *rdata_end)
{
	size_t pos = DNS_HDR_LEN;
	unsigned n_qd, n_rr, first_ar;

	if (len < DNS_HDR_LEN)
		return false;
	n_qd = get_u16(m + 4);
	first_ar = (unsigned)get_u16(m + 6) + get_u16(m + 8);
	n_rr = first_ar + get_u16(m + 10);
	for (unsigned i = 0; i < n_qd; i++) {
		pos = skip_name(m, len, pos);
		if (pos == 0 || pos + 4 > len)
			return false;
		pos += 4;
	}
	for (unsigned i = 0; i < n_rr; i++) {
		size_t rdlen;

		pos = skip_name(m, len, pos);
		if (pos == 0 || pos + 10 > len)
			return false;
		rdlen = get_u16(m + pos + 8);
		if (pos + 10 + rdlen > len)
			return false;
		if (i >= first_ar && get_u16(m + pos) == DNS_TYPE_OPT) {
			size_t o = pos + 10, end = o + rdlen;

			for (; o + 4 <= end; o += 4u + get_u16(m + o + 2)) {
				if (get_u16(m + o) == CP_EDNS_TCP_KEEPALIVE)
					return false;
			}
			if (o != end)
				return false; /* an option runs past RDLENGTH */
			*rdlen_at = pos + 8;
			*rdata_end = end;
			return true;
		}
		pos += 10 + rdlen;
	}
	return false;
}

size_t
cp_tcp_frame(uint8_t *dst, const uint8_t *msg, uint16_t len, bool keepalive, uint16_t timeout)
{
	size_t rdlen_at, end;

	if (!keepalive || len > UINT16_MAX - KEEPALIVE_LEN ||
	    !find_opt(msg, len, &rdlen_at, &end) ||
	    get_u16(msg + rdlen_at) > UINT16_MAX - KEEPALIVE_LEN) {
		put_u16(dst, len);
		memcpy(dst + 2, msg, len);
		return 2u + len;
	}
	put_u16(dst, (uint16_t)(len + KEEPALIVE_LEN));
	dst += 2;
	memcpy(dst, msg, end);
	put_u16(dst + rdlen_at, (uint16_t)(get_u16(msg + rdlen_at) + KEEPALIVE_LEN));
	put_u16(dst + end, CP_EDNS_TCP_KEEPALIVE);
	put_u16(dst + end + 2, 2);
	put_u16(dst + end + 4, timeout);
	memcpy(dst + end + KEEPALIVE_LEN, msg + end, len - end);
	return 2u + len + KEEPALIVE_LEN;
}
