#!/bin/bash
# stop.sh OUTDIR: stop what start.sh OUTDIR started (only the PIDs it recorded),
# remove the addresses it added, delete the netns if start.sh created it.
# Leaves OUTDIR's files in place.
set -u
if [ $# -ne 1 ]; then echo "usage: $0 OUTDIR" >&2; exit 2; fi
out=$(cd "$1" 2>/dev/null && pwd) || { echo "stop.sh: no $1" >&2; exit 1; }
pids=()
if [ -f "$out/pids" ]; then
    while read -r pid name; do
        [ -n "$pid" ] || continue
        # only if that PID is still the process we started (nsd -c OUTDIR/... or tinyauth.py)
        if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -Eq "nsd -d -c $out/|tinyauth.py"; then
            kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
        fi
    done < "$out/pids"
fi
# bounded wait (5 s), then SIGKILL the stragglers
for _ in $(seq 1 50); do
    alive=0
    for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
done
for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null; done
rm -f "$out/pids"
ns=$(cat "$out/netns" 2>/dev/null || true)
if [ -f "$out/created-netns" ]; then
    ip netns del "$(cat "$out/created-netns")" 2>/dev/null
    rm -f "$out/created-netns"
elif [ -n "$ns" ] && [ -f "$out/addrs" ]; then
    while read -r a; do [ -n "$a" ] && ip -n "$ns" addr del "$a/32" dev lo 2>/dev/null; done < "$out/addrs"
fi
rm -f "$out/addrs" "$out/netns"
exit 0
