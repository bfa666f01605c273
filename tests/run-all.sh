#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The one test command: sudo ./tests/run-all.sh
#
#  1. deploy/install-deps.sh (a no-op taking ~1 s when everything is installed);
#  2. tests/check-style.sh, counted as one test case;
#  3. build-test-gcc:  gcc, -Dwerror=true, debugoptimized; builds everything
#     (`ninja`, not just what the tests need), then suites unit, integration, root;
#  4. build-test-asan: clang, -Dwerror=true, ASan+UBSan, -Dfuzz=enabled; builds
#     everything, then suites unit and fuzz;
#  5. tests/summarise.py sums every case into the last line, "N passed, N failed"
#     (skipped cases, if any, are counted on the line before it).
# Suites that no meson.build defines yet are skipped with a note. A step that fails
# (deps, configure, build) counts as one failed case and the rest still runs where
# it can. Exit status 0 only if nothing failed and something passed.
#
# Build dirs are reused (meson setup --reconfigure) and wiped only when that fails.
# Sanitizer reports from the asan runs go to build-test-asan/meson-logs/sanitizer-<suite>/
# (criterion swallows a test's stderr under --tap, so that is where to look).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
t0=$SECONDS
MANIFEST=$(mktemp /tmp/velodns-run-all.XXXXXX)
SETUP_LOG_DIR=$(mktemp -d /tmp/velodns-setup.XXXXXX)
trap 'rm -rf "$MANIFEST" "$SETUP_LOG_DIR"' EXIT

