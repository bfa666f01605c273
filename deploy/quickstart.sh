#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# velodns in one command, on a virtual link: sudo ./deploy/quickstart.sh
#
#   sudo ./deploy/quickstart.sh [start] [--no-huge] [--skip-deps] [--skip-build]
#       installs the dependencies (deploy/install-deps.sh), builds a release tree
#       (build-release), reserves hugepages, creates two network namespaces joined by
#       a veth pair, starts a private DNS hierarchy (tests/hierarchy: a root, TLDs and
#       40-odd zones served by NSD on 127.0.0.x) in the server namespace, starts
#       velodns there in AF_XDP mode with example local data and the private root as
#       its root hints, resolves a few names iteratively through the hierarchy and
#       asks the local data with dig from the client namespace, prints veloctl stats,
#       runs a 10-second dnsperf and leaves velodns and the hierarchy running.
#   sudo ./deploy/quickstart.sh stop     stop velodns and the hierarchy, delete the
#                                        namespaces, give the hugepages back; removes
#                                        /run/velodns-quickstart
#   sudo ./deploy/quickstart.sh status   is it running; veloctl status
#   sudo ./deploy/quickstart.sh bench    the hit-path micro-benchmark (bench/hitpath.sh):
#                                        no NIC, no namespace, no root needed
#
#   netns vdqs-srv (velodns, the hierarchy on lo 127.0.0.x; no default route)
#     vdqs-dp 198.18.0.2/24 2001:db8::53/64  <--veth-->  vdqs-cl 198.18.0.1/24 2001:db8::1/64
#                                                       netns vdqs-cli (dig, dnsperf)
#
# Only test addresses (198.18.0.0/15, 2001:db8::/32, 127.0.0.0/8 inside the server
# namespace) are used, and packets never leave the two namespaces: velodns never asks
# the real root. --no-huge runs velodns on ordinary memory (EAL --no-huge).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$TOP/build-release
STATE=/run/velodns-quickstart
NS_SRV=vdqs-srv
NS_CLI=vdqs-cli
IF_SRV=vdqs-dp
IF_CLI=vdqs-cl
SRV4=198.18.0.2
SRV6=2001:db8::53
CLI4=198.18.0.1
CLI6=2001:db8::1
HUGEPAGES=256 # x 2 MiB
VELODNS=$BUILD/control/velodns
VELOCTL=$BUILD/control/veloctl
HIER=$TOP/tests/hierarchy
HIER_OUT=$STATE/hierarchy # start.sh's OUTDIR: zones, root.hints, server PIDs

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
log() { printf 'quickstart: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

usage() {
	sed -n '3,/^set -uo/p' "$0" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//'
	exit "${1:-0}"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "needs root (namespaces, XDP, hugepages): sudo $0 $*"
}

ctl() { timeout 15 "$VELOCTL" -s "$STATE/control.sock" --timeout 5 "$@"; }

# running: 0 when the velodns we started is alive (PID file and /proc agree).
running() {
	local pid
	[ -f "$STATE/velodns.pid" ] || return 1
	pid=$(cat "$STATE/velodns.pid")
	[ -n "$pid" ] && [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = velodns ]
}

# ---- stop ----

do_stop() {
	local pid i
	if running; then
		pid=$(cat "$STATE/velodns.pid")
		log "stopping velodns (PID $pid)"
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "velodns did not exit within 10 s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	# The hierarchy's servers: stop.sh ends exactly the PIDs start.sh recorded.
	if [ -f "$HIER_OUT/pids" ]; then
		"$HIER/stop.sh" "$HIER_OUT" && log "stopped the DNS hierarchy"
	fi
	for ns in "$NS_SRV" "$NS_CLI"; do
		if ip netns list 2>/dev/null | grep -q "^$ns\\b"; then
			ip netns del "$ns" && log "deleted network namespace $ns"
		fi
	done
	# Give back exactly the pages start added (not a saved value: something else may
	# have reserved pages meanwhile).
	if [ -f "$STATE/hugepages.added" ]; then
		local added cur
		added=$(cat "$STATE/hugepages.added")
		cur=$(cat /proc/sys/vm/nr_hugepages)
		[ "$added" -gt "$cur" ] && added=$cur
		echo $((cur - added)) >/proc/sys/vm/nr_hugepages &&
			log "gave back $added hugepages: nr_hugepages now $(cat /proc/sys/vm/nr_hugepages)"
	fi
	rm -rf "$STATE"
}

# ---- start ----

build() {
	if [ "${SKIP_DEPS:-0}" -eq 0 ]; then
		say "dependencies (deploy/install-deps.sh)"
		if [ -x "$TOP/deploy/install-deps.sh" ] || [ -f "$TOP/deploy/install-deps.sh" ]; then
			bash "$TOP/deploy/install-deps.sh" || die "deploy/install-deps.sh failed"
		else
			log "deploy/install-deps.sh not found; assuming the packages are installed"
		fi
	fi
	[ "${SKIP_BUILD:-0}" -eq 1 ] && return 0
	say "build ($BUILD, release)"
	if [ ! -f "$BUILD/build.ninja" ]; then
		CC=${CC:-gcc} meson setup "$BUILD" "$TOP" -Dbuildtype=release >"$TOP/.quickstart-setup.log" 2>&1 || {
			tail -n 30 "$TOP/.quickstart-setup.log" >&2
			die "meson setup failed (log: $TOP/.quickstart-setup.log)"
		}
		rm -f "$TOP/.quickstart-setup.log"
	fi
	# Only what the demo runs: the daemon (and its XDP object), veloctl, the benchmark.
	ninja -C "$BUILD" control/velodns control/veloctl bench/velodns-bench || die "build failed"
	# Under sudo, give the tree back to whoever ran it, so they can rebuild without root.
	if [ -n "${SUDO_UID:-}" ]; then
		chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$BUILD" 2>/dev/null
	fi
}

topology() {
	say "network: namespaces $NS_SRV (velodns) and $NS_CLI (client), veth $IF_SRV <-> $IF_CLI"
	ip netns add "$NS_SRV" || return 1
	ip netns add "$NS_CLI" || return 1
	ip link add name "$IF_SRV" netns "$NS_SRV" type veth peer name "$IF_CLI" netns "$NS_CLI" ||
		return 1
	for ns in "$NS_SRV" "$NS_CLI"; do
		ip -n "$ns" link set lo up
		# No duplicate address detection: the IPv6 addresses work at once.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
	# AF_XDP mode: the kernel keeps the service addresses on the DPDK-side veth and
	# answers ARP, NDP, ICMP and TCP there; the XDP program takes UDP to port 53.
	ip -n "$NS_SRV" addr add "$SRV4/24" dev "$IF_SRV" &&
		ip -n "$NS_SRV" addr add "$SRV6/64" dev "$IF_SRV" nodad &&
		ip -n "$NS_CLI" addr add "$CLI4/24" dev "$IF_CLI" &&
		ip -n "$NS_CLI" addr add "$CLI6/64" dev "$IF_CLI" nodad || return 1
	# A veth sender leaves partial UDP checksums in the frame, which AF_XDP hands on
	# as they are: without this every reply would fail the client's checksum check.
	ip netns exec "$NS_CLI" ethtool -K "$IF_CLI" tx off >/dev/null || return 1
	ip -n "$NS_SRV" link set "$IF_SRV" up && ip -n "$NS_CLI" link set "$IF_CLI" up
}

# The private DNS hierarchy in the server namespace (tests/hierarchy/start.sh: NSD and
# two small python servers on 127.0.0.x). Its python servers end by themselves after a
# day (HIER_LIFETIME); setsid keeps them all off this terminal, like velodns.
hierarchy() {
	say "DNS hierarchy: root, TLDs and 40-odd zones on 127.0.0.x in $NS_SRV (tests/hierarchy)"
	HIER_LIFETIME=86400 setsid --wait "$HIER/start.sh" "$NS_SRV" "$HIER_OUT" </dev/null ||
		return 1
	log "root hints: $HIER_OUT/root.hints (the private root only)"
}

hugepages() {
	local have
	[ "$NO_HUGE" -eq 1 ] && return 0
	have=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$have" -lt "$HUGEPAGES" ]; then
		echo "$HUGEPAGES" >/proc/sys/vm/nr_hugepages
		echo $(($(cat /proc/sys/vm/nr_hugepages) - have)) >"$STATE/hugepages.added"
		if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt "$HUGEPAGES" ]; then
			log "could not reserve $HUGEPAGES hugepages (got $(cat /proc/sys/vm/nr_hugepages));" \
				"run with --no-huge"
			return 1
		fi
		log "reserved $HUGEPAGES x 2 MiB hugepages (was $have; given back on stop)"
	fi
}

