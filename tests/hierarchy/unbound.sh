# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Unbound against the private hierarchy, sourced by check.sh (Unbound as the reference
# resolver) and check_forward.sh (Unbound as the resolver farm velodns forwards to).
# Unbound only ever gets our root.hints and runs inside the hierarchy's namespace.

# hier_unbound_start NETNS DIR ADDR ROOT_HINTS: write DIR/unbound.conf (listening on
# ADDR port 53), check it, start Unbound in NETNS and wait (bounded: 10 s) until it
# answers. HIER_UB_PID is its PID (set as soon as it runs, so a trap can kill it).
# Returns 1 with the reason and Unbound's output on stderr.
HIER_UB_PID=
hier_unbound_start() {
	local ns=$1 dir=$2 addr=$3 hints=$4 _
	mkdir -p "$dir" || return 1
	cat >"$dir/unbound.conf" <<EOC
server:
    verbosity: 1
    interface: $addr
    port: 53
    do-ip6: no
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$dir"
    pidfile: "$dir/unbound.pid"
    logfile: "$dir/unbound.log"
    use-syslog: no
    root-hints: "$hints"
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
	if ! unbound-checkconf "$dir/unbound.conf" >"$dir/checkconf.log" 2>&1; then
		echo "unbound-checkconf failed:" >&2
		cat "$dir/checkconf.log" >&2
		return 1
	fi
	ip netns exec "$ns" unbound -d -c "$dir/unbound.conf" >"$dir/unbound.stderr" 2>&1 &
	HIER_UB_PID=$!
	for _ in $(seq 1 50); do
		if ip netns exec "$ns" dig +time=1 +tries=1 @"$addr" . NS >/dev/null 2>&1; then
			return 0
		fi
		[ -d "/proc/$HIER_UB_PID" ] || break
		sleep 0.2
	done
	echo "unbound did not come up on $addr:" >&2
	cat "$dir/unbound.stderr" "$dir/unbound.log" >&2 2>/dev/null
	return 1
}
