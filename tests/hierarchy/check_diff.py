#!/usr/bin/env python3
"""check_diff.py OUTDIR SERVER[:PORT] REFERENCE[:PORT] [--list] [--control NAME:TYPE]

Differential test.

Asks SERVER (velodns) and REFERENCE (Unbound, same root hints, same hierarchy) the
same questions, generated from the zone data start.sh wrote into OUTDIR, and compares
what they answer. Prints TAP, one test point per question. --list prints the
questions instead.

Questions: every case of hierarchy.json; then for each zone of the hierarchy (the
rogue copies aside) the apex with SOA, NS and one of MX, A, TXT, AAAA in turn; every
name the zone holds (not below its delegations) with A and one of AAAA, MX, TXT, CNAME,
SOA, NS in turn (data, NODATA and CNAME answers); a name that does not exist (or a
name below one, with MX, in every other zone).
Zones in SKIP_ZONES get none (each with its reason). Zones no server answers for
(lame, dead, silent, broken) get their apex and one name only:
each of those costs the resolvers their timeouts. Questions into zones with a silent
server are asked last, one at a time (schedule()).

Compared (the normalisations):
  - rcode, exactly;
  - the answer section as a set of (owner, type, RDATA): TTLs ignored, order ignored,
    owner names and the names inside NS/CNAME/MX/SOA/PTR RDATA case-insensitive,
    whitespace in the presentation collapsed;
  - the authority section, the same way, for negative answers only (NXDOMAIN, or
    NOERROR without an RRset of the asked type: NODATA, also at the end of a CNAME
    chain). For positive answers a resolver may add the zone's NS to authority or
    not (Unbound's minimal-responses), so authority is not compared there;
  - the additional section and the header flags are not compared.

A reference that sent no reply is asked once more (Unbound's first question for a zone
whose servers are silent gets none while it probes them). Expected differences
(EXPECTED below, each with its reason; none today) are reported as TODO:
"not ok # TODO" while they differ in exactly the listed way, "ok # TODO" (an unexpected
pass, which fails the run) once they agree, so the list cannot outlive its reasons;
only an entry marked so (a race inside Unbound) may also agree.

Env: DIFF_JOBS (parallel questions, default 8), DIFF_TIMEOUT (dig +time for SERVER,
default 12 s), DIFF_REF_TIMEOUT (for REFERENCE, default 20 s: Unbound keeps retrying
silent servers longer than velodns's total time bound).
"""
import concurrent.futures
import itertools
import json
import os
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check import ask, key  # noqa: E402  (same directory)

# (qname, qtype or "*") -> (velodns's rcode, the reference's rcode, why they differ,
# whether they may also agree). Only that exact difference is expected; any other is a
# failure. An entry that may not agree fails the run once they do agree.
EXPECTED = {}
# Zones no question is generated for, and why.
SKIP_ZONES = {
    "slow.lab.": "its only server answers 600 ms late, after a first query's timeout: both "
                 "resolvers answer after a retry (check_failures.sh checks velodns), but "
                 "Unbound's first answer races its own retries (no reply within 20 s, or "
                 "NOERROR), so it gives no stable reference",
    "spoof.lab.": "tinyauth.py sends forgeries from the right address and port with the right "
                  "ID (QR=0, another question, another type) before the genuine replies; "
                  "Unbound takes the first as the reply, finds it bad and answers SERVFAIL "
                  "(never poisoned), velodns ignores them and answers; check_spoof.sh checks "
                  "velodns against the zone data there",
}
# Types asked in turn: one per name besides A, one per apex besides SOA and NS.
ROTATE = ["AAAA", "MX", "TXT", "CNAME", "SOA", "NS"]
ROTATE_APEX = ["MX", "A", "TXT", "AAAA"]


def read_zone(path):
    """Records of a zone file gen-zones.py wrote: (owner, type, rdata), owners lower-case."""
    out = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line[0] in ";$":
                continue
            f5 = line.split(None, 4)
            if len(f5) == 5 and f5[2] == "IN":
                out.append((f5[0].lower(), f5[3], f5[4].strip()))
    return out


