#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check.sh: validate the hierarchy against Unbound (the reference resolver).
# Starts the hierarchy in a fresh netns (no default route), Unbound on 127.0.0.53
# in the same netns with our root.hints only, asks every case of hierarchy.json
# (check.py) and prints TAP. Needs root. Everything is removed on exit (lib.sh).
. "$(dirname "$0")/lib.sh"
hier_require unbound
hier_init
ns=velohier-$$
ip netns add "$ns" || hier_fail "create netns $ns"
VDT_NS_SRV=$ns VDT_TOPO=1 # vdt_topo_destroy deletes it (there is no client namespace here)
hier_start "$ns" || hier_fail "start the hierarchy" "$VDT_TMP/start.log"
hier_unbound_start "$ns" 127.0.0.53@53 || hier_fail "unbound did not come up" "$HIER_UB_LOG"
if [ -n "${CHECK_SHELL:-}" ]; then echo "# netns $ns, unbound 127.0.0.53, dir $VDT_TMP"; sleep "$CHECK_SHELL"; fi
# Unbound may spend more than 12 s on a zone with a dead and a silent server before the
# good one (halfdead): give the reference 15 s a question; velodns gets 12 s.
CHECK_TIMEOUT=${CHECK_TIMEOUT:-15} ip netns exec "$ns" timeout 180 "$VDT_PY" "$HIER_DIR/check.py" \
	"$HIER_OUT/hierarchy.json" 127.0.0.53 --reference
