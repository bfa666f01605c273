#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The standard hit-path set: N = 10k, 1M, 4M names at Zipf 0.9, 4M pre-built queries each.
# usage: run-standard.sh path/to/velodns-bench [extra velodns-bench options]
# Prints each run's table, then the JSON line of every run, one per line.
set -eu

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 path/to/velodns-bench [velodns-bench options]" >&2
	exit 2
fi
bench=$1
shift

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 10000 1000000 4000000; do
	echo "==== velodns-bench hitpath --entries $n --zipf 0.9 --queries 4000000 $*"
	"$bench" hitpath --entries "$n" --zipf 0.9 --queries 4000000 "$@" >"$tmp/out"
	cat "$tmp/out"
	tail -n 1 "$tmp/out" >>"$tmp/json"
	echo
done
echo "==== JSON, one line per run"
cat "$tmp/json"
