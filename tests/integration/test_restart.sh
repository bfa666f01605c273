#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Restarts and mistakes an operator makes (AF_XDP mode): a second velodns started on
# the same interface and control socket must fail without disturbing the running one
# (its XDP program is live, not stale); after SIGKILL the program and the socket file
# are left behind, and the next start replaces them; SIGINT shuts down as cleanly as
# SIGTERM.
. "$(dirname "$0")/lib.sh"

vdt_require_root
vdt_require_daemon
vdt_require_tools dig ethtool python3
vdt_init
vdt_plan 13

vdt_topo_create af_xdp 1 || exit 1
vdt_write_config "[1]" false
srv_if=$(vdt_if_srv 0)
S4=$(vdt_addr4_srv 0)
xdp_id() {
	ip -n "$VDT_NS_SRV" -d link show "$srv_if" | sed -nE 's/.*prog\/xdp id ([0-9]+).*/\1/p' | head -n 1
}

vdt_daemon_start 20
vdt_ok $? "first velodns starts" || exit 1
vdt_wait_answer "$S4" 10
vdt_ok $? "first velodns answers"
id1=$(xdp_id)

# The same configuration again, while the first runs.
out=$(timeout -k 5 30 ip netns exec "$VDT_NS_SRV" "$VELODNS" -c "$VDT_CONF" 2>&1)
rc=$?
vdt_ok "$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo 0 || echo 1)" \
	"a second velodns on the same interface and socket exits non-zero (exit $rc)" \
	"$(grep -v '^EAL' <<<"$out" | tail -n 15)"
vdt_is "the first one's XDP program is still attached (it was live, not stale)" "$(xdp_id)" "$id1"
vdt_q "the first one still answers" NOERROR "$VDT_WANT_WWW_A" @"$S4" www.example.test A
vdt_daemon_stop 10
vdt_is "the first one exits 0 on SIGTERM" "$VDT_DAEMON_RC" 0

# SIGKILL: nothing can clean up; the next start must.
vdt_daemon_start 20 && vdt_wait_answer "$S4" 10
id2=$(xdp_id)
kill -KILL "$VDT_DAEMON_PID"
wait "$VDT_DAEMON_PID" 2>/dev/null
VDT_DAEMON_PID=
vdt_ok "$([ -n "$id2" ] && [ "$(xdp_id)" = "$id2" ] && [ -S "$VDT_SOCK" ] && echo 0 || echo 1)" \
	"after SIGKILL its XDP program ($id2) and socket file are left behind" \
	"program now: '$(xdp_id)', socket: $(ls -l "$VDT_SOCK" 2>&1)"
vdt_daemon_start 20
vdt_ok $? "the next start over the stale program and socket succeeds"
vdt_q "and answers" NOERROR "$VDT_WANT_WWW_A" @"$S4" www.example.test A
id3=$(xdp_id)
vdt_ok "$([ -n "$id3" ] && [ "$id3" != "$id2" ] && echo 0 || echo 1)" \
	"the stale program was replaced ($id2 -> $id3)"

# SIGINT.
kill -INT "$VDT_DAEMON_PID"
for ((i = 0; i < 100; i++)); do
	kill -0 "$VDT_DAEMON_PID" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$VDT_DAEMON_PID" 2>/dev/null; then
	vdt_ok 1 "SIGINT: exits 0 within 10 s" "still running"
else
	wait "$VDT_DAEMON_PID"
	rc=$?
	VDT_DAEMON_PID=
	vdt_is "SIGINT: exits 0 within 10 s" "$rc" 0
fi
vdt_is "SIGINT: no XDP program left, control socket removed" \
	"$(xdp_id)|$([ -e "$VDT_SOCK" ] && echo socket-left)" "|"
vdt_topo_destroy
vdt_topo_gone
vdt_ok $? "cleanup: no namespace left"
vdt_finish
