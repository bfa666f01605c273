#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Writes the seed corpora of the fuzz targets: corpus/query (one file per verdict
# path of dns_query_parse), corpus/name (messages with compressed names) and
# corpus/frame (Ethernet frames, one per verdict and reason of dp_pkt_classify).
# Deterministic; rerun and commit the output when the cases change.
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

QR, RD, AD = 0x8000, 0x0100, 0x0020
A, NS, SOA, MX, TXT, AAAA, OPT = 1, 2, 6, 15, 16, 28, 41
TKEY, TSIG, IXFR, AXFR, MAILB, MAILA, ANY = 249, 250, 251, 252, 253, 254, 255
IN, CH, NONE = 1, 3, 254
DO = 0x8000


def name(text):
    out = b''
    for label in text.strip('.').split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def header(flags=RD, qd=1, an=0, ns=0, ar=0, qid=0x1234):
    return struct.pack('>6H', qid, flags, qd, an, ns, ar)


def question(qname='example.com', qtype=A, qclass=IN):
    return name(qname) + struct.pack('>HH', qtype, qclass)


def option(code, data=b''):
    return struct.pack('>HH', code, len(data)) + data


def opt(udp=1232, ttl=0, options=b'', owner=b'\0'):
    return owner + struct.pack('>HHIH', OPT, udp, ttl, len(options)) + options


def query(qname='example.com', qtype=A, qclass=IN, edns=None, flags=RD):
    msg = header(flags, ar=1 if edns is not None else 0) + question(qname, qtype, qclass)
    return msg + (edns if edns is not None else b'')


COOKIE8 = bytes(range(1, 9))
ECS = struct.pack('>HBB', 1, 24, 0) + bytes([192, 0, 2])
A_RR = name('.') + struct.pack('>HHIH', A, IN, 300, 4) + bytes([192, 0, 2, 1])

QUERY = {
    # answers
    'ok-a': query(),
    'ok-aaaa-mixed-case': query('WwW.ExAmPlE.CoM', AAAA),
    'ok-root-ns': query('.', NS),
    'ok-ch-txt': query('version.bind', TXT, CH),
    'ok-binary-label': header() + bytes([4, 0xc0, 0x00, ord('.'), ord('Q'), 0]) + b'\0\1\0\1',
    'ok-name-255': header() + b''.join(bytes([63]) + b'a' * 63 for _ in range(3))
                   + bytes([61]) + b'b' * 61 + b'\0' + struct.pack('>HH', A, IN),
    'ok-edns': query(edns=opt()),
    'ok-edns-do-4096': query(qtype=MX, edns=opt(4096, DO)),
    'ok-edns-small-udp': query(edns=opt(100)),
    'ok-edns-cookie': query(edns=opt(options=option(10, COOKIE8))),
    'ok-edns-cookie-server': query(edns=opt(options=option(10, COOKIE8 + bytes(16)))),
    'ok-edns-options': query(edns=opt(ttl=DO, options=option(3) + option(8, ECS)
                                      + option(11) + option(12, bytes(8)) + option(65001, b'x'))),
    # drop
    'drop-short': header()[:11],
    'drop-response': header(QR | RD) + question(),
    # notimp
    'notimp-notify': header(4 << 11) + question('example.com', SOA),
    'notimp-update': header(5 << 11, qd=0),
    'notimp-maila': query(qtype=MAILA),
    'notimp-mailb': query(qtype=MAILB),
    'notimp-class-any': query(qclass=ANY, edns=opt()),
    # refused
    'refused-axfr': query(qtype=AXFR, edns=opt()),
    'refused-ixfr': query(qtype=IXFR),
    # badvers
    'badvers-v1': query(edns=opt(ttl=1 << 16)),
    # formerr: header
    'formerr-qd0': header(qd=0),
    'formerr-qd2': header(qd=2) + question() + question('example.net'),
    'formerr-an1': header(an=1) + question() + A_RR,
    'formerr-ns1': header(ns=1) + question() + A_RR,
    'formerr-ar2-two-opts': header(ar=2) + question() + opt() + opt(),
    # formerr: question
    'formerr-qname-pointer': header() + b'\3www\xc0\x0c' + b'\0\1\0\1',
    'formerr-label-64': header() + bytes([64]) + b'a' * 64 + b'\0\0\1\0\1',
    'formerr-label-type-80': header() + b'\x80abc\0\0\1\0\1',
    'formerr-qname-256': header() + b''.join(bytes([63]) + b'a' * 63 for _ in range(3))
                         + bytes([62]) + b'b' * 62 + b'\0' + struct.pack('>HH', A, IN),
    'formerr-trunc-name': (header() + question())[:18],
    'formerr-trunc-qtype': (header() + question())[:26],
    'formerr-trunc-qclass': (header() + question())[:28],
    'formerr-qtype-opt': query(qtype=OPT),
    'formerr-qtype-tsig': query(qtype=TSIG),
    'formerr-qtype-tkey': query(qtype=TKEY),
    'formerr-qclass-0': query(qclass=0),
    'formerr-qclass-none': query(qclass=NONE),
    'formerr-trailing': query() + b'\0',
    # formerr: additional
    'formerr-opt-trailing': query(edns=opt() + b'\0'),
    'formerr-opt-owner': query(edns=opt(owner=name('a'))),
    'formerr-additional-a': header(ar=1) + question() + A_RR,
    'formerr-opt-option-overrun': query(edns=opt(options=struct.pack('>HH', 3, 9))),
    'formerr-opt-rdlen-overrun': query(edns=opt(options=option(3))[:-2]),
    'formerr-cookie-12': query(edns=opt(options=option(10, bytes(12)))),
    'formerr-cookie-41': query(edns=opt(options=option(10, bytes(41)))),
}

