#!/usr/bin/env python3
"""Two tiny test servers the hierarchy needs and NSD cannot play (stdlib only).

  tinyauth.py oobglue ADDR LIFETIME
      Authoritative for bad.lab. (UDP and TCP on ADDR:53). Every query at or below
      victim.bad.lab. gets a referral whose additional section carries
      OUT-OF-BAILIWICK glue a resolver must ignore:
          authority:  victim.bad.lab. 3600 NS ns.oob.
          additional: ns.oob.   3600 A 127.0.0.34     (poison; the real one is 127.0.0.15)
                      www.oob.   300 A 203.0.113.66   (unrelated poison)
      bad.lab. SOA/NS and ns.bad.lab. A are answered; anything else is NXDOMAIN.
      (NSD only ever adds glue from the zone it answers from, so it cannot do this.)

  tinyauth.py sink ADDR LIFETIME
      Binds UDP and TCP ADDR:53 and never reads or answers: queries vanish without
      an ICMP error or a reset, so a resolver sees genuine timeouts.

Both exit after LIFETIME seconds at the latest.
"""
import socket
import struct
import sys
import threading
import time

ZONE = "bad.lab."
SOA = ("ns.bad.lab.", "hostmaster.bad.lab.", 1, 3600, 600, 86400, 300)
T_A, T_NS, T_SOA = 1, 2, 6


def enc_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rr(name, rtype, ttl, rdata):
    return enc_name(name) + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def a(addr):
    return socket.inet_aton(addr)


def soa_rr():
    m, r, serial, refresh, retry, expire, minimum = SOA
    return rr(ZONE, T_SOA, 300, enc_name(m) + enc_name(r) + struct.pack("!IIIII", serial, refresh, retry, expire, minimum))


def parse_question(msg):
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if flags & 0x8000 or qd != 1:
        return None
    pos, labels = 12, []
    for _ in range(128):
        if pos >= len(msg):
            return None
        n = msg[pos]
        pos += 1
        if n == 0:
            break
        if n & 0xC0:
            return None
        labels.append(msg[pos:pos + n].decode("ascii", "replace").lower())
        pos += n
    if pos + 4 > len(msg):
        return None
    qtype, qclass = struct.unpack("!HH", msg[pos:pos + 4])
    return qid, flags, ".".join(labels) + ".", qtype, qclass, msg[12:pos + 4]


def answer(msg):
    q = parse_question(msg)
    if q is None:
        return None
    qid, qflags, qname, qtype, qclass, qsec = q
    rd = qflags & 0x0100
    an, ns, ar = [], [], []
    rcode, aa = 0, 0x0400
    if qname != ZONE and not qname.endswith("." + ZONE):
        rcode, aa = 5, 0                                   # REFUSED: not our zone
    elif qname == "victim.bad.lab." or qname.endswith(".victim.bad.lab."):
        aa = 0
        ns.append(rr("victim.bad.lab.", T_NS, 3600, enc_name("ns.oob.")))
        ar.append(rr("ns.oob.", T_A, 3600, a("127.0.0.34")))
        ar.append(rr("www.oob.", T_A, 300, a("203.0.113.66")))
    elif qname == ZONE:
        if qtype == T_SOA:
            an.append(soa_rr())
        elif qtype == T_NS:
            an.append(rr(ZONE, T_NS, 3600, enc_name("ns.bad.lab.")))
            ar.append(rr("ns.bad.lab.", T_A, 3600, a("127.0.0.35")))
        else:
            ns.append(soa_rr())
    elif qname == "ns.bad.lab.":
        if qtype == T_A:
            an.append(rr(qname, T_A, 3600, a("127.0.0.35")))
        else:
            ns.append(soa_rr())
    else:
        rcode = 3
        ns.append(soa_rr())
    flags = 0x8000 | (qflags & 0x7800) | aa | rd | rcode
    hdr = struct.pack("!HHHHHH", qid, flags, 1, len(an), len(ns), len(ar))
    return hdr + qsec + b"".join(an + ns + ar)


def serve_udp(sock, deadline):
    while time.time() < deadline:
        try:
            msg, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        resp = answer(msg)
        if resp:
            sock.sendto(resp, peer)


def tcp_client(conn, deadline):
    conn.settimeout(5)
    try:
        for _ in range(100):
            hdr = conn.recv(2, socket.MSG_WAITALL)
            if len(hdr) < 2 or time.time() > deadline:
                break
            n = struct.unpack("!H", hdr)[0]
            msg = conn.recv(n, socket.MSG_WAITALL)
            resp = answer(msg)
            if not resp:
                break
            conn.sendall(struct.pack("!H", len(resp)) + resp)
    except OSError:
        pass
    finally:
        conn.close()


def serve_tcp(sock, deadline):
    while time.time() < deadline:
        try:
            conn, _ = sock.accept()
        except socket.timeout:
            continue
        threading.Thread(target=tcp_client, args=(conn, deadline), daemon=True).start()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("oobglue", "sink"):
        sys.exit("usage: tinyauth.py oobglue|sink ADDR LIFETIME_SECONDS")
    mode, addr, lifetime = sys.argv[1], sys.argv[2], float(sys.argv[3])
    deadline = time.time() + lifetime
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.bind((addr, 53))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((addr, 53))
    t.listen(64)
    if mode == "sink":
        # never recv, never accept: the kernel queues (then drops) what arrives
        while time.time() < deadline:
            time.sleep(min(1.0, max(0.0, deadline - time.time())))
        return
    u.settimeout(0.5)
    t.settimeout(0.5)
    th = threading.Thread(target=serve_tcp, args=(t, deadline), daemon=True)
    th.start()
    serve_udp(u, deadline)


if __name__ == "__main__":
    main()
