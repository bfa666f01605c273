#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# velodns on hugepages (the production setting, eal.hugepages: true, in-memory): this
# test reserves 256 x 2 MiB, checks that the daemon uses them and answers, and that
# after SIGTERM every page is free again and no hugepage file or DPDK runtime
# directory is left behind; nr_hugepages is then restored to its old value.
. "$(dirname "$0")/lib.sh"

vdt_require_root
vdt_require_daemon
vdt_require_tools dig ethtool python3
[ -w /proc/sys/vm/nr_hugepages ] || vdt_skip_all "/proc/sys/vm/nr_hugepages not writable"
vdt_init
vdt_plan 10

# Files in hugetlbfs mounts and DPDK runtime dirs, to compare before/after.
leftovers() {
	local m
	awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts | while IFS= read -r m; do
		find "$m" -maxdepth 1 -type f 2>/dev/null
	done
	find /var/run/dpdk /run/dpdk -mindepth 1 -maxdepth 2 2>/dev/null
}
files_before=$(leftovers | LC_ALL=C sort)
hp_old=$(cat /proc/sys/vm/nr_hugepages)

vdt_hugepages_reserve 256
vdt_ok $? "reserve 256 more 2 MiB hugepages (nr_hugepages was $hp_old)" || exit 1
total=$(vdt_meminfo HugePages_Total)

vdt_topo_create af_xdp 1 || exit 1
vdt_write_config "[1]" true
vdt_daemon_start 30
vdt_ok $? "velodns starts on hugepages (--in-memory)" || exit 1
vdt_q "answers www A" NOERROR "$VDT_WANT_WWW_A" @"$(vdt_addr4_srv 0)" www.example.test A
free=$(vdt_meminfo HugePages_Free)
vdt_ok "$([ "$free" -lt "$total" ] && echo 0 || echo 1)" \
	"hugepages in use while it runs ($((total - free)) of $total)"
vdt_is "no hugepage files or DPDK runtime files while it runs (--in-memory)" \
	"$(leftovers | LC_ALL=C sort)" "$files_before"
vdt_daemon_stop 10
vdt_is "SIGTERM: exits 0" "$VDT_DAEMON_RC" 0
# The kernel unpins AF_XDP memory when it releases the sockets, which may finish a
# moment after the process has been reaped: wait for it, bounded (5 s).
for _ in $(seq 1 50); do
	[ "$(vdt_meminfo HugePages_Free)" = "$total" ] && break
	sleep 0.1
done
vdt_is "after exit every hugepage is free again (within 5 s)" "$(vdt_meminfo HugePages_Free)" "$total"
vdt_is "after exit no hugepage file or runtime directory is left" \
	"$(leftovers | LC_ALL=C sort)" "$files_before"
vdt_hugepages_restore
vdt_is "nr_hugepages restored to $hp_old" "$(cat /proc/sys/vm/nr_hugepages)" "$hp_old"
vdt_topo_destroy
vdt_topo_gone
vdt_ok $? "cleanup: no namespace left"
vdt_finish
