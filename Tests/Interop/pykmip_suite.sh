#!/usr/bin/env bash
# PyKMIP's own integration tests (kmip/tests/integration/services: test_integration.py for its
# KMIPProxy, test_proxykmipclient.py for its ProxyKmipClient), unchanged from the PyKMIP 0.11.0 source
# release, run against a fresh kmipd of their own. They were written against PyKMIP's reference server,
# so they show what a client built there meets here. Each test that does not pass is listed with its
# reason in Tests/Interop/pykmip-expected.txt; any other outcome fails this step.
# Usage: pykmip_suite.sh BIN_DIR WORK_DIR   (prints 'pykmip-suite: N passed, M failed')
set -uo pipefail
bin=$1
mkdir -p "$2" && work=$(mktemp -d "$2/run.XXXXXX")  # a fresh state and port on every run
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=0.11.0
sha256=eb42e2d9674e470935d98474b8502e675894cc8489362d8419fdd957319f2b3e
cache="$root/.build/pykmip-source"
mkdir -p "$cache"
tarball="$cache/pykmip-$version.tar.gz"
if ! echo "$sha256  $tarball" | sha256sum -c --status 2>/dev/null; then
    rm -f "$tarball"
    "$root/.venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: -d "$cache" "pykmip==$version" >/dev/null 2>&1
    echo "$sha256  $tarball" | sha256sum -c --status || { echo "FAIL pykmip-suite: cannot fetch the PyKMIP $version source release"; echo "pykmip-suite: 0 passed, 1 failed"; exit 1; }
fi
tar -xzf "$tarball" -C "$work" "pykmip-$version/kmip/tests/integration"
tests="$work/pykmip-$version/kmip/tests/integration"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/kmipd" dev init --state "$work/state" --port "$port" > /dev/null || { echo "pykmip-suite: 0 passed, 1 failed"; exit 1; }
"$bin/kmipd" serve --config "$work/state/kmipd.json" 2> "$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
pki="$work/state/pki"
# The tests read their client settings from ~/.pykmip/pykmip.conf, section "client".
mkdir -p "$work/home/.pykmip"
cat > "$work/home/.pykmip/pykmip.conf" <<CONF
[client]
host=127.0.0.1
port=$port
certfile=$pki/client.crt
keyfile=$pki/client.key
ca_certs=$pki/ca.crt
cert_reqs=CERT_REQUIRED
ssl_version=PROTOCOL_SSLv23
do_handshake_on_connect=True
suppress_ragged_eofs=True
CONF
# Run from inside the extracted tree so its conftest.py (the client fixtures) applies; the installed
# PyKMIP package is the client under test.
(cd "$tests" && HOME="$work/home" timeout 600 "$root/.venv/bin/python" -m pytest -p no:cacheprovider -q -rA \
    services/test_integration.py services/test_proxykmipclient.py > "$work/pytest.txt" 2>&1)
python3 - "$work/pytest.txt" "$here/pykmip-expected.txt" <<'PY'
import re, sys
outcome = {}
for line in open(sys.argv[1]):
    m = re.match(r"^(PASSED|FAILED|ERROR) \S+::(\w+)::(\w+)", line)
    if m:
        outcome[f"{m.group(2)}.{m.group(3)}"] = "PASS" if m.group(1) == "PASSED" else "FAIL"
expected = {}
for line in open(sys.argv[2]):
    if line.strip() and not line.startswith("#"):
        expected[line.split()[0]] = "FAIL"
ok = bad = 0
for name in sorted(outcome):
    want = expected.get(name, "PASS")
    if outcome[name] == want:
        ok += 1
        print(f"ok   pykmip-suite: {name} {'passes' if want == 'PASS' else 'fails as listed'}")
    else:
        bad += 1
        print(f"FAIL pykmip-suite: {name} is {outcome[name]}, expected {want}")
for name in expected:
    if name not in outcome:
        bad += 1
        print(f"FAIL pykmip-suite: {name} is listed but did not run")
if not outcome:
    print(open(sys.argv[1]).read()[-3000:])
    bad += 1
passed = sum(1 for s in outcome.values() if s == "PASS")
print(f"pykmip-suite: {passed} of {len(outcome)} of PyKMIP's own tests pass")
print(f"pykmip-suite: {ok} passed, {bad} failed")
PY
