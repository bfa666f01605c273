#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Miss path: velodns (1 worker, AF_XDP) against Unbound (1 thread), each resolving
# iteratively through the private DNS hierarchy of tests/hierarchy/, from empty caches.
#
#   usage: sudo bench/resolve-compare.sh [--rate Q] [--duration S] [--names N]
#                [--runs R] [--build DIR] [--servers velodns,unbound]
#
# Topology: one server namespace holds the hierarchy (NSD + tinyauth.py on 127.0.0.x
# lo, started by tests/hierarchy/start.sh, no default route) and the resolver under
# test, which listens on the veth address 198.18.0.2; dnsperf runs in a client
# namespace (198.18.0.1) at the other end of the veth. Servers run one at a time,
# alternating (velodns, unbound, velodns, ...), each started afresh so its cache is
# empty; the readiness probe (". NS") primes the root for both alike.
#
# Query file: N distinct names qNNNNNNN.wild.z04.test. A. z04.test has the wildcard
# *.wild.z04.test, so every name resolves (NOERROR, one A) and every one is a miss.
# dnsperf goes over the file once (-n 1) at a fixed rate (-Q Q), bounded by -l S, with
# 4 MiB socket buffers (-b 4096: replies that arrive while dnsperf waits for its CPU
# are queued, not dropped, for both servers alike):
# the load lasts min(S, N/Q) seconds and every query is a miss. Use N >= Q*S to fill S.
#
# Reported per server: answered, lost, NOERROR, average/max latency, misses/s
# achieved and whether that rate was sustained without loss, and upstream queries
# per client question. Upstream queries are counted the same way for both servers:
# packets transmitted on the server namespace's lo during the load, less ICMP and TCP
# segments, halved (every upstream UDP query over lo has one reply over lo; the client
# traffic is on the veth), plus the TCP connections opened (one query each for
# velodns; Unbound reuses connections, so for Unbound the TCP part is a lower bound). For velodns the resolver's own counters (veloctl stats: upstream_queries
# / resolutions) are reported too, as a cross-check of the lo count. Unbound 1.17 has
# no outgoing-UDP-query counter in its statistics, hence the lo count.
#
# CPUs (2-CPU machines): Unbound is pinned to CPU 1; velodns's worker lcore is CPU 1
# and its control thread (which does the resolving) is on CPU 0 with dnsperf; the
# authoritative servers are not pinned. Process CPU (utime+stime) per answered miss
# is reported; for velodns it includes the worker's 100 % polling, so the control
# thread's CPU is reported separately.
#
# Prints a table and last one JSON line with both servers and the ratios
# (velodns/Unbound sustained miss rate; velodns/Unbound upstream per question).
#
# Safety: traffic only on loopback inside the server namespace and on the veth
# between the two namespaces this script creates (198.18.0.0/24); the server
# namespace has no default route; every load is bounded by -n 1 and -l and a timeout;
# every wait is a bounded poll; the EXIT trap stops only the PIDs this script started
# (and stop.sh only the hierarchy's recorded PIDs) and deletes both namespaces.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH_NAME=resolve-compare
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"
RATE=2000
DURATION=5
NAMES=2000
RUNS=1
BUILD=$TOP/build-release
SERVERS=velodns,unbound

usage() {
	sed -n '3,/^set -uo/p' "$0" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//'
	exit "${1:-0}"
}
while [ $# -gt 0 ]; do
	case "$1" in
	--rate) RATE=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--names) NAMES=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--servers) SERVERS=$2; shift ;;
	-h | --help) usage 0 ;;
	*) echo "resolve-compare: unknown argument $1" >&2; usage 2 ;;
	esac
	shift
done
bench_numbers "$RATE" "$DURATION" "$NAMES" "$RUNS"
in_range --rate "$RATE" 1 1000000
in_range --duration "$DURATION" 1 120
in_range --names "$NAMES" 1 10000000
in_range --runs "$RUNS" 1 10

