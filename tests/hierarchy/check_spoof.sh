#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check_spoof.sh: forged replies and out-of-bailiwick records never reach velodns's
# cache. spoof.lab. is served by tinyauth.py in spoof mode (127.0.0.60), which sends,
# before every genuine UDP reply, forgeries carrying 192.0.2.99 / 2001:db8:bad::99: a
# wrong ID, the right ID from another source port, from another address (127.0.0.61);
# for www. and cname. also QR=0, another question (www.z02.test. A), another type. The genuine replies of
# junk.spoof.lab. and cname.spoof.lab. carry out-of-bailiwick records in answer,
# authority and additional (www.z03.test., www.z04.test., lab. NS, z03.test. NS,
# ns1.z03.test., www.oob.). The client must get the genuine answers, the names the
# poison was for must resolve to their real data, `veloctl cache dump` (the master
# cache) must hold no poison, and the resolver's upstream_mismatched counter must
# count every forgery. Needs root and $VELODNS, $VELOCTL (lib.sh).
. "$(dirname "$0")/lib.sh"
hier_require velodns
hier_init
hier_velodns_setup
vdt_plan 20
s=$HIER_VD_ADDR
q() { vdt_q "$1" "$2" "$3" @"$s" +time=5 +tries=1 "${@:4}"; }

# Genuine answers, the forgeries before them ignored.
q "www.spoof.lab A: the genuine address (six forgeries before it)" NOERROR \
	"www.spoof.lab. IN A 198.51.100.77" www.spoof.lab A
q "www.spoof.lab AAAA: NODATA (forgeries carried 2001:db8:bad::99)" NOERROR "" www.spoof.lab AAAA
q "junk.spoof.lab A: only the genuine record of the reply (it carried out-of-bailiwick ones)" \
	NOERROR "junk.spoof.lab. IN A 198.51.100.78" junk.spoof.lab A
q "cname.spoof.lab A: the target outside the zone looked up, not taken from the reply" NOERROR \
	"cname.spoof.lab. IN CNAME www.z04.test.
www.z04.test. IN A 198.51.100.4" cname.spoof.lab A
q "www.spoof.lab A again (from the cache): still the genuine address" NOERROR \
	"www.spoof.lab. IN A 198.51.100.77" www.spoof.lab A

# The names the poison was for resolve to their real data.
q "www.z02.test A (forged question) is real" NOERROR "www.z02.test. IN A 198.51.100.2" www.z02.test A
q "www.z03.test A (out-of-bailiwick answer) is real" NOERROR "www.z03.test. IN A 198.51.100.3" \
	www.z03.test A
q "ns1.z03.test A (out-of-bailiwick additional) is real" NOERROR "ns1.z03.test. IN A 127.0.0.23" \
	ns1.z03.test A
q "z03.test NS (out-of-bailiwick authority) is real" NOERROR "z03.test. IN NS ns1.z03.test.
z03.test. IN NS ns2.z03.test." z03.test NS
q "lab. NS (the parent's NS claimed by the child) is real" NOERROR "lab. IN NS ns.nic.lab." lab NS
q "www.oob A (unrelated additional) is real" NOERROR "www.oob. IN A 198.51.100.80" www.oob A
q "www.z04.test AAAA (forged type in cname.spoof.lab's replies) is real" NOERROR \
	"www.z04.test. IN AAAA 2001:db8::4" www.z04.test AAAA

# The master cache holds the genuine data and none of the poison.
dump=$(vdt_ctl cache dump 2>&1)
vdt_like "cache dump holds the genuine www.spoof.lab A" "$dump" \
	'^www\.spoof\.lab\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+198\.51\.100\.77'
vdt_like "cache dump holds the genuine z03.test NS" "$dump" \
	'^z03\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+NS[[:space:]]+ns1\.z03\.test\.'
vdt_unlike "cache dump: no 192.0.2.99 anywhere" "$dump" '192\.0\.2\.99'
vdt_unlike "cache dump: no 2001:db8:bad::99 anywhere" "$dump" '2001:db8:bad::99'
vdt_unlike "cache dump: ns.spoof.lab is NS of spoof.lab only (not lab., not z03.test.)" "$dump" \
	'^(lab|z03\.test)\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+NS[[:space:]]+ns\.spoof\.lab\.'

# Every forgery was seen and ignored: the spoofer logs how many it sent per query (six
# for www. and cname., three for the others).
forged=$(awk '$1 == "forged" { n += $2 } END { print n + 0 }' "$HIER_OUT/run/spoofer.stderr")
strict=$(grep -c '^forged 6 ' "$HIER_OUT/run/spoofer.stderr")
vdt_ok "$([ "$strict" -ge 3 ] && echo 0 || echo 1)" \
	"the spoofer forged six replies for each of $strict queries for www. and cname. (>= 3)" \
	"$(cat "$HIER_OUT/run/spoofer.stderr")"
mism=$(vdt_stats_json | vdt_json 'j["resolver"]["upstream_mismatched"]')
vdt_ok "$([ -n "$mism" ] && [ "$mism" -ge "$forged" ] && echo 0 || echo 1)" \
	"stats: resolver.upstream_mismatched ($mism) counts all $forged forgeries"
vdt_ok "$(vdt_daemon_alive && echo 0 || echo 1)" "velodns still running"
vdt_finish