def below(name, zone):
    return zone == "." or name == zone or name.endswith("." + zone)


def questions(outdir):
    doc = json.load(open(os.path.join(outdir, "hierarchy.json")))
    qs, seen = [], set()

    def add(qname, qtype, why):
        k = (qname.lower(), qtype)
        if k not in seen:
            seen.add(k)
            qs.append((qname.lower(), qtype, why))

    for c in doc["cases"]:
        if not any(c["qname"] == z or below(c["qname"], z) for z in SKIP_ZONES):
            add(c["qname"], c["qtype"], "case " + c["id"])
    n = nz = 0
    for z in doc["zones"]:
        if os.path.basename(z["file"]).startswith("rogue-") or z["name"] in SKIP_ZONES:
            continue        # the poisoned copies (only reachable through poison), SKIP_ZONES
        origin = z["name"]
        recs = read_zone(os.path.join(outdir, z["file"]))
        cuts = {o for o, t, _ in recs if t == "NS" and o != origin}
        names = []
        for o, _, _ in recs:
            if o != origin and o not in names and not any(below(o, c) for c in cuts):
                names.append(o)
        healthy = bool(z["servers"]) or origin == "bad.lab."
        for t in ("SOA", "NS") + ((ROTATE_APEX[nz % len(ROTATE_APEX)],) if healthy else ()):
            add(origin, t, "apex of " + origin)
        nz += 1
        if not healthy:
            continue
        for o in names:
            for t in ("A", ROTATE[n % len(ROTATE)]):
                add(o, t, "name in " + origin)
            n += 1
        nx = "nxq." + (origin if origin != "." else "")
        if nz % 2:
            add(nx, "A", "nonexistent in " + origin)
        else:
            add("deep." + nx, "MX", "nonexistent in " + origin)
    return qs


def silent_zones(outdir):
    """Zones delegated to a server that never answers (servers of kind none or sink):
    origin -> True when another of its servers does answer (halfdead), else False."""
    doc = json.load(open(os.path.join(outdir, "hierarchy.json")))
    silent = {a for s in doc["servers"] if s["kind"] in ("none", "sink") for a in s["addresses"]}
    addr_of, deleg = {}, {}
    for z in doc["zones"]:
        if os.path.basename(z["file"]).startswith("rogue-"):
            continue
        for o, t, d in read_zone(os.path.join(outdir, z["file"])):
            if t == "A":
                addr_of.setdefault(o, set()).add(d)
            elif t == "NS" and o != z["name"]:
                deleg.setdefault(o, set()).add(d.lower())
    out = {}
    for child, nss in deleg.items():
        addrs = set().union(*(addr_of.get(n, set()) for n in nss))
        if addrs & silent:
            out[child] = bool(addrs - silent)
    return out


def schedule(outdir, qs):
    """Questions into silent zones last, one at a time, those with a live server first:
    Unbound holds a question to a silent server for over a minute and, while it does,
    may stall others that need the same servers (halfdead) past their timeout."""
    silent = silent_zones(outdir)

    def zone_of(qname):
        hits = [z for z in silent if below(qname, z)]
        return max(hits, key=len) if hits else None

    fast = [q for q in qs if zone_of(q[0]) is None]
    slow = sorted((q for q in qs if zone_of(q[0]) is not None), key=lambda q: not silent[zone_of(q[0])])
    return fast, slow


def answer(server, port, qname, qtype, timeout):
    try:
        rcode, ans, auth, raw = ask(server, qname, qtype, timeout, port)
    except Exception as e:                       # subprocess timeout
        return {"rcode": "NO-REPLY", "answer": set(), "authority": set(), "raw": str(e)}
    return {"rcode": rcode or "NO-REPLY",
            "answer": {key(n, t, d) for n, _, t, d in ans},
            "authority": {key(n, t, d) for n, _, t, d in auth},
            "raw": raw}


