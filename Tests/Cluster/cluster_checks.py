#!/usr/bin/env python3
"""Two kmipd nodes on one PostgreSQL store and one token: every check sends requests to both.

Usage: cluster_checks.py PORT_A PORT_B CA CERT KEY PG_DIR
Prints `ok   cluster: …` / `FAIL cluster: …` lines, then `cluster-checks: N passed, M failed`.
The last check stops PostgreSQL for a few seconds (scripts/postgres restart-in PG_DIR) while both
nodes serve: requests must fail cleanly with a KMIP error during the outage and succeed after it.
"""
import os, subprocess, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kmip_wire import Client

port_a, port_b, ca, cert, key, pg_dir = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:7]
passed = failed = 0

def check(ok, line):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + "cluster: " + line, flush=True)
    if ok: passed += 1
    else: failed += 1

def client(port): return Client(port, ca, cert, key)

# 1. One object's life across nodes: create on A; get, activate, encrypt, add an attribute, revoke and
# destroy on B; A sees each change.
a, b = client(port_a), client(port_b)
uid = a.create("cluster-life").uid()
got = b.get(uid)
check(got.ok and any(len(m) == 32 for m in __import__("kmip_wire").walk(got.payload, "key_material")), "a key created on A is got with its material on B")
check(b.activate(uid).ok and b.encrypt(uid, b"x" * 100).ok, "activated and used for Encrypt on B")
check(b.add_attribute(uid, "x-set-on-b", "v").ok and "x-set-on-b" in (a.attribute_names(uid) or []), "an attribute added on B is read on A")
check(a.locate("cluster-life") == b.locate("cluster-life") == [uid], "Locate by name finds it on both nodes")
check(b.revoke(uid).ok and b.destroy(uid).ok, "revoked and destroyed on B")
check(not a.get(uid).ok and not a.encrypt(uid, b"x").ok, "A no longer serves it (Get and Encrypt refused)")

# 2. Locate parity: objects made on either node are found alike on both.
made = [(a if i % 2 else b).create(f"cluster-par-{i % 3}").uid() for i in range(12)]
same = all(a.locate(f"cluster-par-{n}") == b.locate(f"cluster-par-{n}") and len(a.locate(f"cluster-par-{n}")) == 4 for n in range(3))
check(same, "Locate answers the same on both nodes for 12 objects made on either")

# 3. Concurrent changes to one object from both nodes: every Add Attribute lands.
target = a.create("cluster-concurrent").uid()
errors = []
def adder(port, n):
    c = client(port)
    for i in range(10):
        r = c.add_attribute(target, f"x-n{n}-{i}", "v")
        if not r.ok: errors.append(r.message)
    c.close()
threads = [threading.Thread(target=adder, args=(port_a if n % 2 else port_b, n)) for n in range(8)]
for t in threads: t.start()
for t in threads: t.join(timeout=120)
names = [n for n in (b.attribute_names(target) or []) if n.startswith("x-n")]
check(not errors and len(names) == 80 and len(a.attribute_names(target)) == len(b.attribute_names(target)),
      f"80 concurrent Add Attribute from 8 clients on both nodes: {len(names)} landed, {len(errors)} errors")

# 4. Usage Limits hold exactly across nodes: 30 uses, 64 Encrypts spread over both.
limited = a.create("cluster-limited", limits=30).uid()
a.activate(limited)
outcome = {"ok": 0, "refused": 0, "other": []}
lock = threading.Lock()
def user(port):
    c = client(port)
    for _ in range(8):
        r = c.encrypt(limited, b"y" * 32)
        with lock:
            if r.ok: outcome["ok"] += 1
            elif r.reason == 0x0E or "Usage Limits" in r.message: outcome["refused"] += 1  # Permission Denied
            else: outcome["other"].append(r.message)
    c.close()
threads = [threading.Thread(target=user, args=(port_a if n % 2 else port_b,)) for n in range(8)]
for t in threads: t.start()
for t in threads: t.join(timeout=120)
check(outcome["ok"] == 30 and outcome["refused"] == 34 and not outcome["other"],
      f"Usage Limits 30 over 64 Encrypts on both nodes: {outcome['ok']} served, {outcome['refused']} refused, {len(outcome['other'])} other")

# 5. PostgreSQL stops for 8 s while both nodes serve: clean KMIP errors meanwhile, service after,
# no kmipd restart.
probe = a.create("cluster-outage").uid()
restart = subprocess.Popen([os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "postgres"),
                            "restart-in", pg_dir, "8"])
results, hung = [], 0
deadline = time.time() + 40
recovered_at = None
c = client(port_b)
while time.time() < deadline:
    t0 = time.time()
    try:
        r = c.get(probe)
        results.append(r.ok)
    except OSError:  # closed, reset or timed out: not the clean KMIP error the outage must give
        results.append(None)
        try: c = client(port_b)
        except OSError: pass
    if time.time() - t0 > 10: hung += 1
    if restart.poll() is not None and results and results[-1] is True:
        recovered_at = recovered_at or time.time()
        if time.time() - recovered_at > 1: break
    time.sleep(0.1)
restart.wait()
errors_seen = sum(1 for r in results if r is False)
drops = sum(1 for r in results if r is None)
after = client(port_a).get(probe).ok and client(port_b).get(probe).ok
check(errors_seen > 0 and drops == 0 and hung == 0 and after,
      f"PostgreSQL restart: {errors_seen} KMIP errors during the outage, {drops} dropped connections, {hung} hung requests, served after: {after}")

print(f"cluster-checks: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
