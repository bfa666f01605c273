#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# veloctl against a running velodns: status and stats (human and --json), cache
# lookup after a query (found on the worker), cache flush (by name and all), local
# data added, changed and removed at run time as dig sees it, bad commands refused
# with a non-zero exit while the daemon and the connection keep working.
. "$(dirname "$0")/lib.sh"

vdt_require_root
vdt_require_daemon
vdt_require_tools dig ethtool python3
vdt_init
vdt_plan 34

vdt_topo_create af_xdp 1 || exit 1
vdt_write_config "[1]" false
vdt_daemon_start 20
vdt_ok $? "velodns starts" || exit 1
S4=$(vdt_addr4_srv 0)
vdt_wait_answer "$S4" 10
vdt_ok $? "answers"

# lookup NAME TYPE: "found" of every worker, as a JSON list.
lookup() {
	vdt_ctl --json cache lookup "$1" "$2" |
		vdt_json '[w["found"] for w in sorted(j["workers"], key=lambda w: w["worker"])]'
}

out=$(vdt_ctl status 2>&1)
vdt_ok $? "veloctl status exits 0" "$out"
out=$(vdt_ctl --json status 2>&1)
vdt_is "veloctl --json status parses: version, 1 worker, 1 port" \
	"$(vdt_json '[isinstance(j["version"], str), j["workers"], len(j["ports"])]' <<<"$out" 2>&1)" \
	"[true, 1, 1]"
out=$(vdt_ctl stats 2>&1)
vdt_ok $? "veloctl stats exits 0" "$out"
out=$(vdt_ctl --json stats 2>&1)
vdt_is "veloctl --json stats parses: workers, total, control" \
	"$(vdt_json '[len(j["workers"]), "rx" in j["total"], "verdicts" in j["total"],
		"punts" in j["control"]]' <<<"$out" 2>&1)" \
	"[1, true, true, true]"

# The cache.
vdt_dig @"$S4" www.example.test A >/dev/null
vdt_dig @"$S4" www.example.test A >/dev/null
vdt_is "cache lookup after a query: found on the worker" "$(lookup www.example.test A)" "[true]"
vdt_is "cache lookup of a name never asked: not found" "$(lookup mail.example.test AAAA)" "[false]"
out=$(vdt_ctl cache flush www.example.test 2>&1)
vdt_ok $? "cache flush NAME exits 0" "$out"
vdt_is "after cache flush NAME: not found" "$(lookup www.example.test A)" "[false]"
vdt_dig @"$S4" www.example.test A >/dev/null
vdt_dig @"$S4" txt.example.test TXT >/dev/null
vdt_is "queried again: found" "$(lookup www.example.test A) $(lookup txt.example.test TXT)" \
	"[true] [true]"
out=$(vdt_ctl cache flush 2>&1)
vdt_ok $? "cache flush (all) exits 0" "$out"
vdt_is "after cache flush: nothing found" "$(lookup www.example.test A) $(lookup txt.example.test TXT)" \
	"[false] [false]"
vdt_q "after the flush the answer is the same (miss path again)" NOERROR "$VDT_WANT_WWW_A" \
	@"$S4" www.example.test A
out=$(vdt_stats_json)
vdt_is "stats add up: queries = sum(verdicts), hits + misses = answer verdicts, misses = punts" \
	"$(vdt_json '(lambda t: [t["queries"] == sum(t["verdicts"].values()),
		t["hits"] + t["misses"] == t["verdicts"]["answer"],
		t["misses"] == t["punts"] + t["punt_full"], t["hits"] > 0])(j["total"])' <<<"$out" 2>&1)" \
	"[true, true, true, true]"

# Local data at run time.
NEW="new.example.test. 300 IN A 198.18.100.77"
out=$(vdt_ctl local-data add "$NEW" 2>&1)
vdt_ok $? "local-data add \"$NEW\" exits 0" "$out"
vdt_q "dig sees the added record" NOERROR "new.example.test. IN A 198.18.100.77" \
	@"$S4" new.example.test A
out=$(vdt_ctl --json local-data list 2>&1)
vdt_is "local-data list shows it" \
	"$(vdt_json 'any("new.example.test." in r and "198.18.100.77" in r for r in j["records"])' <<<"$out" 2>&1)" \
	true
out=$(vdt_ctl local-data remove "$NEW" 2>&1)
vdt_ok $? "local-data remove \"$NEW\" exits 0" "$out"
vdt_q "after remove: NXDOMAIN (static zone), even though it was cached" NXDOMAIN "" \
	@"$S4" new.example.test A
# web.example.test is a CNAME to www: its cached chain must change with www.
vdt_dig @"$S4" web.example.test A >/dev/null
vdt_dig @"$S4" web.example.test A >/dev/null
out=$(vdt_ctl local-data add "www.example.test. 300 IN A 198.18.100.12" 2>&1)
vdt_q "a record added to a cached RRset shows at once" NOERROR "$VDT_WANT_WWW_A
www.example.test. IN A 198.18.100.12" @"$S4" www.example.test A
vdt_q "... and in the cached CNAME chain that leads to it" NOERROR \
	"web.example.test. IN CNAME www.example.test.
$VDT_WANT_WWW_A
www.example.test. IN A 198.18.100.12" @"$S4" web.example.test A
out=$(vdt_ctl local-data remove www.example.test A 2>&1)
vdt_ok $? "local-data remove NAME TYPE exits 0" "$out"
vdt_q "after remove NAME TYPE: www A is NODATA" NOERROR "" @"$S4" www.example.test A
vdt_q "after remove NAME TYPE: the chain to it ends in NODATA too" NOERROR \
	"web.example.test. IN CNAME www.example.test." @"$S4" web.example.test A
vdt_q "after remove NAME TYPE: www AAAA still answered" NOERROR \
	"www.example.test. IN AAAA 2001:db8:100::10" @"$S4" www.example.test AAAA
out=$(vdt_ctl local-data add "extra.elsewhere.test. 60 IN TXT \"outside every zone\"" 2>&1)
vdt_q "a record outside every zone is answered" NOERROR \
	'extra.elsewhere.test. IN TXT "outside every zone"' @"$S4" extra.elsewhere.test TXT

# Bad commands: a non-zero exit, an error message, and nothing else breaks.
vdt_run_fails "an unknown command exits non-zero" vdt_ctl frobnicate
out=$(vdt_ctl local-data add "this is not a record" 2>&1)
vdt_like "local-data add of garbage: exit 1 with a message" "exit $?: $out" '^exit 1: .+'
out=$(vdt_ctl cache lookup "bad..name" A 2>&1)
vdt_like "cache lookup of a bad name: exit 1 with a message" "exit $?: $out" '^exit 1: .+'
# On one connection: invalid JSON, an unknown command, then a good request.
out=$(timeout 10 "$VDT_PY" - "$VDT_SOCK" <<'PY' 2>&1
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "status", oops\n{"cmd": "no-such-command", "id": 2}\n{"cmd": "status", "id": 3}\n')
f = s.makefile("rb")
lines = [json.loads(f.readline()) for _ in range(3)]
print(json.dumps([l.get("ok") for l in lines]))
PY
)
vdt_is "control socket: bad JSON and unknown command get errors, the connection stays usable" \
	"$out" "[false, false, true]"
vdt_run "velodns still runs" vdt_daemon_alive
vdt_run "veloctl status still answers" vdt_ctl status
vdt_daemon_stop 10
vdt_is "SIGTERM: exits 0" "$VDT_DAEMON_RC" 0
vdt_finish