write_config() {
	local i
	{
		cat <<-EOF
		# velodns quickstart configuration (deploy/quickstart.sh); the annotated
		# reference is deploy/velodns.conf.example.
		server:
		  log-level: info
		  control-socket: $STATE/control.sock
		  service-addresses:
		    - $SRV4/24
		    - "$SRV6/64"
		eal:
		  hugepages: $([ "$NO_HUGE" -eq 1 ] && echo false || echo true)
		  memory: 512M
		ports:
		  - name: dp0
		    mode: af_xdp
		    interface: $IF_SRV
		workers:
		  lcores: [1]
		  control-lcore: 0
		cache:
		  memory-per-worker: 64M
		resolver:
		  root-hints: $HIER_OUT/root.hints
		local-zones:
		  - { name: example.test., type: static }
		local-data:
		  - "example.test. 3600 IN SOA ns.example.test. hostmaster.example.test. 2024010101 3600 900 604800 300"
		  - "example.test. 3600 IN NS ns.example.test."
		  - "example.test. 300 IN MX 10 mail.example.test."
		  - "example.test. 300 IN TXT \"v=spf1 mx -all\""
		  - "ns.example.test. 3600 IN A 198.18.1.2"
		  - "www.example.test. 300 IN A 198.18.1.10"
		  - "www.example.test. 300 IN A 198.18.1.11"
		  - "www.example.test. 300 IN AAAA 2001:db8:1::10"
		  - "mail.example.test. 300 IN A 198.18.1.25"
		  - "mail.example.test. 300 IN AAAA 2001:db8:1::25"
		  - "web.example.test. 300 IN CNAME www.example.test."
		  - "_dns._udp.example.test. 300 IN SRV 0 5 53 ns.example.test."
		  - "10.1.18.198.in-addr.arpa. 300 IN PTR www.example.test."
		EOF
		# 1000 more names for dnsperf.
		for ((i = 0; i < 1000; i++)); do
			printf '  - "host%d.example.test. 300 IN A 198.18.%d.%d"\n' "$i" $((2 + i / 250)) \
				$((i % 250 + 1))
		done
	} >"$STATE/velodns.conf"
	{
		printf '%s\n' "www.example.test A" "www.example.test AAAA" "web.example.test A" \
			"mail.example.test A" "example.test MX" "example.test TXT" "nope.example.test A"
		for ((i = 0; i < 1000; i++)); do
			echo "host$i.example.test A"
		done
	} >"$STATE/queries.txt"
}

