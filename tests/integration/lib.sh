# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Helpers sourced by tests/integration/test_*.sh: TAP output, a two-namespace veth
# topology, a velodns configuration, starting and stopping the daemon, dig from the
# client side, and a cleanup trap that always runs.
#
# Topology of one run (PID $$ makes every name unique; nothing is created in the
# root namespace, so a crashed run cannot collide with the next one):
#
#   netns vdt-srv-$$ (velodns, no default route)    netns vdt-cli-$$ (dig, python3)
#     vd<i>s$$  198.18.<i>.2/24 2001:db8:0:<i>::53/64 <--veth--> vd<i>c$$ .1 / ::1
#
# Port 0 uses 2001:db8::53 / 2001:db8::1. In af_xdp mode the server end carries the
# service addresses (the kernel answers ARP/NDP/TCP there). In full mode it carries
# none, the kernel is kept off it (IPv6 off, tc ingress drop; af_packet sees frames
# before tc ingress), and velodns creates its exception TAP vdexc<i> in vdt-srv-$$.
#
# Environment: VELODNS, VELOCTL (paths to the binaries; meson sets them),
# VDT_KEEP=1 keeps the temporary directory for a post-mortem.
#
# Rules kept here: traffic only inside the namespaces this file creates (198.18.0.0/15,
# 2001:db8::/32); every wait is a bounded poll; the trap kills only the PIDs this run
# started, deletes its namespaces, restores nr_hugepages and removes its files.

set -u
set -o pipefail

VDT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VELODNS=${VELODNS:-$VDT_TOP/build/control/velodns}
VELOCTL=${VELOCTL:-$VDT_TOP/build/control/veloctl}
VDT_PY=python3
[ -x /usr/bin/python3 ] && VDT_PY=/usr/bin/python3

VDT_NS_SRV=vdt-srv-$$
VDT_NS_CLI=vdt-cli-$$
VDT_TMP=
VDT_SOCK=
VDT_CONF=
VDT_LOG=
VDT_DAEMON_PID=
VDT_DAEMON_RC=
VDT_TOPO=0
VDT_NPORTS=0
VDT_MODE=af_xdp
VDT_HP_ADDED=0
VDT_PIDS=()

# ---- TAP ----

VDT_N=0
VDT_FAILED=0
VDT_PLANNED=0
VDT_DONE=0

vdt_diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

# vdt_plan N: the number of test points this script will print.
vdt_plan() {
	VDT_PLANNED=$1
	echo "1..$1"
}

# vdt_ok RC DESC [DIAG]: one test point, passed when RC is 0.
vdt_ok() {
	VDT_N=$((VDT_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $VDT_N - $2"
	else
		echo "not ok $VDT_N - $2"
		VDT_FAILED=$((VDT_FAILED + 1))
		[ -n "${3:-}" ] && vdt_diag "$3"
	fi
	return "$1"
}

# vdt_is DESC GOT WANT: passed when the strings are equal; prints both otherwise.
vdt_is() {
	if [ "$2" = "$3" ]; then
		vdt_ok 0 "$1"
	else
		vdt_ok 1 "$1" "$(printf 'got:\n%s\nwanted:\n%s' "$2" "$3")"
	fi
}

# vdt_like DESC TEXT REGEX: passed when TEXT matches the extended REGEX (grep -E).
vdt_like() {
	if grep -Eq -- "$3" <<<"$2"; then
		vdt_ok 0 "$1"
	else
		vdt_ok 1 "$1" "$(printf 'no match for /%s/ in:\n%s' "$3" "$2")"
	fi
}

# vdt_unlike DESC TEXT REGEX: passed when TEXT does not match REGEX.
vdt_unlike() {
	if grep -Eq -- "$3" <<<"$2"; then
		vdt_ok 1 "$1" "$(printf 'unexpected match for /%s/ in:\n%s' "$3" "$2")"
	else
		vdt_ok 0 "$1"
	fi
}

# vdt_run DESC CMD...: passed when CMD exits 0; its output is shown if it fails.
vdt_run() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	vdt_ok "$rc" "$desc" "$(printf '%s (exit %d):\n%s' "$*" "$rc" "$out")"
}

# vdt_run_fails DESC CMD...: passed when CMD exits non-zero.
vdt_run_fails() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		vdt_ok 0 "$desc"
	else
		vdt_ok 1 "$desc" "$(printf '%s succeeded:\n%s' "$*" "$out")"
	fi
}

