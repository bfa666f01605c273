#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A malformed-packet barrage from the client namespace (malformed.py: truncated
# headers, QDCOUNT 0 and 2, compression in the question, bad OPT records, wrong
# opcodes, QR=1, zone transfers, EDNS version 1, random bytes), bounded to 2000
# datagrams over IPv4, 300 over IPv6 and 300 from outside the ACL, each within 60 s.
# Each datagram must get its verdict (FORMERR/NOTIMP/REFUSED/BADVERS/answer, or no
# reply for DROP); the worker's verdict counters must add up to what was sent; the
# daemon must still answer afterwards.
. "$(dirname "$0")/lib.sh"

vdt_require_root
vdt_require_daemon
vdt_require_tools dig ethtool python3
vdt_init
vdt_plan 17

MAL=$(dirname "$0")/malformed.py

vdt_topo_create af_xdp 1 || exit 1
vdt_write_config "[1]" false
vdt_daemon_start 20
vdt_ok $? "velodns starts" || exit 1
vdt_wait_answer "$(vdt_addr4_srv 0)" 10
vdt_ok $? "answers before the barrage"

# barrage DESC SERVER COUNT [malformed.py options]: run it, one test point; leaves
# the JSON summary in $res and the stats before/after in $before/$after.
barrage() {
	local desc=$1 server=$2 count=$3 rc
	shift 3
	before=$(vdt_stats_json)
	res=$(vdt_cli timeout 90 "$VDT_PY" "$MAL" --server "$server" --count "$count" --time 60 "$@" 2>&1)
	rc=$?
	after=$(vdt_stats_json)
	vdt_ok "$rc" "$desc: $(vdt_json '"%d sent, %d mismatches" % (j["sent"], j["mismatch_count"])' \
		<<<"$res" 2>/dev/null)" "$res"
}

# delta EXPR: a Python expression over b (stats before), a (after), r (summary) and
# d(path) = a[path] - b[path] on the "total" section.
delta() {
	B=$before A=$after R=$res "$VDT_PY" -c 'import json, os, sys
b = json.loads(os.environ["B"])["total"]
a = json.loads(os.environ["A"])["total"]
r = json.loads(os.environ["R"])
def d(*path):
    x, y = a, b
    for p in path:
        x, y = x[p], y[p]
    return x - y
v = eval(sys.argv[1])
print(json.dumps(v, sort_keys=True) if not isinstance(v, str) else v)' "$1" 2>&1
}

barrage "IPv4 barrage, 2000 datagrams, every verdict right" "$(vdt_addr4_srv 0)" 2000
vdt_is "IPv4: every datagram reached the parser (queries delta = sent)" \
	"$(delta 'd("queries") == r["sent"]')" true
vdt_is "IPv4: formerr/notimp/refused/badvers/answer counters cover what was due" \
	"$(delta '{v: d("verdicts", v) >= r["expected"].get(v, 0)
		for v in ("formerr", "notimp", "refused", "badvers", "answer")}')" \
	'{"answer": true, "badvers": true, "formerr": true, "notimp": true, "refused": true}'
vdt_is "IPv4: drop verdicts = short headers + QR=1 (crafted and random)" \
	"$(delta 'd("verdicts", "drop") - r["expected"]["drop"] - r["random_qr"]')" 0
vdt_is "IPv4: verdicts sum to the datagrams sent" \
	"$(delta 'sum(d("verdicts", v) for v in a["verdicts"]) - r["sent"]')" 0
vdt_is "IPv4: DNS drops counted as drop reason \"dns\"" \
	"$(delta 'd("drop_reasons", "dns") - d("verdicts", "drop")')" 0
vdt_is "IPv4: no UDP checksum failures (client tx offload off)" \
	"$(delta 'd("frames", "bad_csum")')" 0

barrage "IPv6 barrage, 300 datagrams, every verdict right" "$(vdt_addr6_srv 0)" 300 --seed 6
vdt_is "IPv6: verdicts sum to the datagrams sent" \
	"$(delta 'sum(d("verdicts", v) for v in a["verdicts"]) - r["sent"]')" 0

barrage "from outside the ACL, 300 datagrams: REFUSED or dropped" "$(vdt_addr4_srv 0)" 300 \
	--seed 7 --bind "$VDT_OUTSIDE4" --acl-refused
vdt_is "ACL: acl_refused counts every datagram that was not dropped" \
	"$(delta 'd("acl_refused") - (r["sent"] - d("verdicts", "drop"))')" 0

vdt_run "velodns still runs after the barrage" vdt_daemon_alive
vdt_q "still answers www A correctly" NOERROR "$VDT_WANT_WWW_A" @"$(vdt_addr4_srv 0)" \
	www.example.test A
vdt_run "veloctl status still answers" vdt_ctl status
vdt_daemon_stop 10
vdt_is "SIGTERM: exits 0" "$VDT_DAEMON_RC" 0
vdt_finish
