#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two ports on two veth pairs (a veth has one queue, and one XDP program per
# interface): first one worker polling both, then two workers, one per port, each
# answering its own clients. On a machine with fewer than 3 CPUs the two worker
# lcores are mapped onto one CPU with workers.cpus (a correctness test, not speed).
. "$(dirname "$0")/lib.sh"

vdt_require_root
vdt_require_daemon
vdt_require_tools dig ethtool python3
vdt_init
vdt_plan 16

# answers_on I DESC: port I answers www A over IPv4 and www AAAA over IPv6.
answers_on() {
	vdt_q "$2: port $1 answers over IPv4" NOERROR "$VDT_WANT_WWW_A" \
		@"$(vdt_addr4_srv "$1")" www.example.test A
	vdt_q "$2: port $1 answers over IPv6" NOERROR "www.example.test. IN AAAA 2001:db8:100::10" \
		@"$(vdt_addr6_srv "$1")" www.example.test AAAA
}

vdt_topo_create af_xdp 2 || exit 1

# One worker, two ports.
vdt_write_config "[1]" false
vdt_daemon_start 20
vdt_ok $? "one worker, two ports: velodns starts" || exit 1
vdt_wait_answer "$(vdt_addr4_srv 1)" 10
answers_on 0 "one worker"
answers_on 1 "one worker"
st=$(vdt_ctl --json status)
vdt_is "status: 1 worker, 2 ports" "$(vdt_json '[j["workers"], len(j["ports"])]' <<<"$st")" "[1, 2]"
vdt_daemon_stop 10
vdt_is "one worker: SIGTERM exits 0" "$VDT_DAEMON_RC" 0
vdt_unlike "one worker: no XDP program left on either veth" \
	"$(ip -n "$VDT_NS_SRV" link show "$(vdt_if_srv 0)"; ip -n "$VDT_NS_SRV" link show "$(vdt_if_srv 1)")" \
	'xdp'

# Two workers, one port each.
if [ "$(nproc)" -lt 3 ]; then
	vdt_diag "$(nproc) CPUs: both worker lcores run on CPU 1 (workers.cpus: [1, 1])"
	VDT_CPUS="[1, 1]"
fi
vdt_write_config "[1, 2]" false
unset VDT_CPUS
vdt_daemon_start 20
vdt_ok $? "two workers, two ports: velodns starts" || exit 1
vdt_wait_answer "$(vdt_addr4_srv 1)" 10
answers_on 0 "two workers"
answers_on 1 "two workers"
stats=$(vdt_stats_json)
vdt_is "stats: 2 workers, each received and answered queries" \
	"$(vdt_json '[len(j["workers"])] + [w["rx"] > 0 and w["tx"] > 0 for w in j["workers"]]' <<<"$stats")" \
	"[2, true, true]"
vdt_daemon_stop 10
vdt_is "two workers: SIGTERM exits 0" "$VDT_DAEMON_RC" 0
vdt_topo_destroy
vdt_topo_gone
vdt_ok $? "cleanup: no namespace left"
vdt_finish
