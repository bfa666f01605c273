#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check_forward.sh: velodns as a pure forwarder in front of a resolver farm. The
# private hierarchy (start.sh), an Unbound resolving it (the "farm", 127.0.0.53) and
# velodns (AF_XDP on a veth, no root hints, forward-zones "." -> [a dead address, the
# farm]) share the server namespace of tests/integration/lib.sh; the client namespace
# asks the hierarchy's cases through velodns's dataplane and checks them against the
# zone data (check.py), then changes the forward table live with veloctl. Prints TAP.
# Needs root, nsd, unbound, dig; $VELODNS and $VELOCTL. Everything is removed on exit.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

FARM=127.0.0.53     # Unbound, resolving the hierarchy from its root
DEAD=127.0.0.31     # the hierarchy's address where nothing listens
SILENT=127.0.0.32   # the hierarchy's sink: reads queries, never answers

# workers_dropped NAME: the workers' flush is asynchronous (their fill rings), and a
# cache lookup travels the same rings behind it: its answer says the flush was applied
# (a client asking sooner may still get a worker's old answer).
workers_dropped() {
	vdt_ctl --json cache lookup "$1" A |
		vdt_json 'j["answered"] == j["asked"] and not any(w["found"] for w in j["workers"])'
}

hier_require velodns unbound
hier_init

vdt_plan 21
s4=$(vdt_addr4_srv 0)

vdt_topo_create af_xdp 1
vdt_ok $? "server and client namespaces, veth" || exit 1
hier_start "$VDT_NS_SRV"
vdt_ok $? "the hierarchy in the server namespace" "$(cat "$VDT_TMP/start.log")" || exit 1
hier_unbound_start "$VDT_NS_SRV" "$FARM@53"
vdt_ok $? "the resolver farm (Unbound on $FARM)" "$(cat "$HIER_UB_LOG" 2>/dev/null)" || exit 1

# A pure forwarder: no root hints; the dead address first in the list.
VDT_EXTRA_YAML="resolver:
  forward-zones:
    - name: \".\"
      servers: [$DEAD, $FARM]"
vdt_write_config
vdt_daemon_start
vdt_ok $? "velodns up with forward-zones and no root hints" || exit 1

# The hierarchy's cases through velodns, as the client asks them. Cases built around
# dead or silent authorities are left out: the farm itself needs longer than velodns's
# 8 s bound for some of them (check.sh); so are spoof.lab's, whose forgeries make the
# farm itself answer SERVFAIL (check_diff.py's expected differences). Every other answer must match the zone data.
"$VDT_PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
d["cases"] = [c for c in d["cases"] if "timeout" not in c["tags"] and
              not c["qname"].endswith("spoof.lab.")]
json.dump(d, open(sys.argv[2], "w"))' "$HIER_OUT/hierarchy.json" "$VDT_TMP/cases.json"
n_cases=$("$VDT_PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' \
	"$VDT_TMP/cases.json")
out=$(CHECK_TIMEOUT=12 vdt_cli timeout 240 "$VDT_PY" "$here/check.py" "$VDT_TMP/cases.json" "$s4" 2>&1)
rc=$?
vdt_ok $rc "$n_cases cases of the hierarchy answered through the farm, as the zones say" \
	"$(grep -v '^ok' <<<"$out"; echo "velodns SERVFAIL causes and forwarders:"
	vdt_stats_json | vdt_json 'j["resolver"]["servfail"]'; vdt_ctl forward list)"

stats=$(vdt_stats_json)
fwd=$(vdt_json 'j["resolver"]["forwarded"]' <<<"$stats")
fo=$(vdt_json 'j["resolver"]["forwarder_failovers"]' <<<"$stats")
vdt_ok "$([ "${fwd:-0}" -ge "$n_cases" ] && echo 0 || echo 1)" \
	"stats: every question forwarded ($fwd >= $n_cases)" "$stats"
# Both forwarders start unmeasured and are drawn at random among the closest RTOs, so
# with dozens of questions in flight at once the dead one is drawn for some of them.
vdt_ok "$([ "${fo:-0}" -ge 1 ] && echo 0 || echo 1)" \
	"stats: failover from the dead forwarder to the farm ($fo)" "$stats"

list=$(vdt_ctl --json forward list)
vdt_like "forward list: the dead forwarder timed out, the farm answers" \
	"$(vdt_json '" ".join(sorted(r["server"] + "=" + r["state"] for r in j["forwarders"]))' <<<"$list")" \
	"^$DEAD=(timeouts|backoff) $FARM=ok\$"
human=$(vdt_ctl forward list)
vdt_like "veloctl forward list as a table" "$human" "^ +\. +$FARM +ok "

# Live changes. A bad address is refused with its reason; the daemon goes on.
out=$(vdt_ctl forward add . "$FARM:53" 2>&1)
rc=$?
vdt_ok "$([ $rc -eq 1 ] && grep -q 'a port is written ADDR@PORT' <<<"$out" && echo 0 || echo 1)" \
	"forward add with ADDR:PORT refused with the reason (exit $rc)" "$out"
vdt_q "after the refused change the farm still answers" NOERROR \
	"www.z09.test. IN A 198.51.100.9" @"$s4" www.z09.test A

# Removing "." leaves nothing to ask (no root hints) and flushes the caches: even the
# name just answered is SERVFAIL now.
vdt_run "forward remove ." vdt_ctl forward remove .
vdt_is "the worker dropped its answers" "$(workers_dropped www.z09.test)" true
vdt_q "without forward zones and root hints: SERVFAIL" SERVFAIL "" @"$s4" www.z09.test A
vdt_run "forward add . back, the farm only" vdt_ctl forward add . "$FARM"
vdt_q "answered again through the farm" NOERROR "www.z09.test. IN A 198.51.100.9" \
	@"$s4" www.z09.test A

# A deeper zone to a server that never answers: its names fail within the bound, the
# rest of the tree still goes to the farm (longest match).
vdt_run "forward add z02.test. to the silent server" vdt_ctl forward add z02.test. "$SILENT"
vdt_is "... and the worker dropped its answers" "$(workers_dropped www.z02.test)" true
t0=$SECONDS
vdt_q "a name under z02.test.: SERVFAIL" SERVFAIL "" @"$s4" +time=10 +tries=1 www.z02.test A
vdt_ok "$([ $((SECONDS - t0)) -le 9 ] && echo 0 || echo 1)" \
	"... within the 8 s bound ($((SECONDS - t0)) s)"
vdt_q "a name outside it still resolves" NOERROR "www.z03.test. IN A 198.51.100.3" \
	@"$s4" www.z03.test A
vdt_finish
