#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Full port mode: net_af_packet on a veth that the kernel leaves alone (no addresses,
# IPv6 off, tc ingress drop), every frame to velodns, non-DNS frames through its
# exception TAP (vdexc0, carrying the service addresses and the port's MAC) so ARP,
# NDP, ICMP and TCP still work. The query suite, then SIGTERM removes the TAP.
. "$(dirname "$0")/lib.sh"

vdt_require_root
vdt_require_daemon
vdt_require_tools dig ethtool python3 tc
vdt_init
vdt_plan $((VDT_QUERY_SUITE_N + 12))

vdt_topo_create full 1 || exit 1
vdt_write_config "[1]" false
srv_if=$(vdt_if_srv 0)
exc=vdexc0
vdt_daemon_start 20
vdt_ok $? "velodns starts in full mode (--no-huge) and veloctl status answers" || exit 1
vdt_wait_answer "$(vdt_addr4_srv 0)" 10
vdt_ok $? "a worker answers over the veth within 10 s (ARP through the exception path)"

st=$(vdt_ctl --json status)
vdt_is "status: one worker, port dp0 in full mode" \
	"$(vdt_json '[j["workers"], j["ports"][0]["mode"]]' <<<"$st")" "[1, \"full\"]"
mac=$(ip -n "$VDT_NS_SRV" -o link show "$srv_if" | sed -nE 's/.*link\/ether ([0-9a-f:]+).*/\1/p')
exc_link=$(ip -n "$VDT_NS_SRV" -o link show "$exc" 2>&1)
exc_addr=$(ip -n "$VDT_NS_SRV" -o addr show dev "$exc" 2>&1 | awk '{print $4}' | grep -v '^fe80' |
	LC_ALL=C sort | tr '\n' ' ')
vdt_is "exception TAP $exc: the port's MAC and the service addresses" \
	"$(sed -nE 's/.*link\/ether ([0-9a-f:]+).*/\1/p' <<<"$exc_link") $exc_addr" \
	"$mac $(vdt_addr4_srv 0)/24 $(vdt_addr6_srv 0)/64 "

vdt_query_suite

out=$(vdt_ping "$(vdt_addr4_srv 0)")
vdt_ok $? "ICMP echo answered by the kernel through the exception TAP" "$out"
out=$(vdt_ping "$(vdt_addr6_srv 0)")
vdt_ok $? "ICMPv6 echo (and NDP) through the exception TAP" "$out"
stats=$(vdt_stats_json)
vdt_is "stats: frames went to and came from the kernel" \
	"$(vdt_json '[j["total"]["to_kernel"] > 0, j["total"]["from_kernel"] > 0]' <<<"$stats")" \
	"[true, true]"
vdt_is "the server's kernel got no UDP at all (every query went to the worker)" \
	"$(vdt_srv_udp_in) $(vdt_srv_udp6_in) $(ip -n "$VDT_NS_SRV" -o addr show dev "$srv_if" | wc -l)" \
	"0 0 0"

vdt_daemon_stop 10
vdt_is "SIGTERM: velodns exits 0 within 10 s" "$VDT_DAEMON_RC" 0
vdt_run_fails "SIGTERM: exception TAP $exc removed" ip -n "$VDT_NS_SRV" link show "$exc"
vdt_run "SIGTERM: control socket removed" test ! -e "$VDT_SOCK"
vdt_topo_destroy
vdt_topo_gone
vdt_ok $? "cleanup: no namespace left"

vdt_finish
