#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check_stale.sh: serve-stale (RFC 8767) and prefetch through the private hierarchy.
# Same setup as check_velodns.sh (hierarchy + velodns in one namespace, a client
# namespace over a veth). The zone stale.lab has a server of its own (stale-auth,
# gen-zones.py), which is stopped (SIGSTOP: silent, as an overloaded or cut-off server)
# and resumed: the NSD whose PID the hierarchy's pids file names, and its own children
# (NSD answers from forked processes); nothing else is touched.
#   1. prefetch: pf.stale.lab (TTL 20) asked every 0.25 s across its expiry: the
#      worker reports it in its last 2 s, the control thread re-asks upstream, and
#      no query in between misses the worker cache.
#   2. failure: short.stale.lab (TTL 4) answered, its server stopped, the entry
#      expired: the next query gets the stale answer with TTL 30 (resolution fails
#      fast; the 1.8 s client timer is not needed).
#   3. client timer: velodns again with stale-client-timeout 20ms (under the 50 ms
#      minimum upstream timeout): the stale answer comes from the timer while the
#      resolution still waits.
# Prints TAP. Needs root, nsd, dig, $VELODNS, $VELOCTL. Every wait is a bounded poll.
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then echo "1..0 # SKIP not root"; exit 0; fi
for p in nsd dig ip ethtool; do
	command -v $p >/dev/null || { echo "1..0 # SKIP $p not installed"; exit 0; }
