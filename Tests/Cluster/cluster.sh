#!/usr/bin/env bash
# kmipd as a cluster: two nodes on one PostgreSQL store and one SoftHSM2 token folder. A throwaway
# PostgreSQL server is started here (scripts/postgres: initdb in a temporary folder, as an
# unprivileged user, on a free loopback port) and stopped at the end. A single-node installation is
# moved into it with `kmipd store copy`; then the OASIS files with requests alternating between the
# nodes, the cross-node checks (Tests/Cluster/cluster_checks.py), PyKMIP on both nodes at once, and
# kill -9 rounds of one node under load (Tests/Cluster/cluster_rounds.py).
#
# Usage: cluster.sh BUILD_DIR WORK_DIR [ROUNDS]
# Prints `ok   cluster: …` / `FAIL cluster: …` lines, then `cluster: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=$1; work=$2; rounds=${3:-10}
kmipd="$bin/kmipd"; kmip="$bin/kmip"
python=python3; [ -x .venv/bin/python ] && python=.venv/bin/python
passed=0; failed=0; pids=(); interop=()
pgdir=$(mktemp -d /tmp/kmipd-pg.XXXXXX)
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; scripts/postgres stop "$pgdir"; rm -rf "$pgdir"; }
trap cleanup EXIT
ok() { echo "ok   cluster: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL cluster: $1"; failed=$((failed + 1)); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
uid_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["UniqueIdentifier"])'; }

pg_port=$(scripts/postgres start "$pgdir") || { fail "PostgreSQL did not start"; echo "cluster: $passed passed, $failed failed"; exit 1; }
psql -q -h 127.0.0.1 -p "$pg_port" -U kmipd -d postgres -c "CREATE DATABASE kmipd_cluster" || fail "CREATE DATABASE"
url="postgres://kmipd@127.0.0.1:$pg_port/kmipd_cluster?sslmode=disable"

# A single node with a key, moved into the cluster's database with its token untouched.
port_a=$(free_port); port_b=$(free_port)
state="$work/state"
"$kmipd" dev init --state "$state" --port "$port_a" > /dev/null || { fail "dev init"; echo "cluster: $passed passed, $failed failed"; exit 1; }
echo "cluster-Passw0rd" | "$kmipd" passwd --file "$state/passwords.json" pykmip > /dev/null
pki="$state/pki"
conn() { echo --port "$1" --ca "$pki/ca.crt" --cert "$pki/client.crt" --key "$pki/client.key"; }
"$kmipd" serve --config "$state/kmipd.json" 2>> "$work/single.log" & single=$!
wait_port "$port_a"
before=$("$kmip" create $(conn "$port_a") --name single-node-key | uid_of)
kill "$single"; wait "$single" 2>/dev/null
if "$kmipd" store copy --from "$state/kmipd.sqlite" --to "$url" > "$work/copy.json" 2> "$work/copy.err" \
        && grep -q "^copied .* objects (100%)" "$work/copy.err"; then
    ok "store copy moved the single node's store into PostgreSQL ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["objects"])' "$work/copy.json") objects, progress shown)"
else fail "store copy: $(cat "$work/copy.err")"; fi

for n in a b; do
    python3 - "$state/kmipd.json" "$state/node-$n.json" "$url" "$n" "$([ $n = a ] && echo "$port_a" || echo "$port_b")" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.update(database=sys.argv[3], node=sys.argv[4], audit=f"audit-{sys.argv[4]}.jsonl")
