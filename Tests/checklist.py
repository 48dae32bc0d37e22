"""The report every live-server check script prints: one `PREFIX: NAME ok` or `PREFIX: NAME FAIL detail`
line per check (the detail also after ok when `details_when_ok`), and a closing
`LABEL: N passed, M failed` line that scripts/test adds to its total."""
import sys


class Checklist:
    def __init__(self, prefix, details_when_ok=True):
        self.prefix, self.details_when_ok = prefix, details_when_ok
        self.passed, self.failed = 0, 0

    def check(self, name, ok, detail=""):
        if ok: self.passed += 1
        else: self.failed += 1
        shown = detail if (not ok or self.details_when_ok) else ""
        print(f"{self.prefix}: {name} {'ok' if ok else 'FAIL'} {shown}".rstrip(), flush=True)
        return ok

    def finish(self, label=None):
        """Prints the closing count and exits 1 when a check failed."""
        print(f"{label or self.prefix}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)