done
[ -x "${VELODNS:-}" ] && [ -x "${VELOCTL:-}" ] || { echo "1..0 # SKIP VELODNS/VELOCTL not built"; exit 0; }
py=/usr/bin/python3; [ -x $py ] || py=python3
ns=vdss-$$ cl=vdsc-$$ vs=vds$$s vc=vds$$c
tmp=$(mktemp -d /tmp/velostale.XXXXXX)
pid= auth=
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/# /'; }
bail() { echo "Bail out! $1"; [ -n "${2:-}" ] && sed 's/^/# /' "$2" | tail -20; exit 1; }
stop_velodns() {
	if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
		[ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null
	fi
	pid=
}
# auth_signal SIG: the stale.lab NSD and its descendants (NSD forks xfrd and a server
# process, which forks again), found by parent PID, never by name; three levels at most.
auth_signal() {
	local p all=$auth level=$auth
	for _ in 1 2 3; do
		level=$(for p in $level; do ps -o pid= --ppid "$p" 2>/dev/null; done)
		[ -n "$level" ] || break
		all="$all $level"
	done
	for p in $all; do kill "-$1" "$p" 2>/dev/null || return 1; done
}
cleanup() {
	stop_velodns
	# A stopped NSD would ignore SIGTERM until resumed.
	[ -n "$auth" ] && auth_signal CONT
	"$here/stop.sh" "$tmp/h" >/dev/null 2>&1
	ip netns del "$cl" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
echo "1..8"

HIER_LIFETIME=600 "$here/start.sh" --create-netns "$ns" "$tmp/h" >"$tmp/start.log" 2>&1 ||
	bail "start the hierarchy" "$tmp/start.log"
# The stale zone's server: its PID as start.sh recorded it, checked to be that NSD.
auth=$(awk '$2 == "stale-auth" { print $1 }' "$tmp/h/pids")
[ -n "$auth" ] && tr '\0' ' ' <"/proc/$auth/cmdline" | grep -q "nsd -d -c $tmp/h/nsd-stale-auth.conf" ||
	bail "no stale-auth NSD in $tmp/h/pids"
ip netns add "$cl" &&
	ip link add "$vs" type veth peer name "$vc" &&
	ip link set "$vs" netns "$ns" && ip link set "$vc" netns "$cl" &&
	ip -n "$ns" addr add 198.18.0.2/24 dev "$vs" && ip -n "$ns" link set "$vs" up &&
	ip -n "$cl" addr add 198.18.0.1/24 dev "$vc" && ip -n "$cl" link set "$vc" up &&
	ip -n "$cl" link set lo up &&
	ip netns exec "$cl" ethtool -K "$vc" tx off >/dev/null || bail "client namespace and veth"

# start_velodns EXTRA_RESOLVER_LINES
start_velodns() {
	cat >"$tmp/velodns.conf" <<EOC
server:
  control-socket: $tmp/ctl.sock
  service-addresses: [198.18.0.2/24]
eal:
  hugepages: false
  memory: 512M
ports:
  - { name: dp0, mode: af_xdp, interface: $vs }
workers:
  lcores: [1]
cache:
  memory-per-worker: 32M
resolver:
  root-hints: $tmp/h/root.hints
$1
EOC
	ip netns exec "$ns" "$VELODNS" -c "$tmp/velodns.conf" >>"$tmp/velodns.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		"$VELOCTL" -s "$tmp/ctl.sock" --timeout 2 status >/dev/null 2>&1 && return 0
		[ -d "/proc/$pid" ] || break
		sleep 0.2
	done
	bail "velodns did not come up" "$tmp/velodns.log"
}

# q NAME: one query from the client; prints "RCODE TTL ADDRESS" (TTL/ADDRESS "-" if none).
q() {
	ip netns exec "$cl" dig +tries=1 +time=4 @198.18.0.2 "$1" A 2>/dev/null |
		awk '/status:/ { for (i = 1; i <= NF; i++) if ($i == "status:") { s = $(i + 1); sub(",", "", s) } }
		     /^[^;].*[ \t]IN[ \t]+A[ \t]/ { if (ttl == "") { ttl = $2; a = $5 } }
		     END { print (s == "" ? "NONE" : s), (ttl == "" ? "-" : ttl), (a == "" ? "-" : a) }'
}

# stat PATH...: one counter from `veloctl --json stats` (a dotted path, e.g. resolver.stale_answers).
stat() {
	"$VELOCTL" -s "$tmp/ctl.sock" --json --timeout 3 stats 2>/dev/null |
		$py -c 'import json,sys
d = json.load(sys.stdin)
for k in sys.argv[1].split("."): d = d[k]
print(d)' "$1"
}

# servfails: the resolver's SERVFAIL count over every cause.
servfails() {
	"$VELOCTL" -s "$tmp/ctl.sock" --json --timeout 3 stats 2>/dev/null |
		$py -c 'import json,sys; print(sum(json.load(sys.stdin)["resolver"]["servfail"].values()))'
}

# cached NAME: "yes" while the worker's cache holds NAME A.
cached() {
	"$VELOCTL" -s "$tmp/ctl.sock" --json --timeout 3 cache lookup "$1" A 2>/dev/null |
		$py -c 'import json,sys
r = json.load(sys.stdin)
ws = r["workers"] if isinstance(r, dict) else r
print("yes" if any(w.get("found") for w in ws) else "no")'
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_expired NAME T: until the worker no longer holds NAME (TTL 4, asked at T ms) and
# the master cache's copy is past its TTL too (its clock ticks up to 1 s apart from the
# worker's): 4 s + 1.5 s after T. Bounded poll, 10 s.
wait_expired() {
	for _ in $(seq 1 50); do
		[ $(($(now_ms) - $2)) -ge 5500 ] && [ "$(cached "$1")" = no ] && return 0
		sleep 0.2
	done
	bail "$1 still cached 10 s after it was answered with TTL 4"
}

start_velodns ""

# ---- 1. prefetch ----
read -r rc ttl addr <<<"$(q pf.stale.lab)"
[ "$rc" = NOERROR ] && [ "$addr" = 198.51.100.141 ] || bail "pf.stale.lab: $rc $ttl $addr"
misses0=$(stat total.misses) up0=$(stat resolver.upstream_queries)
t0=$(now_ms)
worst=ok
# Ask across the original expiry (20 s) and 3 s beyond: bounded, 0.25 s apart.
while [ $(($(now_ms) - t0)) -lt 23000 ]; do
	read -r rc ttl addr <<<"$(q pf.stale.lab)"
	[ "$rc" = NOERROR ] && [ "$addr" = 198.51.100.141 ] || worst="$rc $ttl $addr"
	sleep 0.25
done
reports=$(stat total.prefetch_reports) done_=$(stat resolver.prefetch_done)
misses1=$(stat total.misses) up1=$(stat resolver.upstream_queries)
if [ "$reports" -ge 1 ] && [ "$done_" -ge 1 ] && [ "$up1" -gt "$up0" ]; then
	ok "prefetch: worker reports $reports, refreshes done $done_, upstream queries $up0 -> $up1"
else
	nok "prefetch: worker reports $reports, refreshes done $done_, upstream queries $up0 -> $up1"
fi
if [ "$misses1" -eq "$misses0" ] && [ "$worst" = ok ]; then
	ok "prefetch: no miss while pf.stale.lab was asked across its expiry"
else
	nok "prefetch: misses $misses0 -> $misses1, worst answer: $worst"
fi

# ---- 2. stale on failure ----
ta=$(now_ms)
read -r rc ttl addr <<<"$(q short.stale.lab)"
[ "$rc" = NOERROR ] && [ "$addr" = 198.51.100.140 ] || bail "short.stale.lab: $rc $ttl $addr"
auth_signal STOP || bail "cannot stop the stale.lab server ($auth)"
wait_expired short.stale.lab "$ta"
t0=$(now_ms)
read -r rc ttl addr <<<"$(q short.stale.lab)"
el=$(($(now_ms) - t0))
if [ "$rc" = NOERROR ] && [ "$ttl" = 30 ] && [ "$addr" = 198.51.100.140 ] && [ $el -lt 3000 ]; then
	ok "stale answer on failure: $rc TTL $ttl $addr in $el ms"
else
	nok "stale answer on failure: $rc TTL $ttl $addr in $el ms" "$(tail -5 "$tmp/velodns.log")"
fi
sa=$(stat resolver.stale_answers) se=$(stat resolver.stale_early)
if [ "$sa" -ge 1 ] && [ "$se" -eq 0 ]; then
	ok "stale_answers $sa, stale_early $se (answered when resolution failed)"
else
	nok "stale_answers $sa, stale_early $se"
fi
read -r rc ttl addr <<<"$(q short.stale.lab)"
if [ "$rc" = NOERROR ] && [ "$ttl" -le 30 ] 2>/dev/null && [ "$(cached short.stale.lab)" = yes ]; then
	ok "the stale answer is cached by the worker, TTL $ttl <= 30"
else
	nok "stale answer not cached as expected: $rc TTL $ttl"
fi

# ---- 3. the client-response timer ----
stop_velodns
auth_signal CONT
start_velodns "  stale-client-timeout: 20ms"
ta=$(now_ms)
read -r rc ttl addr <<<"$(q short.stale.lab)"
[ "$rc" = NOERROR ] && [ "$addr" = 198.51.100.140 ] || bail "short.stale.lab (2): $rc $ttl $addr"
auth_signal STOP || bail "cannot stop the stale.lab server ($auth)"
wait_expired short.stale.lab "$ta"
sf0=$(servfails)
t0=$(now_ms)
read -r rc ttl addr <<<"$(q short.stale.lab)"
el=$(($(now_ms) - t0))
if [ "$rc" = NOERROR ] && [ "$ttl" = 30 ] && [ "$addr" = 198.51.100.140 ] && [ $el -lt 3000 ]; then
	ok "stale answer by the client timer: $rc TTL $ttl $addr in $el ms"
else
	nok "stale answer by the client timer: $rc TTL $ttl $addr in $el ms"
fi
se=$(stat resolver.stale_early)
[ "$se" -ge 1 ] && ok "stale_early $se" || nok "stale_early $se (want >= 1)"
# The resolution went on in the background after the early answer, and ends (fails:
# its server is still stopped) by itself: bounded poll, 10 s.
for _ in $(seq 1 50); do [ "$(servfails)" -gt "$sf0" ] && break; sleep 0.2; done
sf1=$(servfails)
[ "$sf1" -gt "$sf0" ] && ok "background resolution ended after the early answer (SERVFAIL causes $sf0 -> $sf1)" ||
	nok "background resolution did not end: SERVFAIL causes $sf0 -> $sf1"
auth_signal CONT
[ $failed -eq 0 ] || { sed 's/^/# velodns: /' "$tmp/velodns.log" | tail -20; exit 1; }
exit 0
