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

  tinyauth.py spoof ADDR[,ADDR2] LIFETIME
      Authoritative for spoof.lab. (spoof_* below). Before the genuine reply to every
      UDP query it sends forged replies carrying a poisoned address (192.0.2.99,
      2001:db8:bad::99), each with one flaw a resolver must notice: a wrong ID; the
      right ID from another source port; the right ID from another address (ADDR2, port
      53); and for www. and cname. (SPOOF_STRICT) also QR=0, the question for another
      name (www.z02.test. A) and the same name with another type. The genuine replies of junk.spoof.lab. and cname.spoof.lab. carry
      out-of-bailiwick records in every section (see spoof_genuine). One line a query on
      stderr: "forged N for NAME TYPE". TCP gets the genuine reply only.

  tinyauth.py broken ADDR LIFETIME
      A server that answers every query at or below these zones uselessly (UDP and
      TCP alike unless said): servfail.lab. rcode SERVFAIL; garbage.lab. the query's ID
      followed by bytes that are no DNS message; short.lab. a reply cut inside its
      answer record; opcode.lab. a reply with opcode UPDATE; tcfail.lab. TC=1 over UDP
      and a TCP connection closed without a reply; slow.lab. correct answers, each
      sent 600 ms late (more than a first query's timeout, 376 ms, less than the
      resolver's total time). Other names: REFUSED.

All exit after LIFETIME seconds at the latest.
"""
import socket
import struct
import sys
import threading
import time

ZONE = "bad.lab."
SOA = ("ns.bad.lab.", "hostmaster.bad.lab.", 1, 3600, 600, 86400, 300)
T_A, T_NS, T_CNAME, T_SOA, T_AAAA = 1, 2, 5, 6, 28


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


# --- spoof mode ---------------------------------------------------------------
SPOOF_ZONE = "spoof.lab."
SPOOF_SOA = ("ns.spoof.lab.", "hostmaster.spoof.lab.", 1, 3600, 600, 86400, 300)
SPOOF_A = {"ns.spoof.lab.": "127.0.0.60", "www.spoof.lab.": "198.51.100.77",
           "junk.spoof.lab.": "198.51.100.78"}
SPOOF_CNAME = {"cname.spoof.lab.": "www.z04.test."}
POISON_A, POISON_AAAA = "192.0.2.99", "2001:db8:bad::99"


def message(qid, flags, qname, qtype, an=(), ns=(), ar=(), qclass=1):
    hdr = struct.pack("!HHHHHH", qid, flags, 1, len(an), len(ns), len(ar))
    return hdr + enc_name(qname) + struct.pack("!HH", qtype, qclass) + b"".join(list(an) + list(ns) + list(ar))


def poison_rr(name, qtype):
    if qtype == T_AAAA:
        return rr(name, T_AAAA, 3600, socket.inet_pton(socket.AF_INET6, POISON_AAAA))
    return rr(name, T_A, 3600, a(POISON_A))


def spoof_soa():
    m, r, serial, refresh, retry, expire, minimum = SPOOF_SOA
    return rr(SPOOF_ZONE, T_SOA, 300, enc_name(m) + enc_name(r) + struct.pack("!IIIII", serial, refresh, retry, expire, minimum))


def spoof_genuine(qid, qflags, qname, qtype):
    """The true answer; junk. and cname. add out-of-bailiwick records to it."""
    an, ns, ar = [], [], []
    rcode, aa = 0, 0x0400
    if qname != SPOOF_ZONE and not qname.endswith("." + SPOOF_ZONE):
        rcode, aa = 5, 0
    elif qname == SPOOF_ZONE and qtype == T_SOA:
        an.append(spoof_soa())
    elif qname == SPOOF_ZONE and qtype == T_NS:
        an.append(rr(SPOOF_ZONE, T_NS, 3600, enc_name("ns.spoof.lab.")))
        ar.append(rr("ns.spoof.lab.", T_A, 3600, a(SPOOF_A["ns.spoof.lab."])))
    elif qname in SPOOF_CNAME:
        an.append(rr(qname, T_CNAME, 300, enc_name(SPOOF_CNAME[qname])))
        an.append(poison_rr(SPOOF_CNAME[qname], qtype))          # target outside the zone
    elif qname in SPOOF_A and qtype == T_A:
        an.append(rr(qname, T_A, 300, a(SPOOF_A[qname])))
    elif qname in SPOOF_A or qname == SPOOF_ZONE:
        ns.append(spoof_soa())                                   # NODATA
    else:
        rcode = 3
        ns.append(spoof_soa())
    if qname == "junk.spoof.lab.":
        an.append(poison_rr("www.z03.test.", T_A))               # unrelated answer
        ns.append(rr("lab.", T_NS, 3600, enc_name("ns.spoof.lab.")))       # the parent zone
        ns.append(rr("z03.test.", T_NS, 3600, enc_name("ns.spoof.lab.")))  # a sibling tree
        ar.append(poison_rr("ns1.z03.test.", T_A))               # glue for a zone not ours
        ar.append(poison_rr("www.oob.", T_A))
    flags = 0x8000 | (qflags & 0x7800) | aa | (qflags & 0x0100) | rcode
    return message(qid, flags, qname, qtype, an, ns, ar)


# Names whose queries also get the three forgeries from the right address and port
# (QR=0, another question, another type). Unbound takes the first datagram with the
# right ID, address and port as the reply, finds it bad and treats the query as timed
# out, so these names are SERVFAIL there (and never poisoned); velodns keeps waiting
# for the genuine reply. The other names get only the first three forgeries.
SPOOF_STRICT = ("www.spoof.lab.", "cname.spoof.lab.")


def spoof_forgeries(qid, qflags, qname, qtype):
    """(which socket, datagram) pairs sent before the genuine reply."""
    flags = 0x8000 | 0x0400 | (qflags & 0x0100)
    ans = [poison_rr(qname, qtype)]
    other = T_AAAA if qtype != T_AAAA else T_A
    forged = [
        ("main", message(qid ^ 0x5a5a, flags, qname, qtype, ans)),               # wrong ID
        ("port", message(qid, flags, qname, qtype, ans)),                        # wrong source port
        ("addr", message(qid, flags, qname, qtype, ans)),                        # wrong source address
    ]
    if qname in SPOOF_STRICT:
        forged += [
            ("main", message(qid, flags & ~0x8000, qname, qtype, ans)),          # QR=0
            ("main", message(qid, flags, "www.z02.test.", T_A, [poison_rr("www.z02.test.", T_A)])),
            ("main", message(qid, flags, qname, other, [poison_rr(qname, other)])),  # another type
        ]
    return forged


def serve_spoof(socks, deadline):
    main = socks["main"]
    while time.time() < deadline:
        try:
            msg, peer = main.recvfrom(65535)
        except socket.timeout:
            continue
        q = parse_question(msg)
        if q is None:
            continue
        qid, qflags, qname, qtype = q[:4]
        forged = 0
        if qname == SPOOF_ZONE or qname.endswith("." + SPOOF_ZONE):
            for which, m in spoof_forgeries(qid, qflags, qname, qtype):
                if which in socks:
                    socks[which].sendto(m, peer)
                    forged += 1
        main.sendto(spoof_genuine(qid, qflags, qname, qtype), peer)
        print("forged %d for %s %d" % (forged, qname, qtype), file=sys.stderr, flush=True)


# --- broken mode ---------------------------------------------------------------
BROKEN = ("servfail.lab.", "garbage.lab.", "short.lab.", "opcode.lab.", "tcfail.lab.", "slow.lab.")
SLOW_DELAY = 0.6
SLOW_ADDR = "127.0.0.63"    # the server gen-zones.py delegates slow.lab. to


def slow_answer(qid, qflags, qname, qtype, qsec):
    """The zone slow.lab. answered correctly (only the timing is wrong)."""
    zone = "slow.lab."
    soa = rr(zone, T_SOA, 300, enc_name("ns.slow.lab.") + enc_name("hostmaster.slow.lab.")
             + struct.pack("!IIIII", 1, 3600, 600, 86400, 300))
    an, ns, ar, rcode = [], [], [], 0
    if qname == zone and qtype == T_SOA:
        an.append(soa)
    elif qname == zone and qtype == T_NS:
        an.append(rr(zone, T_NS, 3600, enc_name("ns.slow.lab.")))
        ar.append(rr("ns.slow.lab.", T_A, 3600, a(SLOW_ADDR)))
    elif qname == "www.slow.lab." and qtype == T_A:
        an.append(rr(qname, T_A, 300, a("198.51.100.202")))
    elif qname == "ns.slow.lab." and qtype == T_A:
        an.append(rr(qname, T_A, 3600, a(SLOW_ADDR)))
    elif qname in (zone, "www.slow.lab.", "ns.slow.lab."):
        ns.append(soa)
    else:
        rcode = 3
        ns.append(soa)
    hdr = struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | (qflags & 0x0100) | rcode, 1, len(an), len(ns), len(ar))
    return hdr + qsec + b"".join(an + ns + ar)


def broken_answer(msg, tcp=False):
    q = parse_question(msg)
    if q is None:
        return None
    qid, qflags, qname, qtype, qclass, qsec = q
    zone = next((z for z in BROKEN if qname == z or qname.endswith("." + z)), None)
    base = 0x8000 | (qflags & 0x0100)
    if zone is None:
        return struct.pack("!HHHHHH", qid, base | 5, 1, 0, 0, 0) + qsec
    if zone == "servfail.lab.":
        return struct.pack("!HHHHHH", qid, base | 0x0400 | 2, 1, 0, 0, 0) + qsec
    if zone == "garbage.lab.":
        return struct.pack("!H", qid) + bytes(range(0xF0, 0x100)) * 3
    if zone == "slow.lab.":
        if not tcp:
            time.sleep(SLOW_DELAY)
        return slow_answer(qid, qflags, qname, qtype, qsec)
    if zone == "tcfail.lab.":
        return None if tcp else struct.pack("!HHHHHH", qid, base | 0x0400 | 0x0200, 1, 0, 0, 0) + qsec
    full = (struct.pack("!HHHHHH", qid, base | 0x0400 | (0x2800 if zone == "opcode.lab." else 0), 1, 1, 0, 0)
            + qsec + rr(qname, T_A, 300, a("198.51.100.201")))
    return full[:len(full) - 6] if zone == "short.lab." else full


def serve_broken(sock, deadline):
    while time.time() < deadline:
        try:
            msg, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        q = parse_question(msg)
        if q and (q[2] == "slow.lab." or q[2].endswith(".slow.lab.")):
            # late, from a thread: the other zones are answered meanwhile
            threading.Thread(target=lambda m=msg, p=peer: sock.sendto(broken_answer(m), p),
                             daemon=True).start()
            continue
        resp = broken_answer(msg)
        if resp:
            sock.sendto(resp, peer)


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
            resp = respond(msg)
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


def spoof_respond(msg):
    q = parse_question(msg)
    return spoof_genuine(*q[:4]) if q else None


respond = answer    # what TCP answers with (spoof mode: the genuine reply)


def main():
    global respond
    if len(sys.argv) != 4 or sys.argv[1] not in ("oobglue", "sink", "spoof", "broken"):
        sys.exit("usage: tinyauth.py oobglue|sink|spoof|broken ADDR[,ADDR2] LIFETIME_SECONDS")
    mode, addrs, lifetime = sys.argv[1], sys.argv[2].split(","), float(sys.argv[3])
    addr = addrs[0]
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
    if mode == "spoof":
        respond = spoof_respond
    elif mode == "broken":
        respond = lambda m: broken_answer(m, tcp=True)     # noqa: E731
    th = threading.Thread(target=serve_tcp, args=(t, deadline), daemon=True)
    th.start()
    if mode == "spoof":
        socks = {"main": u}
        socks["port"] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        socks["port"].bind((addr, 0))                   # same address, another port
        if len(addrs) > 1:
            socks["addr"] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks["addr"].setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            socks["addr"].bind((addrs[1], 53))          # another address, port 53
        serve_spoof(socks, deadline)
        return
    if mode == "broken":
        serve_broken(u, deadline)
        return
    serve_udp(u, deadline)


if __name__ == "__main__":
    main()
