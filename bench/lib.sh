# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# What the server comparisons (dnsperf-compare.sh, resolve-compare.sh) share:
# messages, argument checks, the server and client namespaces joined by a veth,
# and starting/stopping the one server under test. Source it after setting
# BENCH_NAME; the script defines cleanup() (it must call stop_server) and sets
# NS_SRV, NS_CLI, IF_SRV, IF_CLI, ADDR, CLI_ADDR, TMP, VELODNS, VELOCTL, UNBOUND.

SERVER_PID=

log() { printf '%s: %s\n' "$BENCH_NAME" "$*" >&2; }
die() { log "$*"; exit 1; }

# bench_numbers V...: exit 2 unless every V is a whole number.
bench_numbers() {
	local v
	for v in "$@"; do
		case "$v" in '' | *[!0-9]*) echo "$BENCH_NAME: not a number: $v" >&2; exit 2 ;; esac
	done
}

# in_range OPTION VALUE MIN MAX: exit 2 unless MIN <= VALUE <= MAX.
in_range() {
	if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		echo "$BENCH_NAME: $1 must be $3..$4" >&2
		exit 2
	fi
}

# bench_run_all: $RUNS runs per server in $SERVERS, alternating (velodns, unbound,
# velodns, ...), each by the script's run_one SERVER RUN, which prints one JSON line;
# the lines go to $TMP/runs.jsonl. Sets LOAD_START and busy (other processes over 20 %
# of a CPU at the start: they disturb both servers) for the report.
bench_run_all() {
	local order=() r i which line
	for ((i = 1; i <= RUNS; i++)); do
		want velodns && order+=("velodns:$i")
		want unbound && order+=("unbound:$i")
	done
	# shellcheck disable=SC2034 # read by the script's report
	LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	busy=$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 > 20 { printf "%s(%s%%) ", $2, $1 }')
	[ -n "$busy" ] && log "warning: machine not idle, busy now: $busy"
	: >"$TMP/runs.jsonl"
	for r in "${order[@]}"; do
		which=${r%:*}
		i=${r#*:}
		log "run $i: $which"
		line=$(run_one "$which" "$i") || die "run $i of $which failed"
		echo "$line" >>"$TMP/runs.jsonl"
	done
}

# want SERVER: is SERVER in the comma-separated $SERVERS?
want() { case ",$SERVERS," in *",$1,"*) return 0 ;; esac; return 1; }

# bench_require WHY TOOL...: root, and every TOOL on the PATH.
bench_require() {
	local why=$1 t
	shift
	[ "$(id -u)" -eq 0 ] || die "needs root ($why): sudo $0"
	for t in "$@"; do
		command -v "$t" >/dev/null || die "$t not installed (deploy/install-deps.sh)"
	done
}

# stop_server: SIGTERM the server started last, SIGKILL after 10 s, reap it.
stop_server() {
	local i
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}

# bench_traps: cleanup() on exit, and exit (so cleanup runs) on the usual signals.
bench_traps() {
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# bench_veth: $IF_SRV ($ADDR/24) in the existing $NS_SRV, $IF_CLI ($CLI_ADDR/24) in a
# new $NS_CLI, both up; neither namespace may have a default route.
bench_veth() {
	ip netns add "$NS_CLI" || die "ip netns add $NS_CLI failed"
	ip link add name "$IF_SRV" netns "$NS_SRV" type veth peer name "$IF_CLI" netns "$NS_CLI" ||
		die "veth failed"
	ip -n "$NS_SRV" link set lo up
	ip -n "$NS_CLI" link set lo up
	ip -n "$NS_SRV" addr add "$ADDR/24" dev "$IF_SRV"
	ip -n "$NS_CLI" addr add "$CLI_ADDR/24" dev "$IF_CLI"
	# Partial checksums from a veth sender break every reply that AF_XDP turns around.
	ip netns exec "$NS_CLI" ethtool -K "$IF_CLI" tx off >/dev/null || die "ethtool -K tx off failed"
	ip -n "$NS_SRV" link set "$IF_SRV" up
	ip -n "$NS_CLI" link set "$IF_CLI" up
	[ -z "$(ip -n "$NS_SRV" route show default)" ] || die "server namespace has a default route"
	[ -z "$(ip -n "$NS_CLI" route show default)" ] || die "client namespace has a default route"
}

# bench_start SERVER LOG: start velodns ($TMP/velodns.conf; waits up to 30 s for its
# control socket) or Unbound ($TMP/unbound.conf, pinned to CPU 1) in $NS_SRV, output
# to LOG; SERVER_PID is set. The caller then waits for it to answer.
bench_start() {
	local which=$1 out=$2 t0=$SECONDS
	if [ "$which" = velodns ]; then
		ip netns exec "$NS_SRV" "$VELODNS" -c "$TMP/velodns.conf" >"$out" 2>&1 &
		SERVER_PID=$!
		while ((SECONDS - t0 < 30)); do
			timeout 5 "$VELOCTL" -s "$TMP/ctl.sock" status >/dev/null 2>&1 && break
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.2
		done
	else
		ip netns exec "$NS_SRV" taskset -c 1 "$UNBOUND" -d -c "$TMP/unbound.conf" >"$out" 2>&1 &
		SERVER_PID=$!
	fi
}
