#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check_velodns.sh: velodns resolving through the private hierarchy. The hierarchy
# and velodns (AF_XDP on a veth, root hints = our root only) share one namespace with
# no default route; a client namespace asks every case of hierarchy.json (check.py)
# over the veth. Prints TAP. Needs root and $VELODNS, $VELOCTL. Everything is removed
# on exit (lib.sh).
. "$(dirname "$0")/lib.sh"
hier_require velodns
hier_init
hier_velodns_setup
# Every case, as the client asks it; the dead and silent servers must give SERVFAIL in time.
CHECK_TIMEOUT=12 hier_cli timeout 200 "$VDT_PY" "$HIER_DIR/check.py" "$HIER_OUT/hierarchy.json" \
	"$HIER_VD_ADDR"
rc=$?
[ $rc -ne 0 ] && sed 's/^/# velodns: /' "$VDT_LOG" | tail -20
# Upstream work for the whole run, as TAP comments (queries per question stay low).
vdt_stats_json | "$VDT_PY" -c 'import json,sys
r = json.loads(sys.stdin.read()).get("resolver", {})
print("# resolver: %s resolutions, %s upstream queries (%s minimised), %s timeouts, priming %s/%s"
      % tuple(r.get(k, "?") for k in ("resolutions", "upstream_queries", "qmin_queries",
                                       "upstream_timeouts", "priming_ok", "priming_queries")))' ||
	echo "# resolver: no stats"
exit $rc
