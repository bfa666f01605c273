#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check_diff.sh: differential test. velodns (AF_XDP on the veth, 198.18.0.2:53) and
# Unbound (198.18.0.2:5353, the kernel's socket) resolve through the same private
# hierarchy with the same root hints, in the same namespace; the client namespace asks
# both the same few hundred questions generated from the zone data (check_diff.py, which
# lists the questions, the normalisations and the expected differences) and every
# question is one TAP point. Needs root and $VELODNS, $VELOCTL. Everything is removed on
# exit (lib.sh). The last point is a control: www.example.test (velodns's local data, not
# in the hierarchy) must be seen to differ.
. "$(dirname "$0")/lib.sh"
hier_require velodns unbound
hier_init
hier_velodns_setup
hier_unbound_start "$VDT_NS_SRV" "$HIER_UB_ADDR@$HIER_UB_PORT" ||
	hier_fail "unbound did not come up" "$HIER_UB_LOG"
hier_cli timeout 600 "$VDT_PY" "$HIER_DIR/check_diff.py" "$HIER_OUT" "$HIER_VD_ADDR" \
	"$HIER_UB_ADDR:$HIER_UB_PORT" --control www.example.test.:A
rc=$?
if [ $rc -ne 0 ]; then
	sed 's/^/# velodns: /' "$VDT_LOG" | tail -20
	vdt_stats_json | vdt_json '{k: j[k] for k in ("total", "control", "resolver")}' |
		sed 's/^/# velodns stats: /'
	vdt_ctl infra | sed 's/^/# velodns infra: /' | head -40
	sed 's/^/# unbound: /' "$HIER_UB_LOG" | tail -10
fi
exit $rc
