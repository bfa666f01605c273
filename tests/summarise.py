#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Sum what tests/run-all.sh ran into one closing line: "N passed, N failed".

    summarise.py MANIFEST        print the summary; exit 0 only if failed == 0 and passed > 0
    summarise.py --suites DIR    print the test suites defined in meson build dir DIR

MANIFEST is written by run-all.sh, one tab-separated record per line:

    case  NAME  ok|fail|skip  [DETAIL]            a step counted as one case (style, builds)
    run   LABEL  BUILDDIR  LOG.json  RC  SANDIR   one `meson test` invocation

What counts as a case, from what criterion 2.4.1 and meson 1.0.1 actually produce:
- testlog.json holds one JSON object per test binary (name, result, returncode, stdout,
  optional stderr) but no protocol; the protocol comes from meson-info/intro-tests.json.
- A TAP test (criterion run with --tap) counts each top-level `ok` / `not ok` line.
  Criterion writes "ok - suite::name  (0.00s)", "not ok - suite::name ...", and
  "ok - suite::name  # SKIP reason" for skipped or disabled tests; its YAML failure
  details are indented, so only lines starting in column 0 are read.
- Cases the plan (1..N) promised but the output never reported count as failed (the
  binary died part-way); a binary meson marks FAIL/ERROR/TIMEOUT with no failing case
  of its own (crash before any output, non-zero exit after all cases passed) counts as
  one failed case.
- Any other test counts once, by meson's result, except that a "SKIP" (exit 77)
  whose output shows a libFuzzer or sanitizer crash is a failure: 77 is libFuzzer's
  default -error_exitcode.
- Criterion reports a test that leaks as passing, because LeakSanitizer only runs when
  the test process exits. run-all.sh points the sanitizers' log_path at SANDIR, and
  each LeakSanitizer report found there counts as one failed case, unless its stack
  runs through a case that already failed (an aborted assertion skips the test's
  cleanup, so the leak is a consequence, not news). Other sanitizer
  reports (ASan, UBSan) are listed for diagnosis only: with halt_on_error=1 they
  already failed their test.
- `meson test` exiting non-zero with nothing else failed, or leaving no log, is one
  failed case, so no failure is ever hidden.
"""

import glob
import json
import os
import re
import sys

TAP_RESULT = re.compile(r'^(not )?ok\b(.*)$')
TAP_PLAN = re.compile(r'^1\.\.(\d+)')
TAP_DIRECTIVE = re.compile(r'#\s*(SKIP|TODO)\b', re.IGNORECASE)
MESON_PASS = {'OK', 'EXPECTEDFAIL'}
MESON_SKIP = {'SKIP'}


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []          # one line per failed case, for the report

    def add(self, outcome, what=''):
        if outcome == 'ok':
            self.passed += 1
        elif outcome == 'skip':
            self.skipped += 1
        else:
            self.failed += 1
            if what is not None:        # None: counted, but already described
                self.failures.append(what)

    def merge(self, other):
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        self.failures += other.failures

    def line(self):
        s = f'{self.passed} passed, {self.failed} failed'
        return s + (f', {self.skipped} skipped' if self.skipped else '')


def test_protocols(builddir):
    """Test name as testlog.json spells it -> protocol ('tap', 'exitcode', ...).

    testlog.json names a test "name" when the build has one suite, and
    "project:suite / name" when it has several, so both spellings are keys.
    """
    path = os.path.join(builddir, 'meson-info', 'intro-tests.json')
    try:
        with open(path) as f:
            tests = json.load(f)
    except (OSError, ValueError):
        return {}
    protocols = {}
    for t in tests:
        proto = t.get('protocol', 'exitcode')
        protocols[t['name']] = proto
        for suite in t.get('suite', []):
            protocols[f'{suite} / {t["name"]}'] = proto
    return protocols


def looks_like_tap(test):
    """Fallback when introspection does not know the test: TAP output on stdout."""
    out = test.get('stdout') or ''
    return out.startswith('TAP version') or bool(re.search(r'^1\.\.\d+', out, re.M))


CRASH_SIGNS = ('ERROR: libFuzzer', 'ERROR: AddressSanitizer', 'ERROR: LeakSanitizer',
               'SUMMARY: UndefinedBehaviorSanitizer', 'Test unit written to')


def crash_signature(test):
    """What in a test's output says it crashed (libFuzzer, sanitizers), or ''."""
    out = (test.get('stdout') or '') + (test.get('stderr') or '')
    for line in out.splitlines():
        if any(sign in line for sign in CRASH_SIGNS):
            return line.strip()
    return ''


