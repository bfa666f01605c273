#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send a bounded barrage of malformed DNS queries over UDP and check each verdict.

Every datagram has a known expected outcome (see CASES): a reply with a given
rcode (FORMERR, NOTIMP, REFUSED, BADVERS, NOERROR) or no reply at all (DROP:
shorter than a header, or QR=1). Random datagrams have no fixed verdict; for them
only "no reply when QR=1" and "a reply echoes the ID and has QR=1" are checked.

Each datagram carries a unique ID (bytes 0-1), so replies are matched however late
they come. Sending is paced in batches; the run stops at --count datagrams or
--time seconds, whichever comes first.

Prints one JSON object: counts sent per expected verdict, mismatches (at most 20
shown), and the total, for the caller to compare with the daemon's counters.
Exit status 0 when every datagram got its expected outcome.
"""
import argparse
import json
import os
import random
import select
import socket
import struct
import sys
import time

RD = 0x0100


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def header(qid, flags=RD, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def question(name="www.example.test", qtype=1, qclass=1):
    return wire_name(name) + struct.pack("!HH", qtype, qclass)


def opt(udp=1232, version=0, do=False, rdata=b"", owner=b"\x00", rdlen=None):
    ttl = (version << 16) | (0x8000 if do else 0)
    n = len(rdata) if rdlen is None else rdlen
    return owner + struct.pack("!HHIH", 41, udp, ttl, n) + rdata


def option(code, data, length=None):
    return struct.pack("!HH", code, len(data) if length is None else length) + data


# Each case: name -> (expected, builder(qid, rng) -> bytes). expected is one of the
# daemon's verdict names ("formerr", "notimp", "refused", "badvers", "answer",
# "drop"); "drop" means no reply may come.
def _short(qid, rng):
    n = rng.randint(1, 11)
    b = bytearray(rng.randbytes(n))
    if n >= 2:
        b[0:2] = struct.pack("!H", qid)
    return bytes(b)


CASES = {
    "short-header": ("drop", _short),
    "qr-set": ("drop", lambda i, r: header(i, flags=0x8000 | RD) + question()),
    "qdcount-0": ("formerr", lambda i, r: header(i, qd=0)),
    "qdcount-2": ("formerr", lambda i, r: header(i, qd=2) + question() + question()),
    "question-missing": ("formerr", lambda i, r: header(i)),
    "name-truncated": ("formerr", lambda i, r: header(i) + b"\x03www\x07exam"),
    "compression-in-question": ("formerr", lambda i, r: header(i) + b"\x03www\xc0\x0c"
                                + struct.pack("!HH", 1, 1)),
    "pointer-only-question": ("formerr", lambda i, r: header(i) + b"\xc0\x0c"
                              + struct.pack("!HH", 1, 1)),
    "label-type-0x40": ("formerr", lambda i, r: header(i) + b"\x41abc\x00"
                        + struct.pack("!HH", 1, 1)),
    "name-over-255": ("formerr", lambda i, r: header(i) + (b"\x3f" + b"a" * 63) * 4
                      + b"\x00" + struct.pack("!HH", 1, 1)),
    "fixed-part-truncated": ("formerr", lambda i, r: header(i) + wire_name("www.example.test")
                             + b"\x00"),
    "ancount-1": ("formerr", lambda i, r: header(i, an=1) + question()),
    "nscount-1": ("formerr", lambda i, r: header(i, ns=1) + question()),
    "arcount-2-two-opt": ("formerr", lambda i, r: header(i, ar=2) + question() + opt() + opt()),
    "opt-owner-not-root": ("formerr", lambda i, r: header(i, ar=1) + question()
                           + opt(owner=b"\x01a\x00")),
    "opt-rdlen-overrun": ("formerr", lambda i, r: header(i, ar=1) + question() + opt(rdlen=10)),
    "opt-option-overrun": ("formerr", lambda i, r: header(i, ar=1) + question()
                           + opt(rdata=option(3, b"", length=20))),
    "opt-missing": ("formerr", lambda i, r: header(i, ar=1) + question()),
    "additional-not-opt": ("formerr", lambda i, r: header(i, ar=1) + question()
                           + b"\x00" + struct.pack("!HHIH", 1, 1, 0, 4) + b"\x01\x02\x03\x04"),
    "cookie-malformed": ("formerr", lambda i, r: header(i, ar=1) + question()
                         + opt(rdata=option(10, b"abc"))),
    "trailing-bytes": ("formerr", lambda i, r: header(i) + question() + b"\x00\x01\x02"),
    "qtype-opt": ("formerr", lambda i, r: header(i) + question(qtype=41)),
    "qclass-0": ("formerr", lambda i, r: header(i) + question(qclass=0)),
    "qclass-none": ("formerr", lambda i, r: header(i) + question(qclass=254)),
    "opcode-status": ("notimp", lambda i, r: header(i, flags=(2 << 11) | RD) + question()),
    "opcode-notify": ("notimp", lambda i, r: header(i, flags=(4 << 11)) + question(qtype=6)),
    "opcode-update": ("notimp", lambda i, r: header(i, flags=(5 << 11)) + question(qtype=6)),
    "opcode-15": ("notimp", lambda i, r: header(i, flags=(15 << 11) | RD) + question()),
    "qtype-maila": ("notimp", lambda i, r: header(i) + question(qtype=254)),
    "qtype-mailb": ("notimp", lambda i, r: header(i) + question(qtype=253)),
    "qclass-any": ("notimp", lambda i, r: header(i) + question(qclass=255)),
    "axfr": ("refused", lambda i, r: header(i) + question("example.test", qtype=252)),
    "ixfr": ("refused", lambda i, r: header(i) + question("example.test", qtype=251)),
    "edns-version-1": ("badvers", lambda i, r: header(i, ar=1) + question() + opt(version=1)),
    "edns-version-255": ("badvers", lambda i, r: header(i, ar=1) + question()
                         + opt(version=255, do=True)),
    "valid": ("answer", lambda i, r: header(i) + question()),
    "valid-edns-do": ("answer", lambda i, r: header(i, ar=1) + question() + opt(do=True)),
}

RCODE_OF = {"formerr": 1, "notimp": 4, "refused": 5, "badvers": 16, "answer": 0}


def parse_reply(b):
    """(id, qr, opcode, rcode incl. extended, ancount) of a reply; None if unreadable."""
    if len(b) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", b[:12])
    rcode = flags & 0xF
    # Find an OPT in the additional section for the extended rcode: skip the rest.
    try:
        pos = 12
        for _ in range(qd):
            pos = skip_name(b, pos) + 4
        for _ in range(an + ns):
            pos = skip_name(b, pos)
            pos += 10 + struct.unpack("!H", b[pos + 8:pos + 10])[0]
        for _ in range(ar):
            pos = skip_name(b, pos)
            rtype, _cls, ttl, rdlen = struct.unpack("!HHIH", b[pos:pos + 10])
            if rtype == 41:
                rcode |= (ttl >> 24) << 4
            pos += 10 + rdlen
    except (IndexError, struct.error):
        pass
    return qid, bool(flags & 0x8000), (flags >> 11) & 0xF, rcode, an


def skip_name(b, pos):
    while True:
        n = b[pos]
        if n == 0:
            return pos + 1
        if n & 0xC0 == 0xC0:
            return pos + 2
        pos += 1 + n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--count", type=int, default=2000, help="datagrams in all (max 60000)")
    ap.add_argument("--random-share", type=float, default=0.3,
                    help="share of random-bytes datagrams")
    ap.add_argument("--time", type=float, default=60.0, help="stop sending after this long")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--bind", help="source address (e.g. one outside the ACL)")
    ap.add_argument("--acl-refused", action="store_true",
                    help="the source is outside the ACL: every datagram that is not"
                    " dropped must get REFUSED")
    args = ap.parse_args()
    count = min(max(args.count, 1), 60000)
    rng = random.Random(args.seed)

    fam = socket.AF_INET6 if ":" in args.server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    if args.bind:
        s.bind((args.bind, 0))
    s.connect((args.server, args.port))
    s.setblocking(False)

    names = sorted(CASES)
    # Every case at least once, then a random mix; random bytes take their share.
    plan = list(names)
    while len(plan) < count:
        plan.append(None if rng.random() < args.random_share else rng.choice(names))
    plan = plan[:count]
    rng.shuffle(plan)

    sent = {}        # qid -> (case or "random", expected, opcode, qr)
    replies = {}     # qid -> parsed reply
    stray = 0        # replies we cannot attribute
    by_verdict = {}  # expected verdict -> count (random excluded)
    random_qr = 0
    t_end = time.monotonic() + args.time
    timed_out = False

    def drain(wait):
        nonlocal stray
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([s], [], [], left)
            if not r:
                return
            while True:
                try:
                    b = s.recv(65535)
                except BlockingIOError:
                    break
                except ConnectionRefusedError:
                    continue
                p = parse_reply(b)
                if p is None or p[0] not in sent or p[0] in replies:
                    stray += 1
                else:
                    replies[p[0]] = p
            if all_answered():
                return

    pending = []

    def all_answered():
        return all(q in replies for q in pending)

    qid = 0
    for start in range(0, len(plan), args.batch):
        if time.monotonic() > t_end:
            timed_out = True
            break
        pending = []
        for case in plan[start:start + args.batch]:
            qid += 1
            if case is None:
                n = rng.randint(12, 512)
                b = bytearray(rng.randbytes(n))
                b[0:2] = struct.pack("!H", qid)
                qr = bool(b[2] & 0x80)
                random_qr += qr
                sent[qid] = ("random", None, (b[2] >> 3) & 0xF, qr)
                b = bytes(b)
            else:
                expected, build = CASES[case]
                b = build(qid, rng)
                opcode = (b[2] >> 3) & 0xF if len(b) >= 3 else 0
                sent[qid] = (case, expected, opcode, False)
                by_verdict[expected] = by_verdict.get(expected, 0) + 1
                if expected != "drop":
                    pending.append(qid)
            try:
                s.send(b)
            except (BlockingIOError, ConnectionRefusedError):
                time.sleep(0.001)
                s.send(b)
        drain(1.0)
    drain(0.5)

    mismatches = []
    per_case = {}
    random_replied = 0
    for q, (case, expected, opcode, qr) in sent.items():
        rep = replies.get(q)
        pc = per_case.setdefault(case, {"sent": 0, "ok": 0})
        pc["sent"] += 1
        why = None
        if case == "random":
            if rep is not None:
                random_replied += 1
                if qr:
                    why = "reply to a datagram with QR=1"
                elif not rep[1]:
                    why = "reply without QR"
                elif args.acl_refused and rep[3] != 5:
                    why = "rcode %d from outside the ACL, expected 5" % rep[3]
        elif expected == "drop":
            if rep is not None:
                why = "reply (rcode %d) where none was due" % rep[3]
        elif rep is None:
            why = "no reply, expected %s" % expected
        elif not rep[1]:
            why = "reply without QR"
        elif args.acl_refused:
            if rep[3] != 5:
                why = "rcode %d from outside the ACL, expected 5 (refused)" % rep[3]
        elif rep[3] != RCODE_OF[expected]:
            why = "rcode %d, expected %d (%s)" % (rep[3], RCODE_OF[expected], expected)
        elif expected == "notimp" and rep[2] != opcode:
            why = "opcode %d not echoed (reply has %d)" % (opcode, rep[2])
        elif expected == "answer" and rep[4] != 2:
            why = "%d answers, expected 2" % rep[4]
        if why is None:
            pc["ok"] += 1
        else:
            mismatches.append({"id": q, "case": case, "problem": why})

    out = {
        "server": args.server,
        "sent": len(sent),
        "planned": count,
        "timed_out": timed_out,
        "expected": by_verdict,
        "random": per_case.get("random", {}).get("sent", 0),
        "random_qr": random_qr,
        "random_replied": random_replied,
        "replies": len(replies),
        "stray_replies": stray,
        "mismatch_count": len(mismatches),
        "mismatches": mismatches[:20],
        "mismatched_cases": sorted({m["case"] for m in mismatches}),
    }
    print(json.dumps(out, sort_keys=True))
    return 0 if not mismatches and not timed_out and stray == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