# Debian's python3 (installed by install-deps.sh) rather than whatever PATH offers first.
py() {
	if [ -x /usr/bin/python3 ]; then /usr/bin/python3 "$@"; else python3 "$@"; fi
}
say() { printf '\n==> %s\n' "$*"; }
record_case() { printf 'case\t%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$MANIFEST"; }

# Without python3 nothing can be summed: still end on the closing line.
finish() {
	# Under sudo, give the build dirs back to the developer who ran it.
	if [ -n "${SUDO_UID:-}" ] && [ "$(id -u)" -eq 0 ]; then
		chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$ROOT"/build-test-gcc "$ROOT"/build-test-asan \
			2>/dev/null || true
	fi
	echo
	echo "run-all: wall time $((SECONDS - t0)) s"
	if command -v python3 >/dev/null || [ -x /usr/bin/python3 ]; then
		py "$ROOT/tests/summarise.py" "$MANIFEST"
		exit $?
	fi
	echo "run-all: python3 missing, cannot sum test logs"
	echo "0 passed, 1 failed"
	exit 1
}

# Sanitizers: fatal on the first error, with stacks, leak checking on. Reports go to
# files because criterion hides its test processes' stderr under --tap, and because
# a leak found at exit does not fail a criterion test: summarise.py counts them.
sanitizer_env() {
	local dir=$1 extra=${2:-}
	local supp=
	rm -rf "$dir" && mkdir -p "$dir"
	[ -f "$ROOT/tests/lsan.supp" ] && supp=":suppressions=$ROOT/tests/lsan.supp"
	export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:print_summary=1$extra:log_path=$dir/asan"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:print_summary=1:log_path=$dir/ubsan"
	export LSAN_OPTIONS="print_suppressions=0$supp"
}

# setup_build DIR ENV... -- MESON_OPTIONS...: configure DIR, reusing it when possible.
setup_build() {
	local dir=$1
	shift
	local -a envs=()
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	local logf=$SETUP_LOG_DIR/$dir.log
	# A dir configured with another compiler cannot be switched by --reconfigure.
	local want=
	for e in "${envs[@]}"; do
		case "$e" in CC=*) want=${e#CC=} ;; esac
	done
	local mlog=$dir/meson-logs/meson-log.txt
	if [ -n "$want" ] && [ -f "$mlog" ] &&
		! grep -q "^C compiler for the host machine: $want " "$mlog"; then
		echo "run-all: $dir was not configured with $want, starting it afresh"
		rm -rf "$dir"
	fi
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		env "${envs[@]}" meson setup --reconfigure "$dir" "$@" >"$logf" 2>&1 ||
			env "${envs[@]}" meson setup --wipe "$dir" "$@" >"$logf" 2>&1
	else
		rm -rf "$dir"
		env "${envs[@]}" meson setup "$dir" "$@" >"$logf" 2>&1
	fi
	local rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 40 "$logf"
	else
		grep -E 'WARNING|DEPRECATION|Build targets in project' "$logf" || true
	fi
	return $rc
}

# build LABEL DIR ENV... -- MESON_OPTIONS...: configure + build everything; 0 if OK.
build() {
	local label=$1 dir=$2
	shift 2
	say "$label: configure $dir"
	if ! setup_build "$dir" "$@"; then
		echo "run-all: FAILED step: meson setup $dir"
		record_case "build $label" fail "meson setup $dir failed"
		return 1
	fi
	say "$label: ninja -C $dir"
	if ! ninja -C "$dir" </dev/null; then
		echo "run-all: FAILED step: ninja -C $dir"
		record_case "build $label" fail "ninja -C $dir failed"
		return 1
	fi
	return 0
}

# run_suite LABEL DIR SUITE SANDIR [meson test args...]: run one suite if it exists.
run_suite() {
	local label=$1 dir=$2 suite=$3 sandir=$4
	shift 4
	local suites
	suites=$(py "$ROOT/tests/summarise.py" --suites "$dir")
	if ! grep -qx "$suite" <<<"$suites"; then
		if [ "$suite" = unit ]; then
			# A test command that runs no unit test must not pass.
			echo "run-all: FAILED step: $label: no tests in suite 'unit'"
			record_case "$label/unit" fail "no tests in suite 'unit'"
		else
			echo "run-all: $label: no tests in suite '$suite' yet, skipped"
		fi
		return 0
	fi
	if [ "$suite" = root ] && [ "$(id -u)" -ne 0 ]; then
		echo "run-all: $label: suite 'root' needs root, skipped"
		record_case "$label/root" skip "not run: needs root"
		return 0
	fi
	local logbase=run-all-$suite
	rm -f "$dir/meson-logs/$logbase.json"
	say "$label: meson test --suite $suite"
	meson test -C "$dir" --suite "$suite" --logbase "$logbase" --print-errorlogs "$@" </dev/null
	local rc=$?
	printf 'run\t%s\t%s\t%s\t%s\t%s\n' "$label/$suite" "$dir" \
		"$dir/meson-logs/$logbase.json" "$rc" "$sandir" >>"$MANIFEST"
}

say "install-deps"
if ! bash "$ROOT/deploy/install-deps.sh"; then
	echo "run-all: FAILED step: deploy/install-deps.sh"
	record_case install-deps fail "deploy/install-deps.sh failed"
	# Without the toolchain nothing below can work.
	command -v meson >/dev/null && [ -x /usr/bin/python3 ] || finish
fi

say "check-style"
if bash "$ROOT/tests/check-style.sh"; then
	record_case check-style ok
else
	record_case check-style fail "tests/check-style.sh found violations"
fi

# Options common to both builds: fail loudly rather than skip a missing dependency.
COMMON=(-Dwerror=true -Dtests=enabled -Ddataplane=enabled)

if build gcc build-test-gcc CC=gcc -- "${COMMON[@]}" --buildtype=debugoptimized; then
	unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
	# Each later suite excludes the earlier ones, so a test in two suites runs once.
	run_suite gcc build-test-gcc unit ''
	run_suite gcc build-test-gcc integration '' --no-suite unit
	run_suite gcc build-test-gcc root '' --no-suite unit --no-suite integration
fi

if build asan build-test-asan CC=clang -- "${COMMON[@]}" --buildtype=debugoptimized \
	-Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=enabled; then
	for suite in unit fuzz; do
		sandir=$ROOT/build-test-asan/meson-logs/sanitizer-$suite
		# Full malloc stacks for unit tests, so a leak report names the test (libknot
		# and criterion have no frame pointers); fuzzers keep the fast unwinder.
		if [ "$suite" = unit ]; then
			sanitizer_env "$sandir" :fast_unwind_on_malloc=0
		else
			sanitizer_env "$sandir"
		fi
		excl=()
		[ "$suite" = unit ] || excl=(--no-suite unit)
		run_suite asan build-test-asan "$suite" "$sandir" "${excl[@]}" --timeout-multiplier 3
	done
	unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
fi

finish