# vdt_skip DESC REASON
vdt_skip() {
	VDT_N=$((VDT_N + 1))
	echo "ok $VDT_N - $1 # SKIP $2"
}

# vdt_skip_rest REASON: mark every remaining planned point skipped.
vdt_skip_rest() {
	while [ "$VDT_N" -lt "$VDT_PLANNED" ]; do
		vdt_skip "not run" "$1"
	done
}

# vdt_skip_all REASON: the whole script is skipped (before vdt_plan).
vdt_skip_all() {
	echo "1..0 # SKIP $1"
	VDT_DONE=1
	exit 0
}

# ---- preconditions ----

vdt_require_root() {
	[ "$(id -u)" -eq 0 ] || vdt_skip_all "not root"
}

# vdt_require_tools CMD...: skip the script when a tool is missing.
vdt_require_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || vdt_skip_all "$t not installed"
	done
}

# vdt_require_daemon: skip when the binaries are not built.
vdt_require_daemon() {
	[ -x "$VELODNS" ] || vdt_skip_all "velodns not built ($VELODNS)"
	[ -x "$VELOCTL" ] || vdt_skip_all "veloctl not built ($VELOCTL)"
}

# ---- cleanup ----

vdt_cleanup() {
	local rc=$? p
	trap - EXIT INT TERM HUP
	# Writing TAP to a reader that went away must not stop the cleanup.
	trap '' PIPE
	vdt_daemon_kill
	for p in "${VDT_PIDS[@]}"; do
		vdt_pid_kill "$p"
	done
	vdt_topo_destroy
	vdt_hugepages_restore
	# Points the script planned but never reached (it died or bailed out) fail.
	if [ "$VDT_DONE" -eq 0 ] && [ "$VDT_PLANNED" -gt 0 ]; then
		{
			while [ "$VDT_N" -lt "$VDT_PLANNED" ]; do
				VDT_N=$((VDT_N + 1))
				VDT_FAILED=$((VDT_FAILED + 1))
				echo "not ok $VDT_N - not run: script ended early (exit $rc)"
			done
			[ -n "$VDT_LOG" ] && [ -s "$VDT_LOG" ] && vdt_diag "velodns log:" &&
				vdt_diag "$(tail -n 30 "$VDT_LOG")"
		} 2>/dev/null
	fi
	if [ -n "$VDT_TMP" ] && [ -d "$VDT_TMP" ]; then
		if [ "${VDT_KEEP:-0}" = 1 ]; then
			echo "# kept $VDT_TMP" >&2
		else
			rm -rf "$VDT_TMP"
		fi
	fi
	if [ "$VDT_FAILED" -gt 0 ] || { [ "$VDT_PLANNED" -gt 0 ] && [ "$VDT_N" -ne "$VDT_PLANNED" ]; }; then
		exit 1
	fi
	exit "$rc"
}

# vdt_init: temp dir and the trap. Call first in every test.
vdt_init() {
	VDT_TMP=$(mktemp -d /tmp/vdt.XXXXXX) || exit 1
	VDT_SOCK=$VDT_TMP/ctl.sock
	VDT_CONF=$VDT_TMP/velodns.conf
	VDT_LOG=$VDT_TMP/velodns.log
	trap vdt_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	trap 'exit 141' PIPE
}

# vdt_finish: end of a test script: the exit status tells whether all passed.
vdt_finish() {
	VDT_DONE=1
	exit 0
}

# vdt_pid_kill PID: SIGTERM one process we started, wait up to 5 s, then SIGKILL.
vdt_pid_kill() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# ---- hugepages ----

# vdt_hugepages_reserve N: reserve N more default-size (2 MiB) pages; the trap gives
# back exactly what was added. Adding and subtracting (rather than setting and
# restoring a saved value) stays right when another run on the machine does the same
# at the same time. Returns 1 if the kernel could not give all N.
vdt_hugepages_reserve() {
	local want=$1 before after
	before=$(cat /proc/sys/vm/nr_hugepages)
	echo $((before + want)) >/proc/sys/vm/nr_hugepages
	after=$(cat /proc/sys/vm/nr_hugepages)
	VDT_HP_ADDED=$((VDT_HP_ADDED + after - before))
	[ $((after - before)) -ge "$want" ]
}

vdt_hugepages_restore() {
	local cur new
	if [ "$VDT_HP_ADDED" -gt 0 ]; then
		cur=$(cat /proc/sys/vm/nr_hugepages)
		new=$((cur - VDT_HP_ADDED))
		[ "$new" -lt 0 ] && new=0
		echo "$new" >/proc/sys/vm/nr_hugepages 2>/dev/null
		VDT_HP_ADDED=0
	fi
}