def list_suites(builddir):
    """Suite names without the 'project:' prefix meson gives them."""
    path = os.path.join(builddir, 'meson-info', 'intro-tests.json')
    try:
        with open(path) as f:
            tests = json.load(f)
    except (OSError, ValueError):
        return []
    return sorted({s.split(':', 1)[-1] for t in tests for s in t.get('suite', [])})


def tap_detail(lines, start):
    """The failure lines of the indented YAML block criterion writes after `not ok`."""
    out = []
    for line in lines[start:start + 40]:
        if not line.startswith(' '):
            break
        text = line.strip()
        if text and text not in ('---', '...', 'failures:', '|+') \
                and not text.startswith('assertions:'):
            out.append(text.rstrip(' |+'))
    return ''.join('\n      ' + t for t in out[:6])


def count_tap(test, label, tally, failed_impls):
    """Count the TAP cases of one test binary; return how many of them failed.

    Adds to failed_impls the C function criterion generates for each failed case
    (Test(suite, name) -> suite_name_impl), so that a leak it caused by aborting
    before its cleanup is not counted a second time."""
    name = test.get('name', '?')
    result = test.get('result', '?')
    plan, seen, failed_here = None, 0, 0
    lines = (test.get('stdout') or '').splitlines()
    for i, line in enumerate(lines):
        m = TAP_PLAN.match(line)
        if m:
            plan = int(m.group(1))
            continue
        if line.startswith('Bail out!'):
            tally.add('fail', f'{label} {name}: {line}')
            failed_here += 1
            continue
        m = TAP_RESULT.match(line)
        if not m:
            continue
        seen += 1
        directive = TAP_DIRECTIVE.search(m.group(2))
        if directive:
            # ok # SKIP and not ok # TODO are not failures; ok # TODO is a pass.
            kind = directive.group(1).upper()
            if kind == 'SKIP' or m.group(1):
                tally.add('skip')
                continue
        if m.group(1):
            tally.add('fail', f'{label} {name}: {line.strip()}{tap_detail(lines, i + 1)}')
            case = re.match(r'\s*-?\s*(\w+)::(\w+)', m.group(2))
            if case:
                failed_impls.add(f'{case.group(1)}_{case.group(2)}_impl')
            failed_here += 1
        else:
            tally.add('ok')
    if plan is not None and plan > seen:
        tally.add('fail', f'{label} {name}: {plan - seen} planned case(s) never '
                  f'reported (result {result}, exit {test.get("returncode")})')
        for _ in range(plan - seen - 1):
            tally.add('fail', None)
        failed_here += plan - seen
    if result not in MESON_PASS | MESON_SKIP and failed_here == 0:
        tally.add('fail', f'{label} {name}: {result}, exit {test.get("returncode")}, '
                  f'{seen} case(s) reported')
        failed_here += 1
    elif seen == 0 and plan in (None, 0) and failed_here == 0:
        tally.add('skip')           # 1..0: nothing to run
    return failed_here


