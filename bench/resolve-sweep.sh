#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The miss-path comparison at rising rates: bench/resolve-compare.sh once per rate
# (N = rate x duration distinct names, both servers afresh each time), then each
# server's highest rate sustained without loss and their ratio.
#
#   usage: sudo bench/resolve-sweep.sh [--rates R1,R2,...] [--duration S] [--build DIR]
#
# Default rates 10000,20000,30000,35000,40000,50000; duration 4 s. A rate counts as
# sustained for a server when resolve-compare.sh says so: every query answered,
# NOERROR, and >= 98 % of the offered queries sent. Every run's table goes to stderr;
# stdout gets one line per rate and last one JSON line:
#   {"bench": "resolve-sweep", "rates": [...], "velodns": {"max_sustained": R, ...},
#    "unbound": {...}, "ratio_velodns_to_unbound_sustained": x, "runs": [...]}
# Safety: as resolve-compare.sh (it does all the work, in namespaces of its own).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH_NAME=resolve-sweep
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"
RATES=10000,20000,30000,35000,40000,50000
DURATION=4
BUILD=$TOP/build-release
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

while [ $# -gt 0 ]; do
	case "$1" in
	--rates) RATES=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--build) BUILD=$2; shift ;;
	-h | --help) sed -n '3,/^set -uo/p' "$0" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "resolve-sweep: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
bench_numbers "$DURATION" ${RATES//,/ }
in_range --duration "$DURATION" 1 60

out=$(mktemp /tmp/vdsweep.XXXXXX)
trap 'rm -f "$out"' EXIT
for r in ${RATES//,/ }; do
	in_range --rates "$r" 100 1000000
	log "rate $r: resolve-compare.sh --names $((r * DURATION)) --rate $r --duration $DURATION"
	line=$("$TOP/bench/resolve-compare.sh" --build "$BUILD" --names $((r * DURATION)) \
		--rate "$r" --duration "$DURATION" 2>&1 | tee /dev/stderr | tail -n 1)
	case "$line" in '{"bench": "resolve-compare"'*) ;; *) die "rate $r: no result line" ;; esac
	echo "$line" >>"$out"
done

"$PY" - "$out" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
res = {"bench": "resolve-sweep", "rates": [r["rate_q"] for r in runs]}
for s in ("velodns", "unbound"):
    ok = [r["rate_q"] for r in runs if r.get(s, {}).get("sustained_misses_per_s")]
    res[s] = {"max_sustained": max(ok) if ok else None,
              "sustained_at": ok,
              "avg_latency_ms": {r["rate_q"]: r[s]["avg_latency_ms"] for r in runs if s in r},
              "upstream_per_question_lo": {r["rate_q"]: r[s]["upstream_per_question_lo"]
                                           for r in runs if s in r}}
v, u = res["velodns"]["max_sustained"], res["unbound"]["max_sustained"]
res["ratio_velodns_to_unbound_sustained"] = round(v / u, 3) if v and u else None
res["commit"] = runs[-1]["commit"] if runs else None
for r in runs:
    print("rate %6d: velodns %s, unbound %s" % (r["rate_q"], *(
        "sustained" if r.get(s, {}).get("sustained_misses_per_s") else
        "NOT sustained (%s sent, %s lost)" % (r.get(s, {}).get("sent"), r.get(s, {}).get("lost"))
        for s in ("velodns", "unbound"))))
print("highest rate sustained without loss: velodns %s, unbound %s; ratio %s" % (
    v, u, res["ratio_velodns_to_unbound_sustained"]))
print(json.dumps(res, sort_keys=True))
PY
