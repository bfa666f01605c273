#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""ping.py ADDR [COUNT] [TIMEOUT_S]: ICMP/ICMPv6 echo over a raw socket (root).

For machines without iputils-ping. Exit 0 when every echo got its reply within
TIMEOUT_S (default 1 s each), 1 otherwise; one line per echo on stdout.
"""
import os
import select
import socket
import struct
import sys
import time


def csum(b):
    if len(b) % 2:
        b += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    addr = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    v6 = ":" in addr
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        req, rep = 128, 129
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        req, rep = 8, 0
    ident = os.getpid() & 0xFFFF
    ok = 0
    for seq in range(1, count + 1):
        payload = b"velodns-test" + struct.pack("!d", time.time())
        hdr = struct.pack("!BBHHH", req, 0, 0, ident, seq)
        # The kernel fills in the ICMPv6 checksum (it needs the pseudo-header).
        c = 0 if v6 else csum(hdr + payload)
        s.sendto(struct.pack("!BBHHH", req, 0, c, ident, seq) + payload, (addr, 0))
        t0 = time.monotonic()
        got = False
        while not got:
            left = timeout - (time.monotonic() - t0)
            if left <= 0 or not select.select([s], [], [], left)[0]:
                break
            b, _ = s.recvfrom(2048)
            icmp = b if v6 else b[(b[0] & 0x0F) * 4:]
            if len(icmp) >= 8:
                t, _, _, i, q = struct.unpack("!BBHHH", icmp[:8])
                got = t == rep and i == ident and q == seq
        print("seq %d: %s" % (seq, "reply in %.2f ms" % ((time.monotonic() - t0) * 1e3)
                                 if got else "no reply"))
        ok += got
    return 0 if ok == count else 1


if __name__ == "__main__":
    sys.exit(main())
