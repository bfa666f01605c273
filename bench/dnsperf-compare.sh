#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# velodns (1 worker, AF_XDP) against Unbound (1 thread), each serving the same N
# local-data names, loaded by dnsperf from a client network namespace over a veth pair.
#
#   usage: sudo bench/dnsperf-compare.sh [--names N] [--runs R] [--duration S]
#                [--qps Q] [--clients C] [--no-huge] [--build DIR]
#                [--servers velodns,unbound] [--xdp-devargs "busy_budget=0"]
#
# Each server gets R runs, alternating (velodns, unbound, velodns, ...); each run
# starts the server afresh, warms it up with one pass over the names, then runs
# dnsperf -l S -Q Q. The server runs on CPU 1 (velodns: its worker lcore; Unbound:
# taskset), dnsperf on CPU 0. On these machines one dnsperf core is the ceiling
# (~200k q/s over a veth), so raw q/s cannot separate fast servers: the figure
# that matters is CPU per answered query:
#   Unbound:  its process CPU (utime+stime from /proc/PID/stat) / answers
#   velodns:  busy ns per packet (the worker's time in bursts that carried packets,
#             from veloctl stats) x packets / answers; and, for honesty, its process
#             CPU / answers too, which is dominated by the worker polling at 100%.
# Neither figure includes the kernel's veth/XDP receive work, which runs in softirq
# on the sender's CPU for both servers.
#
# Prints a table per run, a summary per server (mean of the runs) and last one JSON
# line with both and the ratio of Unbound's CPU per query to velodns's.
#
# Safety: traffic only inside two namespaces this script creates (198.18.0.0/24), the
# server namespace has no default route, every load is bounded by -l, every wait is
# a bounded poll; the trap stops only the PIDs this script started, deletes its
# namespaces and restores nr_hugepages.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH_NAME=dnsperf-compare
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"
NAMES=10000
RUNS=3
DURATION=10
QPS=100000
CLIENTS=4
HUGE=1
BUILD=$TOP/build-release
SERVERS=velodns,unbound
XDP_DEVARGS=

usage() {
	sed -n '3,/^set -uo/p' "$0" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//'
	exit "${1:-0}"
}
while [ $# -gt 0 ]; do
	case "$1" in
	--names) NAMES=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--qps) QPS=$2; shift ;;
	--clients) CLIENTS=$2; shift ;;
	--no-huge) HUGE=0 ;;
	--build) BUILD=$2; shift ;;
	--servers) SERVERS=$2; shift ;;
	--xdp-devargs) XDP_DEVARGS=$2; shift ;;
	-h | --help) usage 0 ;;
	*) echo "dnsperf-compare: unknown argument $1" >&2; usage 2 ;;
	esac
	shift
done
bench_numbers "$NAMES" "$RUNS" "$DURATION" "$QPS" "$CLIENTS"
in_range --duration "$DURATION" 1 120
in_range --runs "$RUNS" 1 10
in_range --names "$NAMES" 1 1000000
in_range --qps "$QPS" 1 10000000
in_range --clients "$CLIENTS" 1 256

VELODNS=$BUILD/control/velodns
VELOCTL=$BUILD/control/veloctl
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

bench_require "network namespaces, XDP, hugepages" dnsperf ip ethtool taskset "$PY"
if want velodns; then
	if [ ! -x "$VELODNS" ] || [ ! -x "$VELOCTL" ]; then
		die "velodns not built in $BUILD (meson setup $BUILD -Dbuildtype=release && ninja -C $BUILD)"
	fi
fi
if want unbound; then
	UNBOUND=$(command -v unbound || echo /usr/sbin/unbound)
	[ -x "$UNBOUND" ] || die "unbound not installed (apt-get install unbound)"
fi
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (server on CPU 1, dnsperf on CPU 0)"

NS_SRV=vdb-srv-$$
NS_CLI=vdb-cli-$$
IF_SRV=vdb$$s
IF_CLI=vdb$$c
ADDR=198.18.0.2
CLI_ADDR=198.18.0.1
TMP=$(mktemp -d /tmp/vdbench.XXXXXX)
HP_ADDED=0
CLK_TCK=$(getconf CLK_TCK)