start_daemon() {
	local pid t0=$SECONDS
	say "velodns: AF_XDP on $IF_SRV in namespace $NS_SRV (worker lcore 1, control lcore 0)"
	"$VELODNS" --check -c "$STATE/velodns.conf" || return 1
	# setsid: velodns outlives this script and the terminal; its PID is $! (setsid and
	# ip netns exec both exec, neither forks here).
	setsid ip netns exec "$NS_SRV" "$VELODNS" -c "$STATE/velodns.conf" \
		>"$STATE/velodns.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$STATE/velodns.pid"
	while ((SECONDS - t0 < 30)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			log "velodns exited during start-up; its log:"
			tail -n 30 "$STATE/velodns.log" >&2
			return 1
		fi
		[ -S "$STATE/control.sock" ] && ctl status >/dev/null 2>&1 && break
		sleep 0.2
	done
	if ! ctl status >/dev/null 2>&1; then
		log "velodns did not answer veloctl within 30 s; its log:"
		tail -n 30 "$STATE/velodns.log" >&2
		return 1
	fi
	# The port can take a moment after start-up: wait (bounded) for a first answer.
	t0=$SECONDS
	while ((SECONDS - t0 < 10)); do
		ip netns exec "$NS_CLI" timeout 5 dig +time=1 +tries=1 @"$SRV4" www.example.test A \
			2>/dev/null | grep -q 'status: NOERROR' && break
		sleep 0.2
	done
	log "velodns running, PID $pid, log $STATE/velodns.log"
	ctl status
}

# q SERVER NAME TYPE [dig options]: one query from the client namespace, shown compactly.
q() {
	local server=$1 name=$2 type=$3 out status
	shift 3
	out=$(ip netns exec "$NS_CLI" timeout 10 dig +time=1 +tries=2 @"$server" "$name" "$type" "$@" 2>&1)
	status=$(sed -nE 's/.*status: ([A-Z]+),.*/\1/p' <<<"$out" | head -n 1)
	printf '\n$ dig @%s %s %s%s  -> %s\n' "$server" "$name" "$type" "${*:+ $*}" "${status:-no answer}"
	awk '/^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/ { print "  " $0; on = 1; next }
		/^$/ { on = 0 } on { print "    " $0 }' <<<"$out"
}

resolutions() {
	say "iterative resolution through the hierarchy (dig from namespace $NS_CLI)"
	# A CNAME chain across three zones and TLDs, an MX, four A records, an NXDOMAIN.
	q "$SRV4" x1.z03.test A
	q "$SRV4" z06.test MX
	q "$SRV4" pool.z01.test A
	q "$SRV4" nonexistent.z01.test A
	# Asked again: the workers' caches answer, at line rate.
	q "$SRV4" x1.z03.test A
}

queries() {
	say "local data (dig from namespace $NS_CLI)"
	q "$SRV4" www.example.test A
	q "$SRV6" www.example.test AAAA
	q "$SRV4" web.example.test A
	q "$SRV4" example.test MX
	q "$SRV4" nope.example.test A
	q "$SRV4" www.example.test A +tcp
}

dnsperf_run() {
	say "dnsperf: 10 s from namespace $NS_CLI (CPU 0) against $SRV4, up to 100k q/s"
	ip netns exec "$NS_CLI" timeout 40 taskset -c 0 dnsperf -s "$SRV4" -d "$STATE/queries.txt" \
		-l 10 -Q 100000 -c 4 -T 1 -q 200 -t 2 2>&1 | grep -v '^\[Status\]'
}

do_start() {
	if running; then
		log "already running (PID $(cat "$STATE/velodns.pid")); stop it with: sudo $0 stop"
		exit 1
	fi
	# Leftovers of an earlier run that did not stop cleanly.
	[ -d "$STATE" ] && do_stop
	build
	if [ ! -x "$VELODNS" ] || [ ! -x "$VELOCTL" ]; then
		log "the velodns daemon is not built in $BUILD (needs DPDK and libbpf: see meson setup's" \
			"output); running the hit-path benchmark instead"
		do_bench
		exit $?
	fi
	[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (control lcore 0, worker lcore 1)"
	mkdir -p "$STATE" || die "cannot create $STATE"
	# From here on, a failure undoes everything.
	trap 'log "failed; cleaning up"; do_stop' EXIT
	trap 'exit 130' INT TERM
	hugepages || exit 1
	topology || die "creating the namespaces and veth pair failed"
	hierarchy || die "starting the DNS hierarchy failed"
	write_config
	start_daemon || exit 1
	resolutions
	queries
	say "veloctl stats"
	ctl stats
	dnsperf_run
	say "veloctl stats after dnsperf"
	ctl --json stats | python3 -c 'import json, sys
j = json.load(sys.stdin); t = j["total"]; c = j["control"]
print("worker rx %d tx %d, cache hits %d, misses %d" % (t["rx"], t["tx"], t["hits"], t["misses"]))
print("control thread: %d answers from local data" % c["local_answers"])
r = j.get("resolver")
if r:
    print("resolver: %d resolutions, %d upstream queries, %d ignored replies" %
        (r["resolutions"], r["upstream_queries"], r["upstream_mismatched"]))
print("worker busy %.0f ns per packet (in bursts that carried packets; it polls at 100%%)" %
    t["busy_ns_per_pkt"])'
	trap - EXIT INT TERM
	cat <<-EOF

	velodns keeps running in namespace $NS_SRV (PID $(cat "$STATE/velodns.pid")), and the
	DNS hierarchy beside it (zones: $HIER_OUT/zones, cases: $HIER_OUT/hierarchy.json).
	  query it:   sudo ip netns exec $NS_CLI dig @$SRV4 www.example.test
	              sudo ip netns exec $NS_CLI dig @$SRV4 www.z12.example
	  control:    sudo $VELOCTL -s $STATE/control.sock stats
	  config/log: $STATE/velodns.conf, $STATE/velodns.log
	  stop:       sudo $0 stop
	EOF
}

do_status() {
	if running; then
		echo "velodns quickstart running, PID $(cat "$STATE/velodns.pid")"
		ctl status
	else
		echo "velodns quickstart not running"
		return 1
	fi
}

do_bench() {
	say "hit-path benchmark (bench/hitpath.sh)"
	[ -f "$TOP/bench/hitpath.sh" ] || die "bench/hitpath.sh not found"
	BUILD_DIR=$BUILD sh "$TOP/bench/hitpath.sh"
}

CMD=start
NO_HUGE=0
SKIP_DEPS=0
SKIP_BUILD=0
while [ $# -gt 0 ]; do
	case "$1" in
	start | stop | status | bench) CMD=$1 ;;
	--no-huge) NO_HUGE=1 ;;
	--skip-deps) SKIP_DEPS=1 ;;
	--skip-build) SKIP_BUILD=1 ;;
	-h | --help) usage 0 ;;
	*) log "unknown argument: $1"; usage 2 ;;
	esac
	shift
done

case "$CMD" in
start) need_root start; do_start ;;
stop) need_root stop; do_stop; log "stopped; nothing left behind" ;;
status) need_root status; do_status ;;
bench) do_bench ;;
esac
