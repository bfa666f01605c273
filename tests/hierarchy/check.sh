#!/bin/bash
# check.sh: validate the hierarchy against Unbound (the reference resolver).
# Starts the hierarchy in a fresh netns (no default route), Unbound on 127.0.0.53
# in the same netns with our root.hints only, asks every case of hierarchy.json
# (check.py) and prints TAP. Needs root. Everything is removed on exit.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/unbound.sh"
if [ "$(id -u)" -ne 0 ]; then echo "1..0 # SKIP not root"; exit 0; fi
for p in nsd unbound dig ip; do
    command -v $p >/dev/null || { echo "1..0 # SKIP $p not installed"; exit 0; }
done
py=/usr/bin/python3; [ -x $py ] || py=python3
ns=velohier-$$
tmp=$(mktemp -d /tmp/velohier.XXXXXX)
ub_pid=
cleanup() {
    if [ -n "$ub_pid" ] && [ -d "/proc/$ub_pid" ]; then
        kill -TERM "$ub_pid" 2>/dev/null
        for _ in $(seq 1 50); do [ -d "/proc/$ub_pid" ] || break; sleep 0.1; done
        [ -d "/proc/$ub_pid" ] && kill -KILL "$ub_pid" 2>/dev/null
    fi
    "$here/stop.sh" "$tmp/h" >/dev/null 2>&1
    ip netns del "$ns" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# short lifetime for the python servers: they go away by themselves even if we are killed
if ! HIER_LIFETIME=600 "$here/start.sh" --create-netns "$ns" "$tmp/h" > "$tmp/start.log" 2>&1; then
    echo "1..1"; echo "not ok 1 - start the hierarchy"; sed 's/^/# /' "$tmp/start.log"; exit 1
fi

if ! hier_unbound_start "$ns" "$tmp" 127.0.0.53 "$tmp/h/root.hints" 2> "$tmp/unbound.err"; then
    ub_pid=$HIER_UB_PID
    echo "1..1"; echo "not ok 1 - unbound did not come up"; sed 's/^/# /' "$tmp/unbound.err"; exit 1
fi
ub_pid=$HIER_UB_PID
if [ -n "${CHECK_SHELL:-}" ]; then echo "netns $ns, unbound 127.0.0.53, dir $tmp"; sleep "$CHECK_SHELL"; fi
# Unbound may spend more than 12 s on a zone with a dead and a silent server before the
# good one (halfdead): give the reference 15 s a question; velodns gets 12 s.
CHECK_TIMEOUT=${CHECK_TIMEOUT:-15} ip netns exec "$ns" timeout 180 $py "$here/check.py" "$tmp/h/hierarchy.json" 127.0.0.53 --noanswer-is-todo
