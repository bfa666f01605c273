# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Helpers sourced by tests/hierarchy/check*.sh: the private hierarchy (start.sh) in a
# namespace, Unbound as the reference resolver, and velodns (AF_XDP on a veth) resolving
# through it, asked from a client namespace. Builds on tests/integration/lib.sh (TAP,
# the two-namespace veth topology, velodns's configuration, start and stop, cleanup):
#
#   netns vdt-srv-$$: NSD + tinyauth.py on 127.0.0.x (start.sh), velodns on the veth
#                     (198.18.0.2:53 through AF_XDP), Unbound on 198.18.0.2:5353 (the
#                     XDP program passes anything but port 53 to the kernel) and, for
#                     scripts run inside the namespace, 127.0.0.53:53
#   netns vdt-cli-$$: the client (dig, check.py, check_diff.py); no default route either
#
# Cleanup (always, by the trap): the hierarchy's servers (stop.sh, only the PIDs it
# recorded), Unbound and velodns (only the PIDs started here), then the namespaces and
# the temporary directory (tests/integration/lib.sh).

HIER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../integration/lib.sh
. "$HIER_DIR/../integration/lib.sh"
# shellcheck source=unbound-conf.sh
. "$HIER_DIR/unbound-conf.sh"

HIER_OUT=       # start.sh's OUTDIR: zones, root.hints, hierarchy.json, run/
HIER_UB_PID=
HIER_UB_CONF=
HIER_UB_LOG=
# Read by the scripts that source this file:
# shellcheck disable=SC2034
HIER_UB_ADDR=198.18.0.2 # Unbound for the client namespace, beside velodns
# shellcheck disable=SC2034
HIER_UB_PORT=5353
# shellcheck disable=SC2034
HIER_VD_ADDR=198.18.0.2 # velodns (vdt_addr4_srv 0)

hier_cleanup() {
	local rc=$?
	trap - EXIT
	[ -n "$HIER_OUT" ] && [ -d "$HIER_OUT" ] && "$HIER_DIR/stop.sh" "$HIER_OUT" >/dev/null 2>&1
	# vdt_cleanup reads the script's status from $?: hand it on.
	(exit "$rc")
	vdt_cleanup
}

# hier_init: temporary directory and the trap (call first).
hier_init() {
	vdt_init
	trap hier_cleanup EXIT
}

# hier_fail DESC [FILE]: the one test point of a script that could not set up; exits.
hier_fail() {
	[ "$VDT_PLANNED" -gt 0 ] || vdt_plan 1
	vdt_ok 1 "$1" "$([ -n "${2:-}" ] && [ -f "$2" ] && tail -n 40 "$2")"
	exit 1
}

# hier_require: skip the script unless root and the tools (and binaries) are there.
# hier_require velodns|unbound...: what the script needs besides NSD, dig and ip.
hier_require() {
	local what
	vdt_require_root
	vdt_require_tools nsd dig ip
	for what in "$@"; do
		case "$what" in
		velodns) vdt_require_tools ethtool; vdt_require_daemon ;;
		unbound) vdt_require_tools unbound unbound-checkconf ;;
		esac
	done
}

# hier_start NETNS: start.sh into an existing namespace (no default route). The python
# servers end by themselves after 10 minutes, even if this script is killed.
hier_start() {
	HIER_OUT=$VDT_TMP/h
	HIER_LIFETIME=${HIER_LIFETIME:-600} "$HIER_DIR/start.sh" "$1" "$HIER_OUT" \
		>"$VDT_TMP/start.log" 2>&1
}

# hier_unbound_start NETNS ADDR@PORT...: Unbound in NETNS listening on each address,
# with the private root's hints only; waits (bounded) until it answers ". NS".
hier_unbound_start() {
	local ns=$1 first t0=$SECONDS
	shift
	HIER_UB_CONF=$VDT_TMP/unbound.conf
	HIER_UB_LOG=$VDT_TMP/unbound.log
	first=$1
	hier_unbound_conf "$VDT_TMP" "$HIER_OUT/root.hints" "$@" >"$HIER_UB_CONF"
	unbound-checkconf "$HIER_UB_CONF" >"$VDT_TMP/checkconf.log" 2>&1 || {
		cat "$VDT_TMP/checkconf.log" >>"$HIER_UB_LOG"
		return 1
	}
	ip netns exec "$ns" unbound -d -c "$HIER_UB_CONF" >"$VDT_TMP/unbound.stderr" 2>&1 &
	HIER_UB_PID=$!
	VDT_PIDS+=("$HIER_UB_PID")
	while ((SECONDS - t0 < 10)); do
		ip netns exec "$ns" dig +time=1 +tries=1 -p "${first#*@}" @"${first%@*}" . NS \
			2>/dev/null | grep -q 'status: NOERROR' && return 0
		kill -0 "$HIER_UB_PID" 2>/dev/null || break
		sleep 0.2
	done
	cat "$VDT_TMP/unbound.stderr" >>"$HIER_UB_LOG" 2>/dev/null
	return 1
}

# hier_velodns_setup: namespaces and veth (vdt_topo_create), the hierarchy in the server
# namespace, velodns there with `resolver: root-hints:` at the private root
# ($HIER_EXTRA_YAML, if set, is appended to its configuration). Fails the script (one
# test point) if anything does not come up.
hier_velodns_setup() {
	vdt_topo_create af_xdp 1 >"$VDT_TMP/topo.log" 2>&1 ||
		hier_fail "client and server namespaces, veth" "$VDT_TMP/topo.log"
	hier_start "$VDT_NS_SRV" || hier_fail "start the hierarchy" "$VDT_TMP/start.log"
	VDT_EXTRA_YAML="resolver:
  root-hints: $HIER_OUT/root.hints${HIER_EXTRA_YAML:+
$HIER_EXTRA_YAML}"
	vdt_write_config
	vdt_daemon_start >"$VDT_TMP/daemon-start.log" 2>&1 ||
		hier_fail "velodns did not come up" "$VDT_TMP/daemon-start.log"
}

# hier_cli CMD...: run CMD in the client namespace.
hier_cli() { ip netns exec "$VDT_NS_CLI" "$@"; }

# hier_todo RC DESC REASON: a test point for a known bug. While RC != 0 it prints
# "not ok # TODO REASON" (an expected failure, not counted); once RC is 0 it prints
# "ok # TODO" and counts as a failure (meson: unexpected pass), so the TODO goes when
# the bug does.
hier_todo() {
	VDT_N=$((VDT_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $VDT_N - $2 # TODO $3"
		echo "# passes now: remove the TODO"
		VDT_FAILED=$((VDT_FAILED + 1))
	else
		echo "not ok $VDT_N - $2 # TODO $3"
	fi
}
