#!/usr/bin/env python3
"""Compares a `kmip conformance` run with the expected-outcome lists.

Usage: compare.py RESULTS LABEL EXPECTED [MORE_EXPECTED ...] [--partial]
Each list has lines `NAME STATUS REASON` (STATUS: PASS, FAIL, UNSUPPORTED, or PASS|FAIL for an outcome a
token does not decide the same way each run); a later list overrides an earlier one (a second HSM
profile's list over expected.txt). A file listed but not run is a failure, except, with --partial (a
run of some of the files), in the first list. Prints one line per difference, then `PASSED SKIPPED BAD`.
"""
import sys

args = [a for a in sys.argv[1:] if a != "--partial"]
partial = "--partial" in sys.argv
results, label, lists = args[0], args[1], args[2:]
lines = [l.split(":", 1)[0].split() for l in open(results) if l.startswith(("PASS", "FAIL", "UNSUPPORTED"))]
actual = {name: status for status, name in lines}
expected, must_run = {}, set()
for i, path in enumerate(lists):
    for l in open(path):
        if l.strip() and not l.startswith("#"):
            name, status, _ = l.split(None, 2)
            expected[name] = status
            if not (partial and i == 0):
                must_run.add(name)
bad = 0
for name, status in sorted(actual.items()):
    want = expected.get(name, "PASS")
    if status not in want.split("|"):
        bad += 1
        print(f"conformance{label}: {name} is {status}, expected {want}")
for name in sorted(must_run - actual.keys()):
    bad += 1
    print(f"conformance{label}: {name} is listed as expected but was not run")
print(f"{sum(1 for s in actual.values() if s == 'PASS')} {sum(1 for s in actual.values() if s != 'PASS')} {bad}")
