#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs a libFuzzer target with a scratch corpus dir in the build tree given FIRST,
# so the new inputs libFuzzer writes land there and the committed seed corpora
# (passed after it, only read) stay as make-corpus.py wrote them.
# usage: run-fuzz.sh FUZZER WORK_DIR [libFuzzer flags and seed dirs...]
set -eu
fuzzer=$1 work=$2
shift 2
mkdir -p "$work/corpus" "$work/artifacts"
# A crash or timeout must fail the test: libFuzzer's default exit code 77 reads as SKIP.
exec "$fuzzer" -error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$@"
