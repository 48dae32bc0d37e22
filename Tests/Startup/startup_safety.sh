#!/usr/bin/env bash
# Start-up must never destroy keys. Against a real SoftHSM2 token holding keys, every way an operator
# can point kmipd at the wrong store or token is tried; each must refuse to start with one line naming
# the problem, and the token must hold every object afterwards. Then the deliberate repairs: a lost
# store rebuilt from the token (store adopt), an old backup beside a newer token, and the explicit
# removal of objects no store describes.
#
# Usage: startup_safety.sh BUILD_DIR WORK_DIR PORT
# Prints `ok   startup: …` / `FAIL startup: …` lines, then `startup: N passed, M failed`.
set -uo pipefail
bin=$1; work=$2; port=$3
kmipd="$bin/kmipd"; kmip="$bin/kmip"
state="$work/state"; other="$work/other"
passed=0; failed=0; server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null' EXIT

ok() { echo "ok   startup: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL startup: $1"; failed=$((failed + 1)); }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }
token_objects() { "$kmipd" token status --config "$state/kmipd.json" 2>/dev/null | json 'd["tokenObjects"]'; }
config_with() {  # name, python expression changing c; writes $state/NAME.json
    python3 - "$state/kmipd.json" "$state/$1.json" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); exec(sys.argv[3]); open(sys.argv[2], "w").write(json.dumps(c, indent=2))
PY
}
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
serve() { "$kmipd" serve --config "$1" 2>> "$work/server.log" & server_pid=$!; wait_port; }
stop() { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""; }
conn=(--port "$port" --ca "$state/pki/ca.crt" --cert "$state/pki/client.crt" --key "$state/pki/client.key")
uid() { json 'd["UniqueIdentifier"]'; }

# A refused start: exit status non-zero within 20 s, one line on stderr containing $3, token intact.
refuses() {  # name, config, expected text
    local before after out rc
    before=$(token_objects)
    out=$(timeout 20 "$kmipd" serve --config "$2" 2>&1 >/dev/null); rc=$?
    after=$(token_objects)
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo "$out" | grep -qF -- "$3" && [ "$(echo "$out" | wc -l)" -eq 1 ] \
            && [ "$before" = "$after" ] && [ "$after" -gt 0 ]; then
        ok "$1: refused, token still holds $after of $before objects — $out"
    else
        fail "$1: exit $rc, token objects $before -> $after, stderr: $out"
    fi
}

# 1. A working state: keys in the token, one of them used to encrypt.
"$kmipd" dev init --state "$state" --port "$port" > /dev/null || { fail "dev init"; echo "startup: $passed passed, $((failed + 1)) failed"; exit 1; }
serve "$state/kmipd.json"
keys=()
for i in 1 2 3 4 5; do keys+=("$("$kmip" create "${conn[@]}" --name "startup-$i" | uid)"); done
"$kmip" activate "${conn[@]}" "${keys[0]}" > /dev/null
sealed=$("$kmip" encrypt "${conn[@]}" --mode CBC --padding PKCS5 --hex 00112233445566778899 "${keys[0]}")
stop
total=$(token_objects)
[ "$total" -ge 5 ] && ok "a working state: $total objects in the token" || fail "a working state: $total objects"

# 2. Each way of pointing at the wrong store or token refuses to start and destroys nothing.
config_with typo 'c["database"] = "kmipd-typo.sqlite"'
refuses "mistyped database path" "$state/typo.json" "no store at $state/kmipd-typo.sqlite"
[ ! -e "$state/kmipd-typo.sqlite" ] && ok "the mistyped path did not become a new store" || fail "a store appeared at the mistyped path"
config_with pg 'c["database"] = "postgres://kmipd@127.0.0.1:1/kmipd?sslmode=disable"'
refuses "a PostgreSQL URL where no database answers" "$state/pg.json" "did not answer within"
config_with pgpw 'c["database"] = "postgres://kmipd:secret@127.0.0.1:1/kmipd"'
refuses "a PostgreSQL URL holding a password" "$state/pgpw.json" "the URL holds a password"
config_with mysql 'c["database"] = "mysql://kmipd@db/kmipd"'
refuses "an unknown URL scheme" "$state/mysql.json" "unknown scheme 'mysql'"
ls -d "$state"/postgres* "$state"/mysql* > /dev/null 2>&1 && fail "a folder named after the URL scheme appeared" || ok "no folder made from a URL"
"$kmipd" store init --config "$state/typo.json" > "$work/init-typo.json" 2>&1
grep -q '"bound" : false' "$work/init-typo.json" && ok "store init beside a token that has a store: made, not bound" \
    || fail "store init beside a bound token: $(cat "$work/init-typo.json")"
refuses "an empty store beside a populated token" "$state/typo.json" "belongs to store id"
"$kmipd" dev init --state "$other" --port "$port" > /dev/null
config_with foreign "c['database'] = '$other/kmipd.sqlite'"
refuses "a store from another token" "$state/foreign.json" "belongs to store id"
config_with othertoken 'c["token"]["label"] = "kmipd-other"'
KMIPD_SO_PIN=$(cat "$state/so.pin") "$kmipd" token init --config "$state/othertoken.json" > /dev/null
refuses "the right store beside another token" "$state/othertoken.json" "has no kmipd binding"

# 3. Two servers on one token: the second refuses, the first keeps serving. The first gets its PIN
#    from the environment, which it must scrub once read, and it may not dump core.
pin=$(cat "$state/user.pin")
KMIPD_PIN="$pin" serve "$state/kmipd.json"
if ! tr '\0' '\n' < "/proc/$server_pid/environ" | grep -qF "$pin" && grep -qE "^Max core file size +0 +0 " "/proc/$server_pid/limits"; then
    ok "the PIN is gone from the server's environment and core dumps are off"