# vdt_meminfo KEY: a /proc/meminfo value (e.g. HugePages_Free).
vdt_meminfo() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# vdt_srv_udp_in: UDP datagrams the server namespace's kernel received (to a socket
# or not): 0 as long as every query went to velodns's worker.
# shellcheck disable=SC2016 # awk programs
vdt_srv_udp_in() {
	ip netns exec "$VDT_NS_SRV" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $2 + $3 + $4; exit }' \
		/proc/net/snmp
}
# shellcheck disable=SC2016
vdt_srv_udp6_in() {
	ip netns exec "$VDT_NS_SRV" awk '$1 == "Udp6InDatagrams" || $1 == "Udp6NoPorts" ||
		$1 == "Udp6InErrors" { n += $2 } END { print n + 0 }' /proc/net/snmp6
}

# ---- topology ----

vdt_if_srv() { echo "vd${1}s$$"; }
vdt_if_cli() { echo "vd${1}c$$"; }
vdt_addr4_srv() { echo "198.18.$1.2"; }
vdt_addr4_cli() { echo "198.18.$1.1"; }
vdt_addr6_srv() { if [ "$1" -eq 0 ]; then echo "2001:db8::53"; else echo "2001:db8:0:$1::53"; fi; }
vdt_addr6_cli() { if [ "$1" -eq 0 ]; then echo "2001:db8::1"; else echo "2001:db8:0:$1::1"; fi; }
# Client addresses outside the default ACL (loopback + the service subnets).
VDT_OUTSIDE4=198.19.7.1
VDT_OUTSIDE6=2001:db8:ff::1

vdt_srv() { ip netns exec "$VDT_NS_SRV" "$@"; }
vdt_cli() { ip netns exec "$VDT_NS_CLI" "$@"; }

# _vdt_do CMD...: run a setup command; on failure say which and return 1.
_vdt_do() {
	local out
	if ! out=$("$@" 2>&1); then
		vdt_diag "setup failed: $*: $out"
		return 1
	fi
}

# vdt_tc_drop_all IF: drop every frame at tc ingress of IF (server namespace).
# matchall + gact where the kernel has them; else (this machine's kernel has neither
# CONFIG_NET_CLS_MATCHALL nor CONFIG_NET_ACT_GACT) a classic-BPF cls_bpf filter in
# direct-action mode whose one instruction returns TC_ACT_SHOT (2).
vdt_tc_drop_all() {
	ip netns exec "$VDT_NS_SRV" tc filter add dev "$1" ingress matchall action drop \
		2>/dev/null && return 0
	_vdt_do ip netns exec "$VDT_NS_SRV" tc filter add dev "$1" ingress bpf da \
		bytecode '1,6 0 0 2'
}

# vdt_ping ADDR: two ICMP(v6) echoes from the client namespace, 1 s each (ping.py,
# so iputils-ping is not needed).
vdt_ping() {
	vdt_cli timeout 10 "$VDT_PY" "$VDT_TOP/tests/integration/ping.py" "$1" 2 1 2>&1
}

