#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Mechanical house-style checks (STYLE.md), run by tests/run-all.sh as one test case:
#  1. every C source and header starts with an SPDX-License-Identifier line;
#  2. includes follow the layering common <- dns <- dataplane <- control:
#     common/ includes no dns/, dataplane/, control/ header, no DPDK, libbpf or libknot;
#     dns/ includes no dataplane/ or control/ header and no DPDK, libbpf or libxdp;
#     dataplane/ includes no control/ header.
# Files checked: tracked ones plus untracked ones not ignored (what the next commit
# would hold). Prints each violation as FILE:LINE: reason; exit 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' |
		while read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done)
else
	mapfile -t files < <(find . -path './build*' -prune -o -type f \( -name '*.c' -o -name '*.h' \) \
		-print | sed 's|^\./||')
fi

bad=0
fail() {
	printf '%s\n' "$*"
	bad=$((bad + 1))
}

# Which layer owns each project header, by base name (headers are included by name,
# through each layer's include_directories).
declare -A owner=()
for f in "${files[@]}"; do
	case "$f" in
	common/*.h | dns/*.h | dataplane/*.h | control/*.h)
		owner[$(basename "$f")]=${f%%/*}
		;;
	esac
done

spdx='^(/\*|//) SPDX-License-Identifier: [A-Za-z0-9.+() -]+'
for f in "${files[@]}"; do
	head -n 1 "$f" | grep -Eq "$spdx" || fail "$f:1: first line is not an SPDX-License-Identifier line"

	layer=${f%%/*}
	case "$layer" in
	common | dns | dataplane) ;;
	*) continue ;;
	esac
	# n:header for every #include line.
	while IFS=: read -r n inc; do
		base=$(basename "$inc")
		dir=${inc%/*}
		[ "$dir" = "$inc" ] && dir=
		from=${owner[$base]:-}
		# A path such as "control/cp_conf.h" names its layer even when the file is new.
		case "$dir" in
		common | dns | dataplane | control) from=$dir ;;
		esac
		ext=
		case "$inc" in
		rte_* | */rte_* | dpdk/*) ext=DPDK ;;
		bpf/* | xdp/* | linux/bpf.h) ext=libbpf/libxdp ;;
		libknot/* | libdnssec/* | libzscanner/*) ext=libknot ;;
		esac
		case "$layer:$from:$ext" in
		common:dns:* | common:dataplane:* | common:control:*)
			fail "$f:$n: common/ must not include $from/ header $inc" ;;
		common::DPDK | common::libbpf/libxdp | common::libknot)
			fail "$f:$n: common/ must not include $ext header $inc" ;;
		dns:dataplane:* | dns:control:*)
			fail "$f:$n: dns/ must not include $from/ header $inc" ;;
		dns::DPDK | dns::libbpf/libxdp)
			fail "$f:$n: dns/ must not include $ext header $inc" ;;
		dataplane:control:*)
			fail "$f:$n: dataplane/ must not include control/ header $inc" ;;
		esac
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
		sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1:\2/')
done

if [ "$bad" -ne 0 ]; then
	echo "check-style: $bad violation(s) in ${#files[@]} files"
	exit 1
fi
echo "check-style: ${#files[@]} files OK (SPDX, layering)"
