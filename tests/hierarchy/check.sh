#!/bin/bash
# check.sh: validate the hierarchy against Unbound (the reference resolver).
# Starts the hierarchy in a fresh netns (no default route), Unbound on 127.0.0.53
# in the same netns with our root.hints only, asks every case of hierarchy.json
# (check.py) and prints TAP. Needs root. Everything is removed on exit.
here=$(cd "$(dirname "$0")" && pwd)
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

cat > "$tmp/unbound.conf" <<EOC
server:
    verbosity: 1
    interface: 127.0.0.53
    port: 53
    do-ip6: no
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$tmp"
    pidfile: "$tmp/unbound.pid"
    logfile: "$tmp/unbound.log"
    use-syslog: no
    root-hints: "$tmp/h/root.hints"
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    harden-glue: yes
    qname-minimisation: yes
    num-threads: 1
    edns-buffer-size: 1232
    infra-host-ttl: 60
    infra-cache-max-rtt: 1000
    outgoing-range: 256
    module-config: "iterator"
    trust-anchor-signaling: no
    # Unbound answers RFC 6761 names (test.) itself by default: let them resolve
    local-zone: "test." nodefault
remote-control:
    control-enable: no
EOC
if ! unbound-checkconf "$tmp/unbound.conf" > "$tmp/checkconf.log" 2>&1; then
    echo "1..1"; echo "not ok 1 - unbound config"; sed 's/^/# /' "$tmp/checkconf.log"; exit 1
fi
ip netns exec "$ns" unbound -d -c "$tmp/unbound.conf" > "$tmp/unbound.stderr" 2>&1 &
ub_pid=$!
up=0
for _ in $(seq 1 50); do
    if ip netns exec "$ns" dig +time=1 +tries=1 @127.0.0.53 . NS >/dev/null 2>&1; then up=1; break; fi
    sleep 0.2
done
if [ $up -eq 0 ]; then
    echo "1..1"; echo "not ok 1 - unbound did not come up"; sed 's/^/# /' "$tmp/unbound.stderr" "$tmp/unbound.log" 2>/dev/null; exit 1
fi
if [ -n "${CHECK_SHELL:-}" ]; then echo "netns $ns, unbound 127.0.0.53, dir $tmp"; sleep "$CHECK_SHELL"; fi
# Unbound may spend more than 12 s on a zone with a dead and a silent server before the
# good one (halfdead): give the reference 15 s a question; velodns gets 12 s.
CHECK_TIMEOUT=${CHECK_TIMEOUT:-15} ip netns exec "$ns" timeout 180 $py "$here/check.py" "$tmp/h/hierarchy.json" 127.0.0.53 --noanswer-is-todo
