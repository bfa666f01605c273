#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# AF_XDP port mode (the default): velodns on one veth in its own namespace, with its
# XDP program steering UDP/53 of the service addresses to the worker and everything
# else to the kernel. The query suite (IPv4/IPv6, EDNS, truncation + TCP retry, ACL),
# ICMP and ARP left to the kernel, then SIGTERM leaves no program, socket or namespace.
. "$(dirname "$0")/lib.sh"

vdt_require_root
vdt_require_daemon
vdt_require_tools dig ethtool python3
vdt_init
vdt_plan $((VDT_QUERY_SUITE_N + 11))

vdt_topo_create af_xdp 1 || exit 1
vdt_write_config "[1]" false
srv_if=$(vdt_if_srv 0)
vdt_daemon_start 20
vdt_ok $? "velodns starts in af_xdp mode (--no-huge) and veloctl status answers" || exit 1
vdt_wait_answer "$(vdt_addr4_srv 0)" 10
vdt_ok $? "a worker answers over the veth within 10 s"

st=$(vdt_ctl --json status)
vdt_is "status: one worker, port dp0 in af_xdp mode on $srv_if" \
	"$(vdt_json '[j["workers"], j["ports"][0]["mode"], j["ports"][0]["interface"]]' <<<"$st")" \
	"[1, \"af_xdp\", \"$srv_if\"]"
vdt_like "an XDP program is attached to $srv_if" "$(ip -n "$VDT_NS_SRV" link show "$srv_if")" \
	'prog/xdp|xdp'

vdt_query_suite

# Not DNS: the XDP program passes it to the kernel, which answers.
out=$(vdt_ping "$(vdt_addr4_srv 0)")
vdt_ok $? "ICMP echo answered by the server's kernel (XDP_PASS)" "$out"
out=$(vdt_ping "$(vdt_addr6_srv 0)")
vdt_ok $? "ICMPv6 echo answered by the server's kernel (NDP passed too)" "$out"

vdt_is "the server's kernel got no UDP (XDP steered every query to the worker)" \
	"$(vdt_srv_udp_in) $(vdt_srv_udp6_in)" "0 0"

vdt_daemon_stop 10
vdt_is "SIGTERM: velodns exits 0 within 10 s" "$VDT_DAEMON_RC" 0
vdt_unlike "SIGTERM: no XDP program left on $srv_if" "$(ip -n "$VDT_NS_SRV" link show "$srv_if")" \
	'xdp'
vdt_run "SIGTERM: control socket removed" test ! -e "$VDT_SOCK"
vdt_topo_destroy
vdt_topo_gone
vdt_ok $? "cleanup: no namespace left"

vdt_finish