c["listen"]["port"] = int(sys.argv[5]); c["policy"]["passwordFile"] = "passwords.json"
open(sys.argv[2], "w").write(json.dumps(c, indent=2))
PY
done
# A database without kmipd's tables is refused before the token is touched (a mistyped database name
# never becomes a new, empty store beside a full token).
token_objects() { "$kmipd" token status --config "$state/node-a.json" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokenObjects"])'; }
psql -q -h 127.0.0.1 -p "$pg_port" -U kmipd -d postgres -c "CREATE DATABASE kmipd_empty"
python3 - "$state/node-a.json" "$state/empty.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["database"] = c["database"].replace("/kmipd_cluster", "/kmipd_empty")
open(sys.argv[2], "w").write(json.dumps(c, indent=2))
PY
objects_before=$(token_objects)
out=$("$kmipd" serve --config "$state/empty.json" 2>&1 >/dev/null); rc=$?
if [ "$rc" -ne 0 ] && echo "$out" | grep -q "holds no kmipd store" && [ "$(token_objects)" = "$objects_before" ] && [ "$objects_before" -gt 0 ]; then
    ok "an empty database is refused, the token still holds its $objects_before objects"
else fail "empty database: exit $rc, token $objects_before -> $(token_objects): $out"; fi

start_node() { "$kmipd" serve --config "$state/node-$1.json" 2>> "$work/node-$1.log" & pids+=($!); }
start_node a; start_node b
wait_port "$port_a" && wait_port "$port_b" || fail "the nodes did not start"

if "$kmip" get $(conn "$port_b") "$before" | grep -q KeyMaterial; then ok "the single node's key is served by node b after the move"
else fail "the single node's key is not served by node b"; fi
info=$("$kmip" query --protocol 2.0 $(conn "$port_b") 2>/dev/null)
if echo "$info" | grep -q "node b" && grep -q '"node":"b"' "$state/audit-b.jsonl" && grep -q "node=b" "$work/node-b.log"; then
    ok "the node name is in Query's server information, the audit lines and the log lines"
else fail "node name missing from Query, audit or log"; fi

# The OASIS files, each file's requests sent to a and b in turn.
"$kmip" conformance $(conn "$port_a") --alternate-port "$port_b" Tests/Conformance/kmip-1.4/*/*.xml Tests/Conformance/kmip-2.1/*/*.xml \
    > "$work/conformance.txt" 2>&1
python3 - "$work/conformance.txt" Tests/Conformance/expected.txt Tests/Cluster/expected-alternating.txt > "$work/conformance-check.txt" <<'PY'
import sys
actual = {l.split()[1].rstrip(":"): l.split()[0] for l in open(sys.argv[1]) if l.startswith(("PASS", "FAIL", "UNSUPPORTED"))}
expected = {}
for f in sys.argv[2:]:
    for l in open(f):
        if l.strip() and not l.startswith("#"):
            name, status, _ = l.split(None, 2); expected[name] = status
bad = [f"{n} is {s}, expected {expected.get(n, 'PASS')}" for n, s in sorted(actual.items()) if s != expected.get(n, "PASS")]
for b in bad: print("conformance (alternating):", b)
print(sum(1 for s in actual.values() if s == "PASS"), len(actual), len(bad))
PY
read -r c_pass c_all c_bad < <(tail -1 "$work/conformance-check.txt")
head -n -1 "$work/conformance-check.txt"
if [ "${c_bad:-1}" -eq 0 ] && [ "${c_all:-0}" -gt 100 ]; then ok "OASIS files with requests alternating between nodes: $c_pass of $c_all pass, as expected"
else fail "OASIS files alternating between nodes: $c_bad differ from the expected lists"; fi

# Cross-node checks, then PyKMIP clients on both nodes at once.
timeout 600 python3 Tests/Cluster/cluster_checks.py "$port_a" "$port_b" "$pki/ca.crt" "$pki/client.crt" "$pki/client.key" "$pgdir" \
    | tee "$work/checks.txt" | grep -v "^cluster-checks:"
read -r k_pass k_fail < <(tail -1 "$work/checks.txt" | sed -E 's/cluster-checks: ([0-9]+) passed, ([0-9]+) failed/\1 \2/')
passed=$((passed + ${k_pass:-0})); failed=$((failed + ${k_fail:-1}))
for n in a b; do
    port=$([ $n = a ] && echo "$port_a" || echo "$port_b")
    KMIPD_INTEROP_PREFIX="node-$n-" timeout 600 "$python" Tests/Interop/pykmip_interop.py 127.0.0.1 "$port" "$pki/ca.crt" "$pki/client.crt" "$pki/client.key" \
        pykmip cluster-Passw0rd > "$work/pykmip-$n.txt" 2>&1 &
    interop+=($!)
done
for p in "${interop[@]}"; do wait "$p"; done
summary=$(for n in a b; do echo "$n: $(tail -1 "$work/pykmip-$n.txt")"; done | tr '\n' ' ')
if grep -q " 0 failed" "$work/pykmip-a.txt" && grep -q " 0 failed" "$work/pykmip-b.txt"; then ok "PyKMIP interop on both nodes at once ($summary)"
else fail "PyKMIP interop on both nodes at once ($summary)"; grep -h FAIL "$work/pykmip-a.txt" "$work/pykmip-b.txt" | head -10; fi
stopped=0
for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null
    for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p"; else stopped=$((stopped + 1)); fi
    wait "$p" 2>/dev/null
done; pids=()
if [ "$stopped" -eq 2 ]; then ok "both nodes stopped on SIGTERM within 20 s (after the PostgreSQL restart)"
else fail "$((2 - stopped)) node(s) did not stop on SIGTERM within 20 s"; fi

# One node killed under load, again and again; the other serves throughout.
if timeout 900 "$python" Tests/Cluster/cluster_rounds.py "$kmipd" "$state/node-a.json" "$state/node-b.json" "$port_a" "$port_b" \
        "$pki/ca.crt" "$pki/client.crt" "$pki/client.key" "$rounds" 2>&1 | grep -v "^Config file" | tee "$work/rounds.txt" | tail -5; then
    ok "$(tail -1 "$work/rounds.txt")"
else fail "$(tail -1 "$work/rounds.txt")"; fi

echo "cluster: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
