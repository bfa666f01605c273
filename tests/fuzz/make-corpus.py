#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Writes the seed corpora of the fuzz targets: corpus/query (one file per verdict
# path of dns_query_parse) and corpus/name (messages with compressed names).
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
    print(f'wrote {n} query and {m} name seeds', file=sys.stderr)


if __name__ == '__main__':
    main()