VELODNS=$BUILD/control/velodns
VELOCTL=$BUILD/control/veloctl
HIER=$TOP/tests/hierarchy
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

bench_require "network namespaces, XDP" dnsperf dig ip ethtool taskset nsd "$PY"
if want velodns; then
	[ -x "$VELODNS" ] && [ -x "$VELOCTL" ] ||
		die "velodns not built in $BUILD (meson setup $BUILD -Dbuildtype=release && ninja -C $BUILD)"
	grep -q root-hints "$VELODNS" || die "$VELODNS has no resolver (stale build? ninja -C $BUILD)"
fi
if want unbound; then
	UNBOUND=$(command -v unbound || echo /usr/sbin/unbound)
	[ -x "$UNBOUND" ] || die "unbound not installed (apt-get install unbound)"
fi
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs"

NS_SRV=vrc-srv-$$
NS_CLI=vrc-cli-$$
IF_SRV=vrc$$s
IF_CLI=vrc$$c
ADDR=198.18.0.2
CLI_ADDR=198.18.0.1
TMP=$(mktemp -d /tmp/vdresolve.XXXXXX)
HIER_UP=0
CLK_TCK=$(getconf CLK_TCK)

cleanup() {
	trap - EXIT INT TERM HUP
	stop_server
	# stop.sh ends only the PIDs start.sh recorded and deletes the namespace it created.
	[ "$HIER_UP" -eq 1 ] && "$HIER/stop.sh" "$TMP/h" >/dev/null 2>&1
	ip netns del "$NS_CLI" 2>/dev/null
	ip netns del "$NS_SRV" 2>/dev/null
	rm -rf "$TMP"
}
bench_traps

# ---- the hierarchy in the server namespace, then the veth to the client namespace ----
HIER_UP=1
HIER_LIFETIME=$((DURATION * RUNS * 2 + 600)) "$HIER/start.sh" --create-netns "$NS_SRV" "$TMP/h" \
	>"$TMP/start.log" 2>&1 || { cat "$TMP/start.log" >&2; die "could not start the hierarchy"; }
bench_veth

# The wildcard zone must be there (gen-zones.py: *.wild.z04.test. A 198.51.100.44).
WILD=wild.z04.test.
grep -q '^\*\.wild\.z04\.test\.' "$TMP"/h/zones/z04.test.zone ||
	die "no *.$WILD wildcard in the generated hierarchy (tests/hierarchy/gen-zones.py changed?)"

"$PY" - "$NAMES" "$WILD" >"$TMP/names.txt" <<'PY'
import sys
n, wild = int(sys.argv[1]), sys.argv[2]
w = len(str(n - 1))
for i in range(n):
    sys.stdout.write("q%0*d.%s A\n" % (w, i, wild))
PY

cat >"$TMP/velodns.conf" <<EOC
server:
  log-level: warn
  control-socket: $TMP/ctl.sock
  service-addresses: [$ADDR/24]
eal:
  hugepages: false
  memory: 512M
ports:
  - { name: dp0, mode: af_xdp, interface: $IF_SRV }
workers: { lcores: [1], control-lcore: 0 }
cache:
  memory-per-worker: 64M
resolver:
  root-hints: $TMP/h/root.hints
EOC

# The tests' Unbound configuration (tests/hierarchy/unbound-conf.sh), listening on the
# veth address, quiet, with large socket buffers as velodns's sockets get.
# shellcheck source=../tests/hierarchy/unbound-conf.sh
. "$TOP/tests/hierarchy/unbound-conf.sh"
HIER_UB_VERBOSITY=0 HIER_UB_EXTRA="    so-rcvbuf: 4m
    so-sndbuf: 4m" hier_unbound_conf "$TMP" "$TMP/h/root.hints" "$ADDR@53" >"$TMP/unbound.conf"
