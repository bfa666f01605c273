/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Framing of DNS-over-TCP answers: the 2-byte length prefix of RFC 7766 and the
 * edns-tcp-keepalive option of RFC 7828. Pure functions on buffers, used by
 * cp_tcp.c; internal to control/ (no state, any thread).
 */
#ifndef CP_TCP_FRAME_H
#define CP_TCP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most cp_tcp_frame() adds to a message: the prefix and one keepalive option. */
#define CP_TCP_FRAME_EXTRA (2 + 6)

/* edns-tcp-keepalive option code (RFC 7828). */
#define CP_EDNS_TCP_KEEPALIVE 11

/**
 * Write @p msg (@p len bytes) with its length prefix into @p dst, which has room
 * for len + CP_TCP_FRAME_EXTRA bytes. If @p keepalive and @p msg has an OPT RR in
 * its additional section without an edns-tcp-keepalive option, one is added at
 * the end of the OPT RDATA with TIMEOUT @p timeout (units of 100 ms; 0 asks the
 * client to close) and the OPT RDLENGTH adjusted. A message that does not parse,
 * or would pass 65535 bytes, is framed unchanged.
 * @return bytes written to @p dst.
 */
size_t cp_tcp_frame(uint8_t *dst, const uint8_t *msg, uint16_t len, bool keepalive,
		    uint16_t timeout);

#endif /* CP_TCP_FRAME_H */