# vdt_topo_create MODE NPORTS: namespaces and NPORTS veth pairs for MODE (af_xdp|full).
vdt_topo_create() {
	local mode=$1 n=$2 i s c
	VDT_MODE=$mode
	VDT_NPORTS=$n
	VDT_TOPO=1
	_vdt_do ip netns add "$VDT_NS_SRV" || return 1
	_vdt_do ip netns add "$VDT_NS_CLI" || return 1
	for ns in "$VDT_NS_SRV" "$VDT_NS_CLI"; do
		_vdt_do ip -n "$ns" link set lo up || return 1
		# No DAD: addresses (ours, and those velodns gives its TAP) work at once.
		_vdt_do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 || return 1
	done
	for ((i = 0; i < n; i++)); do
		s=$(vdt_if_srv "$i")
		c=$(vdt_if_cli "$i")
		_vdt_do ip link add name "$s" netns "$VDT_NS_SRV" type veth \
			peer name "$c" netns "$VDT_NS_CLI" || return 1
		# A veth sender leaves partial UDP checksums; XDP/af_packet pass the raw
		# frame on and every reply would then fail the client's checksum check.
		_vdt_do ip netns exec "$VDT_NS_CLI" ethtool -K "$c" tx off || return 1
		_vdt_do ip -n "$VDT_NS_CLI" addr add "$(vdt_addr4_cli "$i")/24" dev "$c" || return 1
		_vdt_do ip -n "$VDT_NS_CLI" addr add "$(vdt_addr6_cli "$i")/64" dev "$c" nodad || return 1
		if [ "$i" -eq 0 ]; then
			_vdt_do ip -n "$VDT_NS_CLI" addr add "$VDT_OUTSIDE4/24" dev "$c" || return 1
			_vdt_do ip -n "$VDT_NS_CLI" addr add "$VDT_OUTSIDE6/64" dev "$c" nodad || return 1
		fi
		_vdt_do ip -n "$VDT_NS_CLI" link set "$c" up || return 1
		if [ "$mode" = af_xdp ]; then
			_vdt_do ip -n "$VDT_NS_SRV" addr add "$(vdt_addr4_srv "$i")/24" dev "$s" || return 1
			_vdt_do ip -n "$VDT_NS_SRV" addr add "$(vdt_addr6_srv "$i")/64" dev "$s" nodad ||
				return 1
		else
			# The kernel must not process frames on the DPDK side: no addresses,
			# no IPv6 (not even link-local), and drop at tc ingress (af_packet
			# sees the frames before that, so velodns still gets them).
			_vdt_do ip netns exec "$VDT_NS_SRV" sysctl -qw "net.ipv6.conf.$s.disable_ipv6=1" ||
				return 1
			_vdt_do ip -n "$VDT_NS_SRV" addr flush dev "$s" || return 1
			_vdt_do ip netns exec "$VDT_NS_SRV" tc qdisc add dev "$s" clsact || return 1
			vdt_tc_drop_all "$s" || return 1
		fi
		_vdt_do ip -n "$VDT_NS_SRV" link set "$s" up || return 1
	done
	return 0
}

# vdt_topo_destroy: delete both namespaces (their veths and velodns's TAPs go with them).
vdt_topo_destroy() {
	[ "$VDT_TOPO" -eq 1 ] || return 0
	local ns
	for ns in "$VDT_NS_SRV" "$VDT_NS_CLI"; do
		if ip netns list 2>/dev/null | grep -qw "^$ns"; then
			ip netns del "$ns" 2>/dev/null
		fi
	done
	# The veths and velodns's TAPs live only in these namespaces: nothing to
	# delete in the root namespace.
	VDT_TOPO=0
	return 0
}

# vdt_topo_gone: 0 when neither namespace is listed any more.
vdt_topo_gone() {
	! ip netns list 2>/dev/null | grep -Eq "^($VDT_NS_SRV|$VDT_NS_CLI)( |\$)"
}

# ---- configuration ----

# Local data every test serves; checks compare answers with these exactly.
VDT_BIG_N=15   # TXT records of big.example.test: > 512 octets, < 1232
VDT_HUGE_N=40  # TXT records of huge.example.test: > 1232 octets
vdt_txt() { printf '%s-%02d-%s' "$1" "$2" "abcdefghijklmnopqrstuvwxyz0123456789"; }

vdt_local_yaml() {
	local i
	cat <<-'EOF'
	local-zones:
	  - { name: example.test., type: static }
	  - { name: blocked.test., type: refuse }
	local-data:
	  - "example.test. 3600 IN SOA ns.example.test. hostmaster.example.test. 2024010101 3600 900 604800 300"
	  - "example.test. 3600 IN NS ns.example.test."
	  - "example.test. 300 IN MX 10 mail.example.test."
	  - "ns.example.test. 3600 IN A 198.18.100.2"
	  - "www.example.test. 300 IN A 198.18.100.10"
	  - "www.example.test. 300 IN A 198.18.100.11"
	  - "www.example.test. 300 IN AAAA 2001:db8:100::10"
	  - "mail.example.test. 300 IN A 198.18.100.25"
	  - "mail.example.test. 300 IN AAAA 2001:db8:100::25"
	  - "web.example.test. 300 IN CNAME www.example.test."
	  - 'txt.example.test. 300 IN TXT "hello world"'
	  - "ok.blocked.test. 300 IN A 198.18.100.99"
	EOF
	for ((i = 0; i < VDT_BIG_N; i++)); do
		printf '  - '\''big.example.test. 300 IN TXT "%s"'\''\n' "$(vdt_txt big "$i")"
	done
	for ((i = 0; i < VDT_HUGE_N; i++)); do
		printf '  - '\''huge.example.test. 300 IN TXT "%s"'\''\n' "$(vdt_txt huge "$i")"
	done
}