if want unbound; then
	unbound-checkconf "$TMP/unbound.conf" >"$TMP/checkconf.log" 2>&1 ||
		{ cat "$TMP/checkconf.log" >&2; die "unbound-checkconf refused $TMP/unbound.conf"; }
fi

# ---- measuring ----
lo_tx() { ip netns exec "$NS_SRV" cat /sys/class/net/lo/statistics/tx_packets; }
# A namespace's /proc/net/snmp, to a file (parsed by the report): the server's for
# the upstream count, the client's for replies dnsperf's socket dropped (a full
# receive buffer on a busy CPU is a loss neither server caused).
snmp() { ip netns exec "$1" cat /proc/net/snmp >"$2"; }
proc_ticks() { sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# Ticks of the threads that are not DPDK worker lcores (velodns: the control thread etc.).
nonworker_ticks() {
	local t s=0 c
	for t in /proc/"$1"/task/*; do
		c=$(cat "$t/comm" 2>/dev/null) || continue
		case "$c" in *worker*) continue ;; esac
		s=$((s + $(sed -E 's/^.*\) //' "$t/stat" | awk '{ print $12 + $13 }')))
	done
	echo "$s"
}
velodns_resolver() {
	timeout 10 "$VELOCTL" -s "$TMP/ctl.sock" --json stats 2>/dev/null | "$PY" -c 'import json, sys
r = json.load(sys.stdin).get("resolver", {})
print(r.get("upstream_queries", 0), r.get("resolutions", 0), r.get("upstream_timeouts", 0),
      sum(r.get("servfail", {}).values()))' || echo "0 0 0 0"
}

probe() {
	ip netns exec "$NS_CLI" timeout 5 dig +time=1 +tries=1 @"$ADDR" . NS 2>/dev/null |
		grep -q 'status: NOERROR'
}

start_server() {
	local which=$1 t0=$SECONDS
	# Unbound writes its own log file (logfile:); its stderr goes beside it.
	bench_start "$which" "$TMP/$which$([ "$which" = unbound ] && echo .stderr || echo .log)"
	while ((SECONDS - t0 < 30)); do
		probe && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.2
	done
	log "$which did not come up; log:"
	tail -n 20 "$TMP/$which.log" "$TMP/$which.stderr" 2>/dev/null >&2
	return 1
}

run_one() {
	local which=$1 i=$2 out=$TMP/dnsperf-$1-$2.txt
	local l0 l1 s0 s1 c0 c1 n0 n1 v0="" v1=""
	start_server "$which" || return 1
	sleep 0.5 # let priming and startup traffic settle before counting
	l0=$(lo_tx); snmp "$NS_SRV" "$TMP/snmp0"; snmp "$NS_CLI" "$TMP/csnmp0"; c0=$(proc_ticks "$SERVER_PID"); n0=$(nonworker_ticks "$SERVER_PID")
	[ "$which" = velodns ] && v0=$(velodns_resolver)
	ip netns exec "$NS_CLI" timeout $((DURATION + 30)) taskset -c 0 dnsperf -s "$ADDR" \
		-d "$TMP/names.txt" -n 1 -l "$DURATION" -Q "$RATE" -c 1 -T 1 -q 2000 -t 3 -S 1 -b 4096 \
		>"$out" 2>&1
	sleep 0.5 # replies to the last upstream queries
	l1=$(lo_tx); snmp "$NS_SRV" "$TMP/snmp1"; snmp "$NS_CLI" "$TMP/csnmp1"; c1=$(proc_ticks "$SERVER_PID"); n1=$(nonworker_ticks "$SERVER_PID")
	[ "$which" = velodns ] && v1=$(velodns_resolver)
	stop_server
	"$PY" - "$which" "$i" "$out" "$l0" "$l1" "$TMP/snmp0" "$TMP/snmp1" "$c0" "$c1" "$n0" "$n1" "$CLK_TCK" \
		"$v0" "$v1" "$RATE" "$TMP/csnmp0" "$TMP/csnmp1" "$NAMES" "$DURATION" <<'PY'
import json, re, sys
which, run, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
l0, l1 = int(sys.argv[4]), int(sys.argv[5])
def snmp(path):
    d, hdr = {}, {}
    for line in open(path):
        k, *v = line.split()
        if k in hdr:
            d.update({k + h: int(x) for h, x in zip(hdr[k], v)})
        else:
            hdr[k] = v
    return d
sa, sb = snmp(sys.argv[6]), snmp(sys.argv[7])
sd = {k: sb[k] - sa.get(k, 0) for k in sb}
ca, cb = snmp(sys.argv[16]), snmp(sys.argv[17])
client_drops = cb.get("Udp:RcvbufErrors", 0) - ca.get("Udp:RcvbufErrors", 0)
c0, c1, n0, n1, tck = (int(a) for a in sys.argv[8:13])
rate = int(sys.argv[15])
expect = min(int(sys.argv[18]), rate * int(sys.argv[19]))  # queries the load should send
text = open(path).read()
def num(rx, default=0.0):
    m = re.search(rx, text)
    return float(m.group(1)) if m else default
sent = int(num(r"Queries sent:\s+([0-9]+)"))
done = int(num(r"Queries completed:\s+([0-9]+)"))
lost = int(num(r"Queries lost:\s+([0-9]+)"))
noerror = int(num(r"NOERROR\s+([0-9]+)"))
servfail = int(num(r"SERVFAIL\s+([0-9]+)"))
qps = num(r"Queries per second:\s+([0-9.]+)")
runtime = num(r"Run time \(s\):\s+([0-9.]+)")
lat = num(r"Average Latency \(s\):\s+([0-9.]+)")
latmax = num(r"Average Latency \(s\):\s+[0-9.]+ \(min [0-9.]+, max ([0-9.]+)\)")
lo_pkts = l1 - l0
# Over lo: each upstream UDP query and its reply (2 packets), plus ICMP errors (late
# replies to closed ports) and TCP segments; the client side is on the veth.
icmp, tcp_segs = sd.get("Icmp:OutMsgs", 0), sd.get("Tcp:OutSegs", 0)
udp_exchanges = (lo_pkts - icmp - tcp_segs) / 2.0
# TCP: connections opened (velodns: one query per connection; Unbound reuses them, so
# for Unbound this is a lower bound on its TCP queries).
upstream = udp_exchanges + sd.get("Tcp:ActiveOpens", 0)
o = {"server": which, "run": run, "sent": sent, "answered": done, "lost": lost,
     "noerror": noerror, "servfail": servfail, "run_time_s": round(runtime, 2),
     "misses_per_s": round(qps, 1), "rate_q": rate,
     # sustained without loss at the offered rate: every query answered, NOERROR, and
     # sent at the offered rate (dnsperf sends less when -q 2000 queries are
     # outstanding, i.e. when the server's latency grows past 2000/rate seconds)
     "no_loss": lost == 0 and done == sent and noerror == done and sent >= 0.98 * expect,
     "avg_latency_ms": round(lat * 1e3, 3), "max_latency_ms": round(latmax * 1e3, 3),
     "lo_packets": lo_pkts, "upstream_udp_lo": udp_exchanges, "upstream_queries_lo": upstream,
     "upstream_per_question_lo": round(upstream / sent, 3) if sent else None,
     "icmp_out": icmp, "tcp_out_segs": tcp_segs, "tcp_active_opens": sd.get("Tcp:ActiveOpens", 0),
     "udp_out_datagrams": sd.get("Udp:OutDatagrams", 0), "udp_in_datagrams": sd.get("Udp:InDatagrams", 0),
     "udp_noports": sd.get("Udp:NoPorts", 0), "udp_rcvbuf_errors": sd.get("Udp:RcvbufErrors", 0),
     "client_rcvbuf_drops": client_drops,
     "process_cpu_s": round((c1 - c0) / tck, 2),
     "process_cpu_us_per_answer": round((c1 - c0) / tck * 1e6 / done, 1) if done else None}
# dnsperf paces its sending at -Q; "Queries per second" divides by the run time, which
# includes waiting for the slowest answers, so it understates a short run. With no loss
# the offered rate was sustained: that is the figure; otherwise none.
o["sustained_misses_per_s"] = rate if o["no_loss"] else None
if which == "velodns" and sys.argv[13] and sys.argv[14]:
    a = [int(x) for x in sys.argv[13].split()]
    b = [int(x) for x in sys.argv[14].split()]
    up, res, to, sf = (y - x for x, y in zip(a, b))
    o.update({"resolver_upstream_queries": up, "resolver_resolutions": res,
              "resolver_upstream_timeouts": to, "resolver_servfail": sf,
              "upstream_per_resolution": round(up / res, 3) if res else None,
              "upstream_per_question_counter": round(up / sent, 3) if sent else None,
              "control_thread_cpu_s": round((n1 - n0) / tck, 2),
              "control_thread_cpu_us_per_answer": round((n1 - n0) / tck * 1e6 / done, 1) if done else None})
print(json.dumps(o))
PY
}

log "$NAMES distinct miss names (q*.${WILD}), one pass at -Q $RATE, at most ${DURATION}s," \
	"$RUNS run(s) per server"
bench_run_all

# ---- report ----
"$PY" - "$TMP/runs.jsonl" "$NAMES" "$RATE" "$DURATION" "$RUNS" \
	"$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)" \
	"$(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)" "$(uname -r)" "$(nproc)" \
	"$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)" "${busy:-}" \
	"$("${UNBOUND:-/nonexistent}" -V 2>/dev/null | sed -nE 's/^Version //p' | head -n 1)" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
names, rate, dur, nruns, commit, cpu, kernel, ncpu, load0, load1, busy, ubver = sys.argv[2:14]
print()
print("machine: %s, %s CPUs, kernel %s, commit %s, unbound %s" % (cpu, ncpu, kernel, commit, ubver))
print("load average before: %s, after: %s%s" % (load0, load1,
      "; other busy processes at start: " + busy if busy else ""))
print("workload: %s distinct miss names (qN.wild.z04.test A, wildcard), one pass, -Q %s, -l %s,"
      " %s run(s) per server" % (names, rate, dur, nruns))
print()
fmt = lambda v: "-" if v is None else str(v)
hdr = "%-8s %3s %7s %8s %6s %8s %9s %9s %9s %11s %11s %10s" % (
    "server", "run", "sent", "answered", "lost", "NOERROR", "answ/s", "no loss",
    "avg ms", "max ms", "up/q (lo)", "cpu us/ans")
for r in runs:
    print("run " + json.dumps(r, sort_keys=True))
print()
print(hdr)
print("-" * len(hdr))
for r in runs:
    print("%-8s %3d %7d %8d %6d %8d %9.1f %9s %9.3f %11.3f %11s %10s" % (
        r["server"], r["run"], r["sent"], r["answered"], r["lost"], r["noerror"],
        r["misses_per_s"], "yes" if r["no_loss"] else "NO", r["avg_latency_ms"],
        r["max_latency_ms"], fmt(r["upstream_per_question_lo"]), fmt(r["process_cpu_us_per_answer"])))
    if r["server"] == "velodns":
        print("%-12s resolver counters: %d upstream queries / %d resolutions = %s per resolution"
              " (%s per question; timeouts %d, SERVFAIL %d); control thread CPU %s us/answer" % (
            "", r.get("resolver_upstream_queries", 0), r.get("resolver_resolutions", 0),
            fmt(r.get("upstream_per_resolution")), fmt(r.get("upstream_per_question_counter")),
            r.get("resolver_upstream_timeouts", 0), r.get("resolver_servfail", 0),
            fmt(r.get("control_thread_cpu_us_per_answer"))))
summary = {}
for s in ("velodns", "unbound"):
    rs = [r for r in runs if r["server"] == s]
    if not rs:
        continue
    def mean(k):
        v = [r[k] for r in rs if r.get(k) is not None]
        return round(statistics.mean(v), 3) if v else None
    summary[s] = {"runs": len(rs), "sent": sum(r["sent"] for r in rs),
                  "answered": sum(r["answered"] for r in rs), "lost": sum(r["lost"] for r in rs),
                  "noerror": sum(r["noerror"] for r in rs),
                  "client_rcvbuf_drops": sum(r["client_rcvbuf_drops"] for r in rs),
                  "no_loss": all(r["no_loss"] for r in rs),
                  "misses_per_s": mean("misses_per_s"),
                  "sustained_misses_per_s": mean("sustained_misses_per_s") if all(
                      r["sustained_misses_per_s"] is not None for r in rs) else None,
                  "avg_latency_ms": mean("avg_latency_ms"), "max_latency_ms": mean("max_latency_ms"),
                  "upstream_per_question_lo": mean("upstream_per_question_lo"),
                  "process_cpu_us_per_answer": mean("process_cpu_us_per_answer")}
    if s == "velodns":
        for k in ("upstream_per_resolution", "upstream_per_question_counter",
                  "control_thread_cpu_us_per_answer"):
            summary[s][k] = mean(k)
print()
for s, v in summary.items():
    print("%-8s %d/%d answered, %d lost (%d of them replies dropped by dnsperf's full socket"
          " buffer), %s misses/s at -Q %s: %s; avg latency %s ms;"
          " upstream queries per question %s (lo count)%s" % (
        s, v["answered"], v["sent"], v["lost"], v["client_rcvbuf_drops"],
        fmt(v["misses_per_s"]), rate,
        "sustained without loss" if v["sustained_misses_per_s"] else "NOT sustained without loss",
        fmt(v["avg_latency_ms"]), fmt(v["upstream_per_question_lo"]),
        "; resolver counter %s per resolution" % fmt(v.get("upstream_per_resolution"))
        if s == "velodns" else ""))
out = {"bench": "resolve-compare", "names": int(names), "rate_q": int(rate), "duration_s": int(dur),
       "runs": int(nruns), "commit": commit, "kernel": kernel, "cpu": cpu, "nproc": int(ncpu),
       "unbound_version": ubver, "loadavg_before": load0, "loadavg_after": load1,
       "other_busy_processes": busy.strip(),
       "upstream_count_method": "(server-ns lo tx packets - ICMP - TCP segments)/2 + TCP connections opened (both; lower bound for Unbound if it used TCP); velodns also its resolver counters"}
out.update(summary)
if "velodns" in summary and "unbound" in summary:
    v, u = summary["velodns"], summary["unbound"]
    ratio = lambda a, b: round(a / b, 3) if a is not None and b else None
    out["ratio_velodns_to_unbound_misses_per_s"] = ratio(v["misses_per_s"], u["misses_per_s"])
    out["ratio_velodns_to_unbound_sustained"] = ratio(v["sustained_misses_per_s"], u["sustained_misses_per_s"])
    out["ratio_velodns_to_unbound_upstream_per_question"] = ratio(
        v["upstream_per_question_lo"], u["upstream_per_question_lo"])
    print("velodns/Unbound: misses/s %s (sustained without loss: %s), upstream per question %s" % (
        fmt(out["ratio_velodns_to_unbound_misses_per_s"]), fmt(out["ratio_velodns_to_unbound_sustained"]),
        fmt(out["ratio_velodns_to_unbound_upstream_per_question"])))
    if v["sustained_misses_per_s"] and u["sustained_misses_per_s"]:
        print("note: both sustained the offered rate, so the rate ratio only says both kept up;"
              " raise --rate (with --names >= rate*duration) to find either's limit")
print(json.dumps(out, sort_keys=True))
PY
