#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build a release tree (build-release, gcc) and run the standard hit-path benchmark set.
# usage: bench/hitpath.sh [extra velodns-bench options, e.g. --burst 16]
# BUILD_DIR overrides the build directory (default: build-release at the top of the tree).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bdir=${BUILD_DIR:-$top/build-release}

if [ ! -f "$bdir/build.ninja" ]; then
	CC=gcc meson setup "$bdir" "$top" -Dbuildtype=release
else
	# An existing tree keeps its compiler; make sure it is still a release build.
	meson configure "$bdir" -Dbuildtype=release >/dev/null
fi
ninja -C "$bdir" bench/velodns-bench
exec "$top/bench/run-standard.sh" "$bdir/bench/velodns-bench" "$@"