# vdt_write_config [LCORES] [HUGEPAGES]: $VDT_CONF for the topology that exists.
# LCORES is a YAML list ("[1]"); HUGEPAGES true|false (false: --no-huge, 512M).
# $VDT_EXTRA_YAML, if set, is appended (e.g. an acl: section); $VDT_CPUS, if set, is
# workers.cpus (a YAML list mapping the lcores onto CPUs).
vdt_write_config() {
	local lcores=${1:-[1]} huge=${2:-false} i
	{
		echo "# written by tests/integration/lib.sh for test $0"
		echo "server:"
		echo "  log-level: info"
		echo "  control-socket: $VDT_SOCK"
		echo "  service-addresses:"
		for ((i = 0; i < VDT_NPORTS; i++)); do
			echo "    - $(vdt_addr4_srv "$i")/24"
			echo "    - \"$(vdt_addr6_srv "$i")/64\""
		done
		echo "eal:"
		echo "  hugepages: $huge"
		echo "  memory: 512M"
		echo "ports:"
		for ((i = 0; i < VDT_NPORTS; i++)); do
			echo "  - name: dp$i"
			echo "    mode: $VDT_MODE"
			echo "    interface: $(vdt_if_srv "$i")"
		done
		echo "workers:"
		echo "  lcores: $lcores"
		echo "  control-lcore: 0"
		[ -n "${VDT_CPUS:-}" ] && echo "  cpus: $VDT_CPUS"
		echo "cache:"
		echo "  memory-per-worker: 32M"
		vdt_local_yaml
		[ -n "${VDT_EXTRA_YAML:-}" ] && printf '%s\n' "$VDT_EXTRA_YAML"
	} >"$VDT_CONF"
}

# ---- the daemon ----

vdt_ctl() {
	timeout 15 "$VELOCTL" -s "$VDT_SOCK" --timeout 5 "$@"
}

# vdt_daemon_start [TIMEOUT_S]: start velodns in the server namespace and wait until
# veloctl status answers. Returns 1 (log shown) if it exits or does not come up.
vdt_daemon_start() {
	local limit=${1:-20} t0=$SECONDS
	: >"$VDT_LOG"
	ip netns exec "$VDT_NS_SRV" "$VELODNS" -c "$VDT_CONF" >>"$VDT_LOG" 2>&1 &
	VDT_DAEMON_PID=$!
	VDT_DAEMON_RC=
	while ((SECONDS - t0 < limit)); do
		if ! kill -0 "$VDT_DAEMON_PID" 2>/dev/null; then
			wait "$VDT_DAEMON_PID"
			VDT_DAEMON_RC=$?
			VDT_DAEMON_PID=
			vdt_diag "velodns exited with $VDT_DAEMON_RC during start-up; log:"
			vdt_diag "$(tail -n 40 "$VDT_LOG")"
			return 1
		fi
		if [ -S "$VDT_SOCK" ] && vdt_ctl status >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	vdt_diag "velodns not ready after ${limit}s; log:"
	vdt_diag "$(tail -n 40 "$VDT_LOG")"
	return 1
}

# vdt_daemon_alive: 0 while our velodns runs.
vdt_daemon_alive() {
	[ -n "$VDT_DAEMON_PID" ] && kill -0 "$VDT_DAEMON_PID" 2>/dev/null
}

# vdt_daemon_stop [TIMEOUT_S]: SIGTERM, wait bounded; VDT_DAEMON_RC gets its exit
# status (or "timeout", after which it is killed). Returns 0 on a clean exit 0.
vdt_daemon_stop() {
	local limit=${1:-10} i
	[ -n "$VDT_DAEMON_PID" ] || return 1
	kill -TERM "$VDT_DAEMON_PID" 2>/dev/null
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$VDT_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$VDT_DAEMON_PID" 2>/dev/null; then
		kill -KILL "$VDT_DAEMON_PID" 2>/dev/null
		wait "$VDT_DAEMON_PID" 2>/dev/null
		VDT_DAEMON_RC=timeout
		VDT_DAEMON_PID=
		return 1
	fi
	wait "$VDT_DAEMON_PID"
	VDT_DAEMON_RC=$?
	VDT_DAEMON_PID=
	[ "$VDT_DAEMON_RC" = 0 ]
}

vdt_daemon_kill() {
	if [ -n "$VDT_DAEMON_PID" ]; then
		vdt_pid_kill "$VDT_DAEMON_PID"
		VDT_DAEMON_PID=
	fi
}

# vdt_stats_json: veloctl --json stats on stdout.
vdt_stats_json() {
	vdt_ctl --json stats
}