cleanup() {
	trap - EXIT INT TERM HUP
	stop_server
	ip netns del "$NS_SRV" 2>/dev/null
	ip netns del "$NS_CLI" 2>/dev/null
	# Give back what was added (other runs may have changed the count meanwhile).
	if [ "$HP_ADDED" -gt 0 ]; then
		local cur
		cur=$(cat /proc/sys/vm/nr_hugepages)
		[ "$HP_ADDED" -gt "$cur" ] && HP_ADDED=$cur
		echo $((cur - HP_ADDED)) >/proc/sys/vm/nr_hugepages
	fi
	rm -rf "$TMP"
}
bench_traps

# ---- topology: the server namespace has the veth and lo, nothing else ----
ip netns add "$NS_SRV" || die "ip netns add $NS_SRV failed"
bench_veth

if [ "$HUGE" -eq 1 ] && want velodns; then
	hp=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$hp" -lt 256 ]; then
		echo 256 >/proc/sys/vm/nr_hugepages
		HP_ADDED=$(($(cat /proc/sys/vm/nr_hugepages) - hp))
	fi
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 256 ] || die "could not reserve 256 hugepages (try --no-huge)"
fi

# ---- the same N names for both servers ----
log "generating $NAMES names"
"$PY" - "$NAMES" "$TMP" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
with open(d + "/names.txt", "w") as q, open(d + "/rrs.txt", "w") as r:
    for i in range(n):
        name = "h%d.bench.test." % i
        r.write("%s 300 IN A 198.18.%d.%d\n" % (name, 128 + (i // 250) % 64, i % 250 + 1))
        q.write("%s A\n" % name)
PY

{
	echo "server:"
	echo "  log-level: warn"
	echo "  control-socket: $TMP/ctl.sock"
	echo "  service-addresses: [$ADDR/24]"
	echo "eal:"
	if [ "$HUGE" -eq 1 ]; then
		echo "  hugepages: true"
	else
		echo "  hugepages: false"
		echo "  memory: 1G"
	fi
	echo "ports:"
	echo "  - name: dp0"
	echo "    mode: af_xdp"
	echo "    interface: $IF_SRV"
	[ -n "$XDP_DEVARGS" ] && echo "    devargs: \"$XDP_DEVARGS\""
	echo "workers: { lcores: [1], control-lcore: 0 }"
	echo "cache: { memory-per-worker: 128M }"
	echo "local-zones:"
	echo "  - { name: bench.test., type: static }"
	echo "local-data:"
	sed 's/.*/  - "&"/' "$TMP/rrs.txt"
} >"$TMP/velodns.conf"

{
	echo "server:"
	echo "  interface: $ADDR"
	echo "  port: 53"
	echo "  num-threads: 1"
	echo "  do-daemonize: no"
	echo "  chroot: \"\""
	echo "  username: \"\""
	echo "  directory: \"$TMP\""
	echo "  pidfile: \"\""
	echo "  use-syslog: no"
	echo "  logfile: \"\""
	echo "  verbosity: 0"
	echo "  do-ip6: no"
	# Local data only: never send a query upstream (there is no route anyway).
	echo "  do-not-query-localhost: yes"
	echo "  do-not-query-address: 0.0.0.0/0"
	echo "  do-not-query-address: ::/0"
	# dnsperf keeps up to 500 queries outstanding; the default socket buffer (208 KiB,
	# ~1 KiB of truesize per datagram) overflows at the start of each run. 4 MiB
	# (SO_RCVBUFFORCE as root) keeps Unbound's losses from being an artefact.
	echo "  so-rcvbuf: 4m"
	echo "  so-sndbuf: 4m"
	echo "  access-control: 198.18.0.0/24 allow"
	echo "  local-zone: \"bench.test.\" static"
	sed 's/.*/  local-data: "&"/' "$TMP/rrs.txt"
	echo "remote-control:"
	echo "  control-enable: no"
} >"$TMP/unbound.conf"
if want unbound; then
	unbound-checkconf "$TMP/unbound.conf" >/dev/null || die "unbound-checkconf refused $TMP/unbound.conf"
fi

# ---- measuring ----

# proc_cpu_ticks PID: "utime stime" of the whole process, in clock ticks.
proc_cpu_ticks() {
	# Fields after the "(comm)" so that a space in comm cannot shift them.
	sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{ print $12, $13 }'
}

# velodns_busy: "rx busy_ns_total hits tx_ns_total" from veloctl stats.
velodns_busy() {
	timeout 10 "$VELOCTL" -s "$TMP/ctl.sock" --json stats | "$PY" -c 'import json, sys
t = json.load(sys.stdin)["total"]
print(t["rx"], t["busy_ns_per_pkt"] * t["rx"], t["hits"], t["tx_ns_per_pkt"] * t["rx"])'
}

# udp_rcvbuf_errors: datagrams the server namespace's kernel dropped for a full socket
# buffer (Unbound's losses show up here; velodns's queries never reach a socket).
udp_rcvbuf_errors() {
	# shellcheck disable=SC2016
	ip netns exec "$NS_SRV" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $6; exit }' /proc/net/snmp
}

wait_answer() {
	local t0=$SECONDS
	while ((SECONDS - t0 < 20)); do
		ip netns exec "$NS_CLI" timeout 5 dig +time=1 +tries=1 @"$ADDR" h0.bench.test A 2>/dev/null |
			grep -q 'status: NOERROR' && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

start_server() {
	local which=$1
	bench_start "$which" "$TMP/$which.log"
	if ! wait_answer; then
		log "$which did not come up; log:"
		tail -n 20 "$TMP/$which.log" >&2
		return 1
	fi
}

# dnsperf_run LIMIT_ARGS...: dnsperf on CPU 0 in the client namespace, bounded.
dnsperf_run() {
	ip netns exec "$NS_CLI" timeout $((DURATION + 30)) taskset -c 0 dnsperf -s "$ADDR" \
		-d "$TMP/names.txt" -c "$CLIENTS" -T 1 -q 500 -t 2 "$@"
}

# field FILE REGEX: first number after REGEX in dnsperf's output.
field() {
	sed -nE "s/^ *$2 *([0-9.]+).*/\\1/p" "$1" | head -n 1
}

# One run of one server: prints a JSON object on stdout (and progress on stderr).
run_one() {
	local which=$1 i=$2 out=$TMP/dnsperf-$1-$2.txt
	local c0 c1 b0 b1 t0 t1 e0 e1
	start_server "$which" || return 1
	# Warm-up: one pass over every name (velodns: each first query is a miss that
	# the control thread answers and the worker then caches).
	dnsperf_run -n 1 >/dev/null 2>&1
	c0=$(proc_cpu_ticks "$SERVER_PID")
	e0=$(udp_rcvbuf_errors)
	[ "$which" = velodns ] && b0=$(velodns_busy)
	t0=$(date +%s.%N)
	dnsperf_run -l "$DURATION" -Q "$QPS" >"$out" 2>&1
	t1=$(date +%s.%N)
	c1=$(proc_cpu_ticks "$SERVER_PID")
	e1=$(udp_rcvbuf_errors)
	[ "$which" = velodns ] && b1=$(velodns_busy)
	stop_server
	"$PY" - "$which" "$i" "$out" "${c0// /,}" "${c1// /,}" "$CLK_TCK" "$t0" "$t1" "${b0:-}" "${b1:-}" \
		$((e1 - e0)) <<'PY'
import json, re, sys
which, run, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
(u0, s0), (u1, s1) = (map(int, a.split(",")) for a in sys.argv[4:6])
tck, t0, t1 = int(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
text = open(path).read()
def num(rx, default=None):
    m = re.search(rx, text)
    return float(m.group(1)) if m else default
sent = num(r"Queries sent:\s+([0-9]+)", 0)
done = num(r"Queries completed:\s+([0-9]+)", 0)
lost = num(r"Queries lost:\s+([0-9]+)", 0)
qps = num(r"Queries per second:\s+([0-9.]+)", 0)
lat = num(r"Average Latency \(s\):\s+([0-9.]+)", 0)
noerror = num(r"NOERROR\s+([0-9]+)", 0)
cpu_s = (u1 - u0 + s1 - s0) / tck
user_s, sys_s = (u1 - u0) / tck, (s1 - s0) / tck
o = {"server": which, "run": run, "sent": int(sent), "answers": int(done), "lost": int(lost),
     "noerror": int(noerror), "qps": round(qps, 1), "avg_latency_us": round(lat * 1e6, 1),
     "wall_s": round(t1 - t0, 2), "process_cpu_s": round(cpu_s, 3),
     "process_cpu_ns_per_answer": round(cpu_s * 1e9 / done, 1) if done else None,
     "process_user_ns_per_answer": round(user_s * 1e9 / done, 1) if done else None,
     "process_sys_ns_per_answer": round(sys_s * 1e9 / done, 1) if done else None,
     "server_udp_rcvbuf_errors": int(sys.argv[11])}
if which == "velodns" and sys.argv[9] and sys.argv[10]:
    rx0, busy0, hits0, tx0 = map(float, sys.argv[9].split())
    rx1, busy1, hits1, tx1 = map(float, sys.argv[10].split())
    drx = rx1 - rx0
    o["worker_rx"] = int(drx)
    o["worker_hits"] = int(hits1 - hits0)
    o["busy_ns_per_pkt"] = round((busy1 - busy0) / drx, 1) if drx else None
    # The busy time split: inside rte_eth_tx_burst (PMD + kernel transmit) and the rest.
    o["tx_ns_per_pkt"] = round((tx1 - tx0) / drx, 1) if drx else None
    o["work_ns_per_pkt"] = round((busy1 - busy0 - (tx1 - tx0)) / drx, 1) if drx else None
    o["busy_ns_per_answer"] = round((busy1 - busy0) / done, 1) if done else None
    o["cpu_ns_per_answer"] = o["busy_ns_per_answer"]
else:
    o["cpu_ns_per_answer"] = o["process_cpu_ns_per_answer"]
print(json.dumps(o))
PY
}

log "$NAMES names, $RUNS run(s) each of ${DURATION}s at -Q $QPS, $CLIENTS dnsperf clients;" \
	"server on CPU 1, dnsperf on CPU 0"
bench_run_all

# ---- report ----
"$PY" - "$TMP/runs.jsonl" "$NAMES" "$RUNS" "$DURATION" "$QPS" "$CLIENTS" "$HUGE" \
	"$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)" \
	"$(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)" "$(uname -r)" "$(nproc)" \
	"$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)" "${busy:-}" "$XDP_DEVARGS" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
names, nruns, dur, qps, clients, huge, commit, cpu, kernel, ncpu, load0, load1, busy, xdp_devargs = sys.argv[2:16]
print()
print("machine: %s, %s CPUs, kernel %s, commit %s" % (cpu, ncpu, kernel, commit))
print("load average before: %s, after: %s%s" % (load0, load1,
      "; other busy processes at start: " + busy if busy else ""))
print("workload: %s local-data names, -l %s -Q %s -c %s, %d run(s) per server%s%s" %
      (names, dur, qps, clients, int(nruns), "" if huge == "1" else ", velodns --no-huge",
       ", velodns devargs " + xdp_devargs if xdp_devargs else ""))
print()
hdr = "%-8s %3s %10s %10s %8s %12s %14s %14s %12s %14s" % (
    "server", "run", "answers", "qps", "lost", "avg lat us", "cpu ns/answer", "busy ns/pkt",
    "tx ns/pkt", "proc ns/answer")
print(hdr)
print("-" * len(hdr))
fmt = lambda v: "-" if v is None else ("%.1f" % v if isinstance(v, float) else str(v))
for r in runs:
    print("%-8s %3d %10d %10.0f %8d %12.1f %14s %14s %12s %14s" % (
        r["server"], r["run"], r["answers"], r["qps"], r["lost"], r["avg_latency_us"],
        fmt(r["cpu_ns_per_answer"]), fmt(r.get("busy_ns_per_pkt")), fmt(r.get("tx_ns_per_pkt")),
        fmt(r["process_cpu_ns_per_answer"])))
summary = {}
for s in ("velodns", "unbound"):
    rs = [r for r in runs if r["server"] == s]
    if not rs:
        continue
    mean = lambda k: round(statistics.mean(r[k] for r in rs if r.get(k) is not None), 1) \
        if any(r.get(k) is not None for r in rs) else None
    summary[s] = {
        "runs": len(rs),
        "qps": mean("qps"),
        "avg_latency_us": mean("avg_latency_us"),
        "lost": sum(r["lost"] for r in rs),
        "server_udp_rcvbuf_errors": sum(r.get("server_udp_rcvbuf_errors", 0) for r in rs),
        "answers": sum(r["answers"] for r in rs),
        "cpu_ns_per_answer": mean("cpu_ns_per_answer"),
        "process_cpu_ns_per_answer": mean("process_cpu_ns_per_answer"),
        "process_user_ns_per_answer": mean("process_user_ns_per_answer"),
        "process_sys_ns_per_answer": mean("process_sys_ns_per_answer"),
    }
    if s == "velodns":
        summary[s]["busy_ns_per_pkt"] = mean("busy_ns_per_pkt")
        summary[s]["tx_ns_per_pkt"] = mean("tx_ns_per_pkt")
        summary[s]["work_ns_per_pkt"] = mean("work_ns_per_pkt")
print()
for s, v in summary.items():
    print("%-8s mean of %d: %.0f q/s, avg latency %.1f us, %d lost of %d (server socket buffer"
          " drops %d), CPU %s ns/answer%s" % (
        s, v["runs"], v["qps"], v["avg_latency_us"], v["lost"], v["answers"] + v["lost"],
        v["server_udp_rcvbuf_errors"],
        fmt(v["cpu_ns_per_answer"]),
        " (busy %s ns/pkt, of which %s in the TX call and %s the rest; process incl. polling"
        " %s ns/answer)" % (
            fmt(v.get("busy_ns_per_pkt")), fmt(v.get("tx_ns_per_pkt")),
            fmt(v.get("work_ns_per_pkt")), fmt(v["process_cpu_ns_per_answer"])) if s == "velodns"
        else " (process utime+stime: %s user + %s sys)" % (
            fmt(v["process_user_ns_per_answer"]), fmt(v["process_sys_ns_per_answer"]))))
out = {"bench": "dnsperf-compare", "names": int(names), "runs": int(nruns),
       "duration_s": int(dur), "qps_limit": int(qps), "clients": int(clients),
       "hugepages": huge == "1", "commit": commit, "kernel": kernel, "cpu": cpu,
       "nproc": int(ncpu), "loadavg_before": load0, "loadavg_after": load1,
       "other_busy_processes": busy.strip(), "velodns_xdp_devargs": xdp_devargs}
out.update(summary)
if "velodns" in summary and "unbound" in summary:
    v, u = summary["velodns"], summary["unbound"]
    if v["cpu_ns_per_answer"] and u["cpu_ns_per_answer"]:
        out["ratio_unbound_to_velodns_cpu_per_query"] = round(u["cpu_ns_per_answer"] / v["cpu_ns_per_answer"], 2)
    if v["process_cpu_ns_per_answer"] and u["cpu_ns_per_answer"]:
        out["ratio_unbound_to_velodns_process_cpu_per_query"] = round(
            u["cpu_ns_per_answer"] / v["process_cpu_ns_per_answer"], 2)
    print("ratio of Unbound's CPU per query to velodns's: %s (busy time), %s (whole process, polling included)" % (
        fmt(out.get("ratio_unbound_to_velodns_cpu_per_query")),
        fmt(out.get("ratio_unbound_to_velodns_process_cpu_per_query"))))
print(json.dumps(out, sort_keys=True))
PY
