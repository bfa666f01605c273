#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# velodns --check: a good file passes; a broken one exits 1 with FILE:LINE:COL and the
# field named, for each kind of mistake; a bad file given without --check is refused
# the same way before anything starts. Needs no root and starts no dataplane.
. "$(dirname "$0")/lib.sh"

[ -x "$VELODNS" ] || vdt_skip_all "velodns not built ($VELODNS)"
vdt_init
vdt_plan 11

good=$VDT_TMP/good.conf
cat >"$good" <<-CONF
	server:
	  control-socket: $VDT_TMP/ctl.sock
	  service-addresses: [198.18.0.2/24, "2001:db8::53/64"]
	eal: { hugepages: false, memory: 512M }
	ports:
	  - { name: dp0, mode: af_xdp, interface: vd0s$$ }
	local-data:
	  - "www.example.test. 300 IN A 198.18.100.10"
CONF
out=$("$VELODNS" --check -c "$good" 2>&1)
vdt_ok $? "--check on a good file exits 0" "$out"
out=$("$VELODNS" --check -c "$VDT_TOP/deploy/velodns.conf.example" 2>&1)
vdt_ok $? "--check on deploy/velodns.conf.example exits 0" "$out"

# bad NAME FIELD_REGEX WANT_LINE: the file $VDT_TMP/NAME.conf (already written) must
# fail --check with exit 1 and "velodns: FILE:LINE:COL: FIELD...".
bad() {
	local f=$VDT_TMP/$1.conf out rc
	out=$("$VELODNS" --check -c "$f" 2>&1)
	rc=$?
	vdt_like "$1: exit 1, names $f:$3 and $2" "exit $rc: $out" \
		"^exit 1: velodns: $f:$3:[0-9]+: $2"
}

# A typo in a key (line 3).
cat >"$VDT_TMP/unknown-key.conf" <<-CONF
	server:
	  service-addresses: [198.18.0.2]
	  max-udp-sise: 1232
	ports:
	  - { interface: vd0s$$ }
CONF
bad unknown-key 'server\.max-udp-sise' 3

# A value of the wrong kind (line 6).
cat >"$VDT_TMP/bad-size.conf" <<-CONF
	server:
	  service-addresses: [198.18.0.2]
	ports:
	  - { interface: vd0s$$ }
	cache:
	  memory-per-worker: 25x6M
CONF
bad bad-size 'cache\.memory-per-worker' 6

# Not an address (line 4).
cat >"$VDT_TMP/bad-address.conf" <<-CONF
	server:
	  service-addresses:
	    - 198.18.0.2/24
	    - 198.18.0.300
	ports:
	  - { interface: vd0s$$ }
CONF
bad bad-address 'server\.service-addresses' 4

# A record that does not parse (line 6).
cat >"$VDT_TMP/bad-rr.conf" <<-CONF
	server:
	  service-addresses: [198.18.0.2]
	ports:
	  - { interface: vd0s$$ }
	local-data:
	  - "www.example.test. 300 IN A 198.18.100.300"
CONF
bad bad-rr 'local-data' 6

# The control lcore listed as a worker (line 6).
cat >"$VDT_TMP/bad-lcores.conf" <<-CONF
	server:
	  service-addresses: [198.18.0.2]
	ports:
	  - { interface: vd0s$$ }
	workers:
	  lcores: [0]
CONF
bad bad-lcores 'workers\.lcores' 6

# An EAL option velodns sets itself (line 5).
cat >"$VDT_TMP/bad-eal.conf" <<-CONF
	server:
	  service-addresses: [198.18.0.2]
	eal:
	  args:
	    - "--lcores=0@0,1@1"
	ports:
	  - { interface: vd0s$$ }
CONF
bad bad-eal 'eal\.args' 5

# Broken YAML (unclosed flow sequence from line 2).
cat >"$VDT_TMP/bad-yaml.conf" <<-CONF
	server:
	  service-addresses: [198.18.0.2
	ports:
	  - { interface: vd0s$$ }
CONF
out=$("$VELODNS" --check -c "$VDT_TMP/bad-yaml.conf" 2>&1)
vdt_like "YAML syntax error: exit 1 with FILE:LINE:COL" "exit $?: $out" \
	"^exit 1: velodns: $VDT_TMP/bad-yaml.conf:[0-9]+:[0-9]+: "

out=$("$VELODNS" --check -c "$VDT_TMP/missing.conf" 2>&1)
vdt_like "missing file: exit 1, names the file" "exit $?: $out" \
	"^exit 1: velodns: $VDT_TMP/missing.conf: "

# Without --check the daemon refuses the same file before it starts anything.
out=$(timeout 20 "$VELODNS" -c "$VDT_TMP/bad-size.conf" 2>&1)
vdt_like "start with a bad file: exit 1, FILE:LINE named" "exit $?: $out" \
	"^exit 1: velodns: $VDT_TMP/bad-size.conf:6:[0-9]+: cache\\.memory-per-worker"

vdt_finish