# vdt_json EXPR: evaluate a Python expression over the JSON on stdin (as j).
vdt_json() {
	"$VDT_PY" -c 'import json,sys
j = json.load(sys.stdin)
v = eval(sys.argv[1])
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)' "$1"
}

# ---- dig from the client namespace ----

# vdt_dig ARGS...: dig run in the client namespace, bounded (1 s per try, 2 tries).
vdt_dig() {
	ip netns exec "$VDT_NS_CLI" timeout 15 dig +time=1 +tries=2 "$@" 2>&1
}

# Fields of a dig output (the text on stdin).
vdt_status() { sed -nE 's/.*status: ([A-Z0-9]+),.*/\1/p' | head -n 1; }
vdt_flags() { sed -nE 's/^;; flags: ([a-z ]*);.*/\1/p' | head -n 1; }
vdt_udp_size() { sed -nE 's/^; EDNS: version: [0-9]+, flags:.*; udp: ([0-9]+).*/\1/p' | head -n 1; }
# vdt_section NAME: the records of one section (ANSWER, AUTHORITY, ADDITIONAL),
# whitespace collapsed, TTL dropped, sorted: "owner class type rdata".
vdt_section() {
	awk -v want=";; $1 SECTION:" '
		$0 == want { on = 1; next }
		/^;; [A-Z]+ SECTION:/ || /^$/ { on = 0 }
		on && !/^;/ { $2 = ""; $0 = $0; $1 = $1; print }' | LC_ALL=C sort
}
# vdt_section_ttls NAME: the TTLs of one section, one per line.
vdt_section_ttls() {
	awk -v want=";; $1 SECTION:" '
		$0 == want { on = 1; next }
		/^;; [A-Z]+ SECTION:/ || /^$/ { on = 0 }
		on && !/^;/ { print $2 }'
}

