# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# The Unbound configuration every Unbound against the private hierarchy runs with:
# the reference resolver of the tests (tests/hierarchy/lib.sh) and the comparison
# server of bench/resolve-compare.sh. Unbound only ever gets the private root's hints.

# hier_unbound_conf DIR HINTS ADDR[@PORT]...: print the configuration on stdout; Unbound
# runs in DIR (pid file, log DIR/unbound.log) and listens on each address. Further
# server: lines may come in $HIER_UB_EXTRA (one per line, indented by 4 spaces).
hier_unbound_conf() {
	local dir=$1 hints=$2 a
	shift 2
	echo "server:"
	echo "    verbosity: ${HIER_UB_VERBOSITY:-1}"
	for a in "$@"; do echo "    interface: $a"; done
	cat <<-EOC
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
	    access-control: 198.18.0.0/15 allow
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
	EOC
	[ -n "${HIER_UB_EXTRA:-}" ] && printf '%s\n' "$HIER_UB_EXTRA"
	cat <<-EOC
	remote-control:
	    control-enable: no
	EOC
}