else fail "PIN in /proc/$server_pid/environ or core dumps allowed: $(grep 'core file' /proc/$server_pid/limits)"; fi
out=$(timeout 20 "$kmipd" serve --config "$state/kmipd.json" 2>&1 >/dev/null); rc=$?
if [ "$rc" -ne 0 ] && echo "$out" | grep -q "in use by another kmipd (pid $server_pid" && "$kmip" get "${conn[@]}" "${keys[1]}" > /dev/null; then
    ok "a second serve on the token refuses ($out); the first still serves"
else fail "second serve: exit $rc, $out"; fi
out=$("$kmipd" token remove-unknown --config "$state/kmipd.json" --yes 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "in use by another kmipd" && ok "remove-unknown refuses while a server runs" || fail "remove-unknown while serving: $out"

# 4. An old backup of the store beside a newer token: it starts (the binding matches), reports the
#    objects it does not know and leaves them; adopt brings one in, remove-unknown removes the other.
stop
mkdir -p "$work/backup"; cp "$state"/kmipd.sqlite* "$work/backup/"
serve "$state/kmipd.json"
newer1=$("$kmip" create "${conn[@]}" --name newer-1 | uid); newer2=$("$kmip" create "${conn[@]}" --name newer-2 | uid)
stop
rm -f "$state"/kmipd.sqlite*; cp "$work/backup"/kmipd.sqlite* "$state/"
before=$(token_objects)
serve "$state/kmipd.json"
if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null && [ "$(token_objects)" = "$before" ]; then
    ok "an old backup starts and leaves the $before token objects alone"; else fail "old backup: did not start or lost objects"; fi
grep -q "unknownTokenObjects=2" "$work/server.log" && ok "start-up reports the 2 objects the backup does not know" || fail "no report of unknown objects"
stop
report=$("$kmipd" token reconcile --config "$state/kmipd.json")
unknown=$(echo "$report" | json 'sorted(d["report"]["unknownTokenObjects"])')
[ "$unknown" = "$(python3 -c "print(sorted(['$newer1', '$newer2']))")" ] && ok "token reconcile names them" || fail "reconcile: $report"
out=$("$kmipd" token remove-unknown --config "$state/kmipd.json" --id "$newer2" < /dev/null 2>&1); rc=$?
[ "$rc" -ne 0 ] && [ "$(token_objects)" = "$before" ] && ok "remove-unknown without confirmation removes nothing" || fail "unconfirmed remove-unknown: $out"
out=$("$kmipd" token remove-unknown --config "$state/kmipd.json" --id "${keys[2]}" --yes 2>&1)
echo "$out" | grep -q "\"notUnknown\"" && [ "$(token_objects)" = "$before" ] && ok "remove-unknown never removes an object the store describes" \
    || fail "remove-unknown on a known object: $out"
"$kmipd" store adopt --config "$state/kmipd.json" --id "$newer1" --owner "CN=kmip-dev-client,O=kmipd" > "$work/adopt1.json"
echo yes | "$kmipd" token remove-unknown --config "$state/kmipd.json" > "$work/remove.json" 2>/dev/null
if [ "$(json 'd["removed"]' < "$work/remove.json")" = "['$newer2']" ] && [ "$(token_objects)" = "$((before - 1))" ]; then
    ok "after adopting one, remove-unknown (confirmed) removed only the other"; else fail "remove-unknown: $(cat "$work/remove.json")"; fi
serve "$state/kmipd.json"
"$kmip" get "${conn[@]}" "$newer1" | grep -q KeyMaterial && ok "the adopted key is served" || fail "adopted key not served"
stop

# 5. A lost store, rebuilt from the token.
total=$(token_objects)
rm -f "$state"/kmipd.sqlite*
refuses "a deleted store" "$state/kmipd.json" "no store at $state/kmipd.sqlite"
"$kmipd" store init --config "$state/kmipd.json" > /dev/null
refuses "a new store beside its old token" "$state/kmipd.json" "--take-over"
"$kmipd" store adopt --config "$state/kmipd.json" --take-over --yes --owner "CN=kmip-dev-client,O=kmipd" > "$work/adopt.json"
adopted=$(json 'len(d["adopted"])' < "$work/adopt.json")
[ "$adopted" = "$total" ] && ok "store adopt --take-over registered all $adopted token objects" || fail "adopted $adopted of $total"
serve "$state/kmipd.json"
opened=$("$kmip" decrypt "${conn[@]}" --mode CBC --padding PKCS5 --iv "$(echo "$sealed" | json 'd["IVCounterNonce"]')" \
    --hex "$(echo "$sealed" | json 'd["Data"]')" "${keys[0]}" 2>&1 | json 'd["Data"]' 2>/dev/null)
[ "$opened" = "00112233445566778899" ] && ok "an adopted key decrypts what it encrypted before the store was lost" || fail "decrypt after adopt: $opened"
"$kmip" get "${conn[@]}" "${keys[3]}" | grep -q KeyMaterial && ok "adopted keys are served by Get" || fail "Get after adopt"
stop
[ "$(token_objects)" = "$total" ] && ok "the token still holds all $total objects" || fail "token objects $(token_objects) of $total"
# The old store (the backup) no longer starts on the token that now belongs to the new one.
mkdir -p "$work/old"; cp "$work/backup"/kmipd.sqlite* "$work/old/"
config_with oldstore "c['database'] = '$work/old/kmipd.sqlite'"
refuses "the old store after a take-over" "$state/oldstore.json" "belongs to store id"

echo "startup: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
