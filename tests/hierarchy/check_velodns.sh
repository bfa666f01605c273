#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check_velodns.sh: velodns resolving through the private hierarchy. The hierarchy
# and velodns (AF_XDP on a veth, root hints = our root only) share one namespace with
# no default route; a client namespace asks every case of hierarchy.json (check.py)
# over the veth. Prints TAP. Needs root and $VELODNS, $VELOCTL. Everything is removed
# on exit.
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then echo "1..0 # SKIP not root"; exit 0; fi
for p in nsd dig ip ethtool; do
	command -v $p >/dev/null || { echo "1..0 # SKIP $p not installed"; exit 0; }
done
[ -x "${VELODNS:-}" ] && [ -x "${VELOCTL:-}" ] || { echo "1..0 # SKIP VELODNS/VELOCTL not built"; exit 0; }
py=/usr/bin/python3; [ -x $py ] || py=python3
ns=vdhs-$$ cl=vdhc-$$ vs=vdh$$s vc=vdh$$c
tmp=$(mktemp -d /tmp/velohier-vd.XXXXXX)
pid=
fail() { echo "1..1"; echo "not ok 1 - $1"; [ -n "${2:-}" ] && sed 's/^/# /' "$2"; exit 1; }
cleanup() {
	if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
		[ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null
	fi
	"$here/stop.sh" "$tmp/h" >/dev/null 2>&1
	ip netns del "$cl" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

HIER_LIFETIME=600 "$here/start.sh" --create-netns "$ns" "$tmp/h" >"$tmp/start.log" 2>&1 ||
	fail "start the hierarchy" "$tmp/start.log"
ip netns add "$cl" &&
	ip link add "$vs" type veth peer name "$vc" &&
	ip link set "$vs" netns "$ns" && ip link set "$vc" netns "$cl" &&
	ip -n "$ns" addr add 198.18.0.2/24 dev "$vs" && ip -n "$ns" link set "$vs" up &&
	ip -n "$cl" addr add 198.18.0.1/24 dev "$vc" && ip -n "$cl" link set "$vc" up &&
	ip -n "$cl" link set lo up &&
	ip netns exec "$cl" ethtool -K "$vc" tx off >/dev/null || fail "client namespace and veth"

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
EOC
ip netns exec "$ns" "$VELODNS" -c "$tmp/velodns.conf" >"$tmp/velodns.log" 2>&1 &
pid=$!
up=0
for _ in $(seq 1 100); do
	"$VELOCTL" -s "$tmp/ctl.sock" --timeout 2 status >/dev/null 2>&1 && { up=1; break; }
	[ -d "/proc/$pid" ] || break
	sleep 0.2
done
[ $up -eq 1 ] || fail "velodns did not come up" "$tmp/velodns.log"
# Every case, as the client asks it; the dead and silent servers must give SERVFAIL in time.
CHECK_TIMEOUT=12 ip netns exec "$cl" timeout 200 $py "$here/check.py" "$tmp/h/hierarchy.json" 198.18.0.2
rc=$?
[ $rc -ne 0 ] && sed 's/^/# velodns: /' "$tmp/velodns.log" | tail -20
# Upstream work for the whole run, as TAP comments (queries per question stay low).
"$VELOCTL" -s "$tmp/ctl.sock" --json --timeout 2 stats 2>/dev/null |
	$py -c 'import json,sys
r = json.loads(sys.stdin.read()).get("resolver", {})
print("# resolver: %s resolutions, %s upstream queries (%s minimised), %s timeouts, priming %s/%s"
      % tuple(r.get(k, "?") for k in ("resolutions", "upstream_queries", "qmin_queries",
                                       "upstream_timeouts", "priming_ok", "priming_queries")))' ||
	echo "# resolver: no stats"
exit $rc