def negative(qtype, a):
    return a["rcode"] == "NXDOMAIN" or (
        a["rcode"] == "NOERROR" and not any(t == qtype for _, t, _ in a["answer"]))


def differences(qtype, v, r):
    errs = []
    if v["rcode"] != r["rcode"]:
        errs.append("rcode %s, reference %s" % (v["rcode"], r["rcode"]))
    for sect in ("answer", "authority"):
        if sect == "authority" and not (negative(qtype, v) or negative(qtype, r)):
            continue
        for k in sorted(v[sect] - r[sect]):
            errs.append("%s: only velodns has %s %s %s" % ((sect,) + k))
        for k in sorted(r[sect] - v[sect]):
            errs.append("%s: only the reference has %s %s %s" % ((sect,) + k))
    return errs


def hostport(s):
    h, _, p = s.partition(":")
    return h, int(p or 53)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    vd, ref = hostport(sys.argv[2]), hostport(sys.argv[3])
    fast, slow = schedule(outdir, questions(outdir))
    qs = fast + slow
    if "--list" in sys.argv[4:]:
        for q in qs:
            print("%s %s\t; %s" % q)
        return
    vt = int(os.environ.get("DIFF_TIMEOUT", "12"))
    rt = int(os.environ.get("DIFF_REF_TIMEOUT", "20"))
    jobs = int(os.environ.get("DIFF_JOBS", "8"))

    def both(q):
        qname, qtype, _ = q
        v = answer(vd[0], vd[1], qname, qtype, vt)
        r = answer(ref[0], ref[1], qname, qtype, rt)
        # No reply is no reference: Unbound sends none to the first question for a zone
        # whose servers are silent while it probes them; asked again (its infra cache
        # then has them down) it answers.
        if r["rcode"] == "NO-REPLY":
            r = answer(ref[0], ref[1], qname, qtype, rt)
        return v, r

    control = None
    if "--control" in sys.argv[4:-1]:
        control = sys.argv[sys.argv.index("--control") + 1].rsplit(":", 1)
    print("1..%d" % (len(qs) + (control is not None)), flush=True)
    fails = 0
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        replies = itertools.chain(ex.map(both, fast), map(both, slow))
        for i, (q, (v, r)) in enumerate(zip(qs, replies), 1):
            qname, qtype, why = q
            errs = differences(qtype, v, r)
            desc = "%s %s: %s (%s)" % (qname, qtype, v["rcode"] if not errs else "differ", why)
            exp = EXPECTED.get((qname, qtype)) or EXPECTED.get((qname, "*"))
            todo = None
            if exp and (v["rcode"], r["rcode"]) == exp[:2]:
                todo = "%s, reference %s: %s" % exp[:3]
            elif exp and not errs and not exp[3]:
                todo = "they agree: %s, reference %s expected: %s" % exp[:3]
            ok = not errs
            print("%s %d - %s%s" % ("ok" if ok else "not ok", i, desc,
                                    " # TODO expected difference: " + todo if todo else ""))
            if errs:
                for e in errs:
                    print("#   " + e)
                for who, a in (("velodns", v), ("reference", r)):
                    for line in a["raw"].splitlines():
                        if line.strip() and not line.startswith(";; global"):
                            print("#   %s| %s" % (who, line))
            elif todo:
                print("#   they agree now: remove %s from EXPECTED in check_diff.py" % qname)
            elif exp:
                print("#   they agree (EXPECTED allows it): %s" % exp[2])
            fails += (not ok and not todo) or (ok and bool(todo))
            sys.stdout.flush()
    if control:
        v, r = both((control[0], control[1], "control"))
        errs = differences(control[1], v, r)
        print("%s %d - control: %s %s answered differently (velodns %s, reference %s)" % (
            "ok" if errs else "not ok", len(qs) + 1, control[0], control[1], v["rcode"], r["rcode"]))
        fails += not errs
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