# Messages for dns_name_unpack: chains of pointers, loops and long names.
BASE = header(QR, qd=1, an=1) + name('Example.COM')
NAME = {
    'chain': BASE + b'\3www\xc0\x0c' + b'\1A\xc0\x19' + b'\xc0\x1f',
    'self-pointer': header() + b'\xc0\x0c',
    'forward-pointer': header() + b'\xc0\x0e' + name('com'),
    'label-loop': header() + b'\3www\xc0\x0c',
    'too-long': header() + b''.join(bytes([63]) + b'a' * 63 for _ in range(3)) + b'\1x\0'
                + bytes([60]) + b'y' * 60 + b'\xc0\x0c',
    'truncated-pointer': header() + b'\3www\xc0',
    'label-types': header() + b'\x40\x80\xbf\x7f\0',
    'binary': header() + bytes([4, 0xc0, 0, ord('.'), ord('Q'), 0, 0xc0, 12]),
}


# Ethernet frames for dp_pkt_classify, to fuzz_frame.c's service: 192.0.2.53 and
# 2001:db8::53, port 53. Checksums are right unless the case says otherwise.
SV4, CV4 = bytes([192, 0, 2, 53]), bytes([198, 51, 100, 7])
SV6 = bytes.fromhex('20010db8000000000000000000000053')
CV6 = bytes.fromhex('20010db8ff0100000000000000001207')
SMAC, CMAC = bytes.fromhex('02005e000053'), bytes.fromhex('02005e102007')
UDP, TCP, ICMP, ICMP6 = 17, 6, 1, 58


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack(f'>{len(data) // 2}H', data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(ethertype, tags=()):
    out = SMAC + CMAC
    for tpid, tci in tags:
        out += struct.pack('>HH', tpid, tci)
    return out + struct.pack('>H', ethertype)


def udp(src, dst, sport, dport, payload, pseudo_tail, udp_len=None, cks=None):
    length = 8 + len(payload) if udp_len is None else udp_len
    hdr = struct.pack('>HHHH', sport, dport, length, 0)
    if cks is None:
        cks = csum(src + dst + pseudo_tail(8 + len(payload)) + hdr + payload) or 0xffff
    return hdr[:6] + struct.pack('>H', cks) + payload


def ipv4(payload, proto=UDP, src=CV4, dst=SV4, options=b'', frag=0x4000, total=None,
         ihl=None, hdr_cks=None):
    words = (20 + len(options)) // 4 if ihl is None else ihl
    length = 20 + len(options) + len(payload) if total is None else total
    hdr = struct.pack('>BBHHHBBH4s4s', 0x40 | words, 0, length, 0xbeef, frag, 61, proto, 0,
                      src, dst) + options
    cks = csum(hdr) if hdr_cks is None else hdr_cks
    return hdr[:10] + struct.pack('>H', cks) + hdr[12:] + payload


def udp4(payload, src=CV4, dst=SV4, sport=40000, dport=53, **kw):
    return udp(src, dst, sport, dport, payload,
               lambda n: struct.pack('>BBH', 0, UDP, n), **kw)


def ipv6(payload, nxt=UDP, src=CV6, dst=SV6, plen=None):
    length = len(payload) if plen is None else plen
    return struct.pack('>IHBB16s16s', 0x60000000, length, nxt, 57, src, dst) + payload


def udp6(payload, src=CV6, dst=SV6, sport=40000, dport=53, **kw):
    return udp(src, dst, sport, dport, payload,
               lambda n: struct.pack('>IxxxB', n, UDP), **kw)


Q = query()
E4, E6 = eth(0x0800), eth(0x86dd)
OPTS = b'\x01\x01\x01\x44\x0c\x05\x00' + bytes(4) + b'\x00'   # NOPs, a timestamp, EOL
OPTS40 = b'\x01' * 39 + b'\x00'
EXT = bytes([UDP, 0, 1, 4, 0, 0, 0, 0])           # one extension header, then UDP
FRAME = {
    # DNS
    'dns-v4': E4 + ipv4(udp4(Q)),
    'dns-v6': E6 + ipv6(udp6(Q)),
    'dns-v4-vlan': eth(0x0800, [(0x8100, 0x2123)]) + ipv4(udp4(Q)),
    'dns-v6-qinq': eth(0x86dd, [(0x88a8, 0x0064)]) + ipv6(udp6(Q)),
    'dns-v4-options': E4 + ipv4(udp4(Q), options=OPTS),
    'dns-v4-options-40': eth(0x0800, [(0x8100, 7)]) + ipv4(udp4(Q), options=OPTS40),
    'dns-v4-padded': E4 + ipv4(udp4(header(qd=0))) + bytes(6),
    'dns-v4-no-udp-csum': E4 + ipv4(udp4(Q, cks=0)),
    'dns-v4-edns': E4 + ipv4(udp4(query(edns=opt(options=option(10, COOKIE8))))),
    # kernel
    'kernel-arp': eth(0x0806) + bytes.fromhex('0001080006040001') + CMAC + CV4
                  + bytes(6) + SV4 + bytes(18),
    'kernel-two-tags': eth(0x0800, [(0x88a8, 1), (0x8100, 2)]) + ipv4(udp4(Q)),
    'kernel-v4-tcp': E4 + ipv4(udp4(Q), proto=TCP),
    'kernel-v4-icmp': E4 + ipv4(bytes.fromhex('0800f7ff00000000'), proto=ICMP),
    'kernel-v6-icmp6': E6 + ipv6(bytes(24), nxt=ICMP6),
    'kernel-v6-hop-by-hop': E6 + ipv6(EXT + udp6(Q), nxt=0),
    'kernel-v6-fragment': E6 + ipv6(EXT + udp6(Q), nxt=44),
    'kernel-v6-routing': E6 + ipv6(EXT + udp6(Q), nxt=43),
    'kernel-v4-first-fragment': E4 + ipv4(udp4(Q), frag=0x2000),
    'kernel-v4-last-fragment': E4 + ipv4(udp4(Q), frag=185),
    'kernel-v4-other-address': E4 + ipv4(udp4(Q, dst=bytes([192, 0, 2, 54])),
                                         dst=bytes([192, 0, 2, 54])),
    'kernel-v6-other-port': E6 + ipv6(udp6(Q, dport=5353)),
    # drop
    'drop-runt': E4[:13],
    'drop-v4-ihl-4': E4 + ipv4(udp4(Q), ihl=4),
    'drop-v4-total-beyond': E4 + ipv4(udp4(Q), total=20 + 8 + len(Q) + 1),
    'drop-v4-udp-len': E4 + ipv4(udp4(Q, udp_len=8 + len(Q) + 1)),
    'drop-v4-ip-csum': E4 + ipv4(udp4(Q), hdr_cks=0x1234),
    'drop-v4-udp-csum': E4 + ipv4(udp4(Q, cks=0x1234)),
    'drop-v6-udp-csum': E6 + ipv6(udp6(Q, cks=0x1234)),
    'drop-v6-udp-csum-0': E6 + ipv6(udp6(Q, cks=0)),
    'drop-v6-payload-beyond': E6 + ipv6(udp6(Q), plen=8 + len(Q) + 1),
}


def write(subdir, cases):
    path = os.path.join(HERE, 'corpus', subdir)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for case, data in sorted(cases.items()):
        with open(os.path.join(path, case), 'wb') as f:
            f.write(data)
    return len(cases)


def main():
    n = write('query', QUERY)
    m = write('name', NAME)
    k = write('frame', FRAME)
    print(f'wrote {n} query, {m} name and {k} frame seeds', file=sys.stderr)


if __name__ == '__main__':
    main()