def count_run(label, builddir, log, rc, sandir):
    tally = Tally()
    failed_impls = set()
    protocols = test_protocols(builddir)
    try:
        with open(log) as f:
            tests = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        tally.add('fail', f'{label}: meson test exited {rc} without writing {log} '
                  '(its output above says why)')
        return tally
    except (OSError, ValueError) as e:
        tally.add('fail', f'{label}: unreadable test log {log} ({e}); meson test exited {rc}')
        return tally
    for t in tests:
        name, result = t.get('name', '?'), t.get('result', '?')
        proto = protocols.get(name)
        if proto == 'tap' or (proto is None and looks_like_tap(t)):
            count_tap(t, label, tally, failed_impls)
        elif result in MESON_PASS:
            tally.add('ok')
        elif result in MESON_SKIP and not crash_signature(t):
            tally.add('skip')
        elif result in MESON_SKIP:
            # libFuzzer exits 77 on a crash (-error_exitcode), which meson reads as SKIP.
            tally.add('fail', f'{label} {name}: crashed ({crash_signature(t)}) but exited '
                      f'{t.get("returncode")}, which meson took for a skip')
        else:
            tally.add('fail', f'{label} {name}: {result}, exit {t.get("returncode")}')
    for path in sorted(glob.glob(os.path.join(sandir, '*'))) if sandir else []:
        try:
            with open(path, errors='replace') as f:
                text = f.read()
        except OSError:
            continue
        if 'LeakSanitizer: detected memory leaks' in text:
            # Frames: "#N 0xADDR in FUNC LOCATION"; name the first one in our code.
            frames = re.findall(r'#\d+ 0x[0-9a-f]+ in (\S+) (\S+)', text)
            ours = [f for f in frames if not f[0].startswith(('__interceptor', '__libc'))
                    and not f[1].startswith(('(', '/usr/'))]     # '(' = no debug info
            where = f' at {ours[0][0]} {ours[0][1]}' if ours else ''
            impls = {f[0] for f in frames if f[0].endswith('_impl')}
            if impls & failed_impls:
                print(f'  sanitizer: leak{where} from an already failed test ({path})')
            else:
                tally.add('fail', f'{label} memory leak{where} (report {path})')
        else:
            first = next((ln.strip() for ln in text.splitlines()
                          if 'ERROR:' in ln or 'runtime error' in ln), None) \
                or next((ln.strip()[:160] for ln in text.splitlines() if ln.strip()), 'empty')
            case = next((f[:-len('_impl')] for f in re.findall(r' in (\w+_impl) ', text)), None)
            in_case = f' in {case}' if case else ''
            print(f'  sanitizer{in_case}: {first} ({path})')
    if int(rc) != 0 and tally.failed == 0:
        tally.add('fail', f'{label}: meson test exited {rc} with no failed test in its log')
    print(f'  {label}: {tally.line()} ({len(tests)} test binaries)')
    return tally


def main(argv):
    if len(argv) == 3 and argv[1] == '--suites':
        print('\n'.join(list_suites(argv[2])))
        return 0
    if len(argv) != 2:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    total = Tally()
    with open(argv[1]) as f:
        records = [line.rstrip('\n').split('\t') for line in f if line.strip()]
    print('run-all: summary')
    for r in records:
        if r[0] == 'case':
            name, outcome = r[1], r[2]
            detail = r[3] if len(r) > 3 else ''
            total.add(outcome, f'{name}: {detail}' if detail else name)
            print(f'  {name}: {outcome}' + (f' ({detail})' if detail else ''))
        elif r[0] == 'run':
            total.merge(count_run(*r[1:6]))
    if total.failures:
        print(f'run-all: {total.failed} failed case(s):')
        for what in total.failures[:50]:
            print(f'  FAILED {what}')
        if len(total.failures) > 50:
            print(f'  ... and {len(total.failures) - 50} more')
    # The last line is exactly "N passed, N failed", as CI reads it; skips go just before.
    if total.skipped:
        print(f'{total.skipped} skipped (not counted as passed or failed)')
    print(f'{total.passed} passed, {total.failed} failed')
    return 0 if total.failed == 0 and total.passed > 0 else 1


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv))
    except Exception:                   # a bug here must not eat the closing line
        import traceback
        traceback.print_exc()
        print('summarise.py crashed: counting the run as failed')
        print('0 passed, 1 failed')
        sys.exit(1)