# vdt_wait_answer SERVER [TIMEOUT_S]: poll (bounded) until SERVER answers www A.
vdt_wait_answer() {
	local server=$1 limit=${2:-10} t0=$SECONDS
	while ((SECONDS - t0 < limit)); do
		if vdt_dig @"$server" +time=1 +tries=1 www.example.test A | grep -q 'status: NOERROR'; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# ---- the query suite both port modes run ----

# vdt_q DESC WANT_STATUS WANT_ANSWER DIG_ARGS...: status and answer section, exactly.
vdt_q() {
	local desc=$1 want_status=$2 want_answer=$3 out
	shift 3
	out=$(vdt_dig "$@")
	vdt_is "$desc" "$(vdt_status <<<"$out")
$(vdt_section ANSWER <<<"$out")" "$want_status
$want_answer"
}

# The answers the local data above gives (sorted as vdt_section sorts).
vdt_want_txt() {
	local i
	for ((i = 0; i < $2; i++)); do
		printf '%s.example.test. IN TXT "%s"\n' "$1" "$(vdt_txt "$1" "$i")"
	done | LC_ALL=C sort
}
VDT_WANT_WWW_A="www.example.test. IN A 198.18.100.10
www.example.test. IN A 198.18.100.11"
VDT_WANT_SOA="example.test. IN SOA ns.example.test. hostmaster.example.test. 2024010101 3600 900 604800 300"

# shellcheck disable=SC2034 # used by the test scripts
VDT_QUERY_SUITE_N=37

# vdt_query_suite: VDT_QUERY_SUITE_N test points against port 0 of a running daemon.
vdt_query_suite() {
	local s4 s6 out i want ttls bad before after
	s4=$(vdt_addr4_srv 0)
	s6=$(vdt_addr6_srv 0)

	# Answers from local data, over IPv4 and IPv6. The first query of a name is a
	# miss answered by the control thread; repeats are hits from the worker's cache.
	vdt_q "IPv4: www A (miss path)" NOERROR "$VDT_WANT_WWW_A" @"$s4" www.example.test A
	vdt_q "IPv6: www AAAA" NOERROR "www.example.test. IN AAAA 2001:db8:100::10" \
		@"$s6" www.example.test AAAA
	vdt_q "IPv6: www A" NOERROR "$VDT_WANT_WWW_A" @"$s6" www.example.test A
	bad=
	for ((i = 0; i < 5; i++)); do
		out=$(vdt_dig @"$s4" www.example.test A)
		want="NOERROR
$VDT_WANT_WWW_A"
		[ "$(vdt_status <<<"$out")
$(vdt_section ANSWER <<<"$out")" = "$want" ] || bad="$bad
$out"
	done
	vdt_ok "$([ -z "$bad" ] && echo 0 || echo 1)" "IPv4: www A five times (hit path)" "$bad"
	vdt_q "CNAME followed through local data" NOERROR "web.example.test. IN CNAME www.example.test.
$VDT_WANT_WWW_A" @"$s4" web.example.test A
	out=$(vdt_dig @"$s4" example.test MX)
	vdt_is "MX with the target's addresses in additional" "$(vdt_status <<<"$out")
$(vdt_section ANSWER <<<"$out")
$(vdt_section ADDITIONAL <<<"$out")" "NOERROR
example.test. IN MX 10 mail.example.test.
mail.example.test. IN A 198.18.100.25
mail.example.test. IN AAAA 2001:db8:100::25"
	vdt_q "TXT" NOERROR 'txt.example.test. IN TXT "hello world"' @"$s4" txt.example.test TXT
	out=$(vdt_dig @"$s4" nope.example.test A)
	vdt_is "IPv4: NXDOMAIN under a static zone, SOA in authority" "$(vdt_status <<<"$out")
$(vdt_section ANSWER <<<"$out")
$(vdt_section AUTHORITY <<<"$out")" "NXDOMAIN

$VDT_WANT_SOA"
	vdt_q "IPv6: NXDOMAIN" NXDOMAIN "" @"$s6" nope.example.test AAAA
	out=$(vdt_dig @"$s4" www.example.test MX)
	vdt_is "NODATA: NOERROR, no answer, SOA in authority" "$(vdt_status <<<"$out")
$(vdt_section ANSWER <<<"$out")
$(vdt_section AUTHORITY <<<"$out")" "NOERROR

$VDT_WANT_SOA"
	vdt_q "refuse zone: unknown name REFUSED" REFUSED "" @"$s4" x.blocked.test A
	vdt_q "refuse zone: local data still answered" NOERROR \
		"ok.blocked.test. IN A 198.18.100.99" @"$s4" ok.blocked.test A
	# Until the resolver exists, a name outside local data is REFUSED.
	vdt_q "name outside local data: REFUSED" REFUSED "" @"$s4" www.elsewhere.test A
	out=$(vdt_dig @"$s4" www.example.test A)
	vdt_like "AA set on local answers" "$(vdt_flags <<<"$out")" '(^| )aa( |$)'
	ttls=$(vdt_section_ttls ANSWER <<<"$out" | sort -u | tr '\n' ' ')
	vdt_like "TTL counts down from 300, not beyond" "$ttls" '^(29[0-9]|300) $'
	out=$(vdt_dig @"$s4" WwW.ExAmPlE.TeSt A)
	vdt_like "question case echoed (0x20)" "$out" $'^;WwW\\.ExAmPlE\\.TeSt\\.[[:space:]]+IN[[:space:]]+A$'

	# EDNS.
	out=$(vdt_dig @"$s4" www.example.test A)
	vdt_is "EDNS query: OPT in reply, udp 1232" "$(vdt_udp_size <<<"$out")" 1232
	out=$(vdt_dig @"$s4" +noedns www.example.test A)
	vdt_unlike "no EDNS in query: no OPT in reply" "$out" 'OPT PSEUDOSECTION'
	out=$(vdt_dig @"$s4" +edns=0 +bufsize=4096 www.example.test A)
	vdt_is "EDNS 4096 asked: server offers its max-udp-size 1232" "$(vdt_udp_size <<<"$out")" 1232
	out=$(vdt_dig @"$s4" +edns=1 +noednsnegotiation www.example.test A)
	vdt_is "EDNS version 1: BADVERS" "$(vdt_status <<<"$out")" BADVERS
	out=$(vdt_dig @"$s4" +edns=0 +bufsize=512 +ignore big.example.test TXT)
	vdt_like "EDNS 512 and an 870-octet answer: TC" "$(vdt_flags <<<"$out")" '(^| )tc( |$)'

	# Truncation and the TCP retry.
	out=$(vdt_dig @"$s4" +noedns +ignore big.example.test TXT)
	vdt_like "no EDNS, answer > 512: TC over UDP" "$(vdt_flags <<<"$out")" '(^| )tc( |$)'
	out=$(vdt_dig @"$s4" +noedns big.example.test TXT)
	vdt_is "no EDNS: dig retries over TCP and gets all $VDT_BIG_N records" \
		"$(grep -c 'Truncated, retrying in TCP mode' <<<"$out")
$(vdt_section ANSWER <<<"$out")" "1
$(vdt_want_txt big "$VDT_BIG_N")"
	out=$(vdt_dig @"$s4" big.example.test TXT)
	vdt_is "EDNS 1232: the 870-octet answer fits in UDP" \
		"$(vdt_flags <<<"$out" | grep -c tc)
$(grep -c 'retrying in TCP' <<<"$out")
$(vdt_section ANSWER <<<"$out")" "0
0
$(vdt_want_txt big "$VDT_BIG_N")"
	out=$(vdt_dig @"$s4" +ignore huge.example.test TXT)
	vdt_like "EDNS 1232, answer > 1232: TC" "$(vdt_flags <<<"$out")" '(^| )tc( |$)'
	out=$(vdt_dig @"$s4" huge.example.test TXT)
	vdt_is "EDNS 1232: TCP retry gets all $VDT_HUGE_N records" \
		"$(grep -c 'Truncated, retrying in TCP mode' <<<"$out")
$(vdt_section ANSWER <<<"$out")" "1
$(vdt_want_txt huge "$VDT_HUGE_N")"
	out=$(vdt_dig @"$s6" +noedns +ignore big.example.test TXT)
	vdt_like "IPv6: no EDNS, answer > 512: TC" "$(vdt_flags <<<"$out")" '(^| )tc( |$)'

	# DNS over TCP, answered by the control thread's kernel listener.
	vdt_q "TCP over IPv4: www A" NOERROR "$VDT_WANT_WWW_A" @"$s4" +tcp www.example.test A
	vdt_q "TCP over IPv6: www AAAA" NOERROR "www.example.test. IN AAAA 2001:db8:100::10" \
		@"$s6" +tcp www.example.test AAAA
	vdt_q "TCP: NXDOMAIN" NXDOMAIN "" @"$s4" +tcp nope.example.test A

	# Load distribution: the order of www's two A records changes from answer to
	# answer, over TCP (control thread) and for UDP hits (worker cache).
	for proto in +tcp +notcp; do
		out=$(for i in 1 2 3 4; do
			vdt_dig @"$s4" "$proto" +short www.example.test A | head -n 1
		done | LC_ALL=C sort -u | tr '\n' ' ')
		vdt_is "rotation ($proto): both A records come first in four answers" "$out" \
			"198.18.100.10 198.18.100.11 "
	done

	out=$(vdt_dig @"$s4" +dnssec www.example.test A)
	vdt_is "DO bit echoed in the reply's OPT, same answer" "$(vdt_udp_size <<<"$out") $(
		grep -Ec '^; EDNS: version: 0, flags: do;' <<<"$out")
$(vdt_section ANSWER <<<"$out")" "1232 1
$VDT_WANT_WWW_A"
	before=$(vdt_stats_json)
	out=$(vdt_dig @"$s4" +tcp +keepopen www.example.test A mail.example.test A txt.example.test TXT)
	after=$(vdt_stats_json)
	vdt_is "TCP: three queries on one connection (RFC 7766), all answered" "$(
		grep -c 'status: NOERROR' <<<"$out") $(
		vdt_json 'j["control"]["tcp_accepted"]' <<<"$after") $(
		vdt_json 'j["control"]["tcp_queries"]' <<<"$after")" "3 $(($(
		vdt_json 'j["control"]["tcp_accepted"]' <<<"$before") + 1)) $(($(
		vdt_json 'j["control"]["tcp_queries"]' <<<"$before") + 3))"
	if command -v kdig >/dev/null; then
		out=$(vdt_cli timeout 10 kdig @"$s6" +timeout=1 +retry=1 www.example.test A 2>&1)
		vdt_is "kdig (a second client) over IPv6 agrees" "$(sed -nE 's/.*status: ([A-Z]+);.*/\1/p' <<<"$out")
$(awk '/^;; ANSWER SECTION:/ { on = 1; next } /^;;/ || /^$/ { on = 0 }
	on { $2 = ""; $0 = $0; $1 = $1; print }' <<<"$out" | LC_ALL=C sort)" "NOERROR
$VDT_WANT_WWW_A"
	else
		vdt_skip "kdig (a second client) over IPv6 agrees" "kdig not installed"
	fi

	# ACL: the default allows loopback and the service subnets only.
	vdt_q "ACL: IPv4 client outside the service subnet REFUSED" REFUSED "" \
		@"$s4" -b "$VDT_OUTSIDE4" www.example.test A
	vdt_q "ACL: IPv6 client outside the service subnet REFUSED" REFUSED "" \
		@"$s6" -b "$VDT_OUTSIDE6" www.example.test A
}
