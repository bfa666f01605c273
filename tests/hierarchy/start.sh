#!/bin/bash
# Start the private DNS hierarchy inside a network namespace.
#   start.sh NETNS OUTDIR                  use an existing namespace (must have no default route)
#   start.sh --create-netns NAME OUTDIR    create it (stop.sh deletes it again)
# Generates zones/configs into OUTDIR (gen-zones.py), brings lo up, adds the
# 127.0.0.x server addresses, starts one NSD per server (plus tinyauth.py for the
# out-of-bailiwick referral, the silent sink, the spoofer and the broken server), waits
# until each one answers.
# PIDs go to OUTDIR/pids; stop.sh OUTDIR ends exactly those.
# Env: HIER_LIFETIME (s, default 7200): the python servers exit by themselves after it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
create=0
if [ "${1:-}" = "--create-netns" ]; then create=1; shift; fi
if [ $# -ne 2 ]; then
    echo "usage: $0 [--create-netns] NETNS OUTDIR" >&2; exit 2
fi
ns=$1; out=$2
if [ "$(id -u)" -ne 0 ]; then echo "start.sh: needs root" >&2; exit 2; fi
for p in nsd dig ip; do command -v $p >/dev/null || { echo "start.sh: $p not found" >&2; exit 2; }; done
py=/usr/bin/python3; [ -x $py ] || py=python3
lifetime=${HIER_LIFETIME:-7200}

mkdir -p "$out"; out=$(cd "$out" && pwd)
if [ -e "$out/pids" ]; then echo "start.sh: $out/pids exists: already running? (stop.sh $out)" >&2; exit 1; fi
: > "$out/pids"; : > "$out/addrs"
ok=0
cleanup() { [ $ok -eq 1 ] || "$here/stop.sh" "$out" >&2 || true; }
trap cleanup EXIT

if [ $create -eq 1 ]; then
    ip netns add "$ns"
    echo "$ns" > "$out/created-netns"
else
    ip netns pids "$ns" >/dev/null 2>&1 || ip netns list | grep -qw "$ns" || { echo "start.sh: no netns $ns" >&2; exit 1; }
fi
echo "$ns" > "$out/netns"
if [ -n "$(ip -n "$ns" route show default 2>/dev/null)" ] || [ -n "$(ip -n "$ns" -6 route show default 2>/dev/null)" ]; then
    echo "start.sh: netns $ns has a default route; refusing (the hierarchy must not reach the internet)" >&2; exit 1
fi
ip -n "$ns" link set lo up

$py "$here/gen-zones.py" "$out" >/dev/null

while read -r name kind addrs conf; do
    case "$name" in ''|'#'*) continue;; esac
    for a in ${addrs//,/ }; do
        if ! ip -n "$ns" -4 addr show dev lo | grep -q "inet $a/"; then
            ip -n "$ns" addr add "$a/32" dev lo
            echo "$a" >> "$out/addrs"
        fi
    done
    first=${addrs%%,*}
    case "$kind" in
        nsd|lame)
            ip netns exec "$ns" nsd -d -c "$conf" >> "$out/run/$name.stderr" 2>&1 &
            echo "$! $name" >> "$out/pids" ;;
        tinyauth)
            ip netns exec "$ns" $py "$here/tinyauth.py" oobglue "$first" "$lifetime" >> "$out/run/$name.stderr" 2>&1 &
            echo "$! $name" >> "$out/pids" ;;
        sink)
            ip netns exec "$ns" $py "$here/tinyauth.py" sink "$first" "$lifetime" >> "$out/run/$name.stderr" 2>&1 &
            echo "$! $name" >> "$out/pids" ;;
        spoof|broken)
            ip netns exec "$ns" $py "$here/tinyauth.py" "$kind" "$addrs" "$lifetime" >> "$out/run/$name.stderr" 2>&1 &
            echo "$! $name" >> "$out/pids" ;;
        none) ;;
    esac
done < "$out/servers.txt"

# wait (bounded: 10 s) until every answering address replies to a SOA query
while read -r name kind addrs conf; do
    case "$kind" in nsd|lame|tinyauth|broken) ;; spoof) addrs=${addrs%%,*};; *) continue;; esac
    for a in ${addrs//,/ }; do
        up=0
        for _ in $(seq 1 50); do
            if ip netns exec "$ns" dig +norec +time=1 +tries=1 @"$a" . SOA >/dev/null 2>&1; then up=1; break; fi
            sleep 0.2
        done
        if [ $up -eq 0 ]; then
            echo "start.sh: $name ($a) did not come up; see $out/run/$name.*" >&2; exit 1
        fi
    done
done < "$out/servers.txt"
for pid in $(cut -d' ' -f1 "$out/pids"); do
    kill -0 "$pid" 2>/dev/null || { echo "start.sh: server pid $pid died" >&2; exit 1; }
done
ok=1
echo "hierarchy up in netns $ns: root hints $out/root.hints, cases $out/hierarchy.json"
