#!/usr/bin/env python3
"""Tables for scripts/bench: reads the JSON lines `kmipd token bench` and `kmip bench` wrote, prints the
comparison and the goals, and writes everything to one JSON file.

Usage: bench-report.py RESULTS.jsonl OUT.json FILESYSTEM KMIPD_PEAK_KIB KMIPD_IDLE_KIB PYKMIP_PEAK_KIB PYKMIP_IDLE_KIB
"""
import json, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
out_path, fs = sys.argv[2], sys.argv[3]
kmipd_peak, kmipd_idle, py_peak, py_idle, kmipd_start, kmipd_idle_fresh = \
    (int(x) if x.lstrip("-").isdigit() else -1 for x in (sys.argv[4:10] + ["-1"] * 6)[:6])

raw = {}
for r in rows:
    if r.get("server") == "raw":
        raw.setdefault(r["operation"], {})[r["threads"]] = r["opsPerSecond"]
def runs(server):
    d = {}
    for r in rows:
        if r.get("server") == server and r.get("operations", 0) > 0:
            d.setdefault(r["operation"], {})[r["connections"]] = r
    return d
kmipd, py = runs("kmipd"), runs("pykmip")
unsupported = {r["operation"]: r.get("firstError", "") for r in rows if r.get("server") == "pykmip" and r.get("operations", 0) == 0}

def best(d):
    return max(d.values(), key=lambda r: r["opsPerSecond"]) if d else None
def raw_best(op):
    if op == "create-destroy" and "create" in raw and "destroy" in raw:
        c, d = max(raw["create"].values()), max(raw["destroy"].values())
        return 1 / (1 / c + 1 / d)
    return max(raw[op].values()) if op in raw else None

print(f"\nkmipd against the token's ceiling and PyKMIP (token folder on {fs}; best run of each; p99 of that run)")
hdr = f"{'operation':<15} {'raw ops/s':>10} {'kmipd ops/s':>12} {'conns':>5} {'p99 ms':>7} {'PyKMIP ops/s':>13} {'conns':>5} {'p99 ms':>7} {'kmipd/raw':>9} {'kmipd/PyKMIP':>12}"
print(hdr); print("-" * len(hdr))
table = []
for op in ["create", "create-destroy", "get", "get-attributes", "locate", "encrypt", "decrypt", "sign-rsa", "sign-ec"]:
    k, p, rb = best(kmipd.get(op, {})), best(py.get(op, {})), raw_best(op)
    ratio_raw = k["opsPerSecond"] / rb if k and rb else None
    ratio_py = k["opsPerSecond"] / p["opsPerSecond"] if k and p else None
    table.append({"operation": op, "raw": rb, "kmipd": k, "pykmip": p, "kmipdOverRaw": ratio_raw, "kmipdOverPyKMIP": ratio_py})
    f = lambda v, w, fmt: (fmt.format(v) if v is not None else "-").rjust(w)
    print(f"{op:<15} {f(rb, 10, '{:.0f}')} {f(k and k['opsPerSecond'], 12, '{:.0f}')} {f(k and k['connections'], 5, '{}')} "
          f"{f(k and k['p99ms'], 7, '{:.2f}')} {f(p and p['opsPerSecond'], 13, '{:.0f}')} {f(p and p['connections'], 5, '{}')} "
          f"{f(p and p['p99ms'], 7, '{:.2f}')} {f(ratio_raw, 9, '{:.2f}x')} {f(ratio_py, 12, '{:.1f}x')}"
          + (f"   PyKMIP: {unsupported[op][:60]}" if op in unsupported and not p else ""))

print("\nCPU per operation in the best runs above (µs; 2 cores shared by the load generator and the server)")
print(f"{'operation':<15} {'client':>7} {'kmipd':>7} {'client':>7} {'PyKMIP':>7}")
for t in table:
    k, p = t["kmipd"], t["pykmip"]
    g = lambda r, key: (f"{r[key]:.0f}" if r and r.get(key) is not None else "-").rjust(7)
    print(f"{t['operation']:<15} {g(k, 'clientCPUMicrosPerOp')} {g(k, 'serverCPUMicrosPerOp')} {g(p, 'clientCPUMicrosPerOp')} {g(p, 'serverCPUMicrosPerOp')}")

# The raw ceiling of each tested token (step 1 SoftHSM2, step 1b openCryptoki's soft token).
by_token = {}
for r in rows:
    if r.get("server", "").startswith("raw"):
        by_token.setdefault(r["operation"], {})[(r["server"], r["threads"])] = r["opsPerSecond"]
if any(server != "raw" for d in by_token.values() for server, _ in d):
    print("\nraw PKCS#11 ceiling by token (ops/s; threads 1 and 2)")
    print(f"{'operation':<15} {'SoftHSM2 x1':>12} {'x2':>9} {'openCryptoki x1':>16} {'x2':>9}")
    for op, d in by_token.items():
        g = lambda server, n: (f"{d[(server, n)]:.0f}" if (server, n) in d else "-")
        print(f"{op:<15} {g('raw', 1):>12} {g('raw', 2):>9} {g('raw-opencryptoki-soft', 1):>16} {g('raw-opencryptoki-soft', 2):>9}")

print("\nevery run (ops/s, p99 ms)")
for server, d in (("kmipd", kmipd), ("pykmip", py)):
    for op, by in d.items():
        print(f"  {server:<7} {op:<15} " + "  ".join(f"x{n}: {r['opsPerSecond']:.0f}/s p99 {r['p99ms']:.2f}" for n, r in sorted(by.items())))

loc = {r["server"]: r for r in rows if r.get("server", "").startswith("store-")}
def best_runs(server):
    d = {}
    for r in rows:
        if r.get("server") == server and r.get("operations", 0) > 0:
            k = d.setdefault(r["operation"], {})
            if r["connections"] not in k or r["opsPerSecond"] > k[r["connections"]]["opsPerSecond"]: k[r["connections"]] = r
    return d
on, off = best_runs("kmipd-metrics"), best_runs("kmipd-no-metrics")
if on and off:
    print("\nwhat the metrics cost (best of two runs each, back to back; server CPU µs/op)")
    print(f"{'operation':<10} {'conns':>5} {'with':>8} {'without':>8} {'ratio':>6} {'µs with':>8} {'µs w/o':>7}")
    for op in sorted(on):
        for n in sorted(on[op]):
            a, b = on[op].get(n), off.get(op, {}).get(n)
            if a and b:
                print(f"{op:<10} {n:>5} {a['opsPerSecond']:>8.0f} {b['opsPerSecond']:>8.0f} {a['opsPerSecond'] / b['opsPerSecond']:>6.2f} "
                      f"{a.get('serverCPUMicrosPerOp', 0):>8.0f} {b.get('serverCPUMicrosPerOp', 0):>7.0f}")

encodings = [("TLS TTLV", best_runs("kmipd-tls-ttlv"))] + [(f"HTTPS {e.upper()}", best_runs(f"kmipd-https-{e}")) for e in ("ttlv", "json", "xml")]
if all(r for _, r in encodings):
    print("\nper encoding (ops/s and server CPU µs/op; best run at each connection count)")
    print(f"{'operation':<10} {'conns':>5} " + " ".join(f"{n:>16}" for n, _ in encodings))
    for op in ("get", "encrypt"):
        for n in (1, 8):
            cells = []
            for _, r in encodings:
                x = r.get(op, {}).get(n)
                cells.append(f"{x['opsPerSecond']:>7.0f} {x.get('serverCPUMicrosPerOp', 0):>5.0f} µs" if x else f"{'-':>16}")
            print(f"{op:<10} {n:>5} " + " ".join(cells))

print("\nLocate by name (1 connection)")
print(f"{'objects':>10} {'ops/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
for n in ("1000", "100000", "1000000"):
    r = loc.get("store-" + n)
    if r: print(f"{int(n):>10} {r['opsPerSecond']:>8.0f} {r['p50ms']:>7.2f} {r['p99ms']:>7.2f}")

print(f"\nmemory: kmipd at start {kmipd_start / 1024:.1f} MB, with 1,000 idle TLS connections {kmipd_idle_fresh / 1024:.1f} MB "
      f"(after the load {kmipd_idle / 1024:.1f} MB: SoftHSM2 keeps ~9.5 KB per token object created), peak {kmipd_peak / 1024:.1f} MB;"
      f" PyKMIP peak {py_peak / 1024:.1f} MB, with 1,000 idle connections {py_idle / 1024:.1f} MB")

# PostgreSQL beside SQLite: one node (best run), two nodes loaded at once (32 connections each, summed).
pg1, pga, pgb = runs("pg-1node"), runs("pg-2nodes-a"), runs("pg-2nodes-b")
pg_table = []
if pg1:
    print("\nkmipd on PostgreSQL beside SQLite (ops/s, p99 ms, server CPU µs/op; two nodes: both loaded at once, summed)")
    print(f"{'operation':<15} {'SQLite':>8} {'p99':>6} {'µs':>5} {'PG 1 node':>10} {'p99':>6} {'µs':>5} {'PG 2 nodes':>11} {'p99 a/b':>11} {'µs a/b':>9}")
    for op in ("get", "get-attributes", "locate", "create"):
        sq, one = best(kmipd.get(op, {})), best(pg1.get(op, {}))
        a, b = best(pga.get(op, {})), best(pgb.get(op, {}))
        two = (a["opsPerSecond"] + b["opsPerSecond"]) if a and b else None
        pg_table.append({"operation": op, "sqlite": sq, "postgres1": one, "postgres2a": a, "postgres2b": b, "postgres2OpsPerSecond": two})
        n = lambda r, k, f: (f.format(r[k]) if r and r.get(k) is not None else "-")
        print(f"{op:<15} {n(sq, 'opsPerSecond', '{:.0f}'):>8} {n(sq, 'p99ms', '{:.1f}'):>6} {n(sq, 'serverCPUMicrosPerOp', '{:.0f}'):>5} "
              f"{n(one, 'opsPerSecond', '{:.0f}'):>10} {n(one, 'p99ms', '{:.1f}'):>6} {n(one, 'serverCPUMicrosPerOp', '{:.0f}'):>5} "
              f"{(f'{two:.0f}' if two else '-'):>11} {n(a, 'p99ms', '{:.1f}') + '/' + n(b, 'p99ms', '{:.1f}'):>11} "
              f"{n(a, 'serverCPUMicrosPerOp', '{:.0f}') + '/' + n(b, 'serverCPUMicrosPerOp', '{:.0f}'):>9}")
pg_loc = next((r for r in rows if r.get("server") == "pg-store-1000000"), None)
if pg_loc:
    print(f"Locate by name among 1,000,000 objects in PostgreSQL (1 connection): {pg_loc['opsPerSecond']:.0f}/s, "
          f"p50 {pg_loc['p50ms']:.2f} ms, p99 {pg_loc['p99ms']:.2f} ms")

def val(op, server, conns):
    r = (kmipd if server == "kmipd" else py).get(op, {}).get(conns)
    return r["opsPerSecond"] if r else None
goals = []
def goal(name, ok, detail):
    goals.append({"goal": name, "met": ok, "detail": detail})
    print(f"  {'met    ' if ok else 'NOT met'} {name}: {detail}")
print("\ngoals")
k_create = best(kmipd.get("create", {}))
if k_create and "create" in raw:
    r = k_create["opsPerSecond"] / max(raw["create"].values())
    goal("create >= 0.8x raw C_GenerateKey", r >= 0.8, f"{r:.2f}x")
enc8, raw2 = val("encrypt", "kmipd", 8), raw.get("encrypt", {}).get(2)
if enc8 and raw2:
    goal("AES-GCM 1 KiB encrypt at 8 connections >= 0.35x raw 2-thread", enc8 / raw2 >= 0.35, f"{enc8 / raw2:.2f}x")
for op in ("get", "get-attributes", "locate"):
    t = next((t for t in table if t["operation"] == op), None)
    if t and t["kmipdOverPyKMIP"]:
        goal(f"{op} >= 50x PyKMIP", t["kmipdOverPyKMIP"] >= 50, f"{t['kmipdOverPyKMIP']:.1f}x")
if "store-1000" in loc and "store-1000000" in loc:
    a, b = loc["store-1000"]["p99ms"], loc["store-1000000"]["p99ms"]
    goal("Locate p99 at 1M within 2x of 1k", b <= 2 * a, f"{a:.2f} ms -> {b:.2f} ms ({b / a:.2f}x)")
if pg_loc:
    goal("Locate by name p99 <= 2 ms among 1M objects in PostgreSQL", pg_loc["p99ms"] <= 2, f"{pg_loc['p99ms']:.2f} ms")
if kmipd_idle_fresh > 0:
    goal("<= 64 MB RSS with 1,000 idle TLS connections", kmipd_idle_fresh <= 64 * 1024,
         f"{kmipd_idle_fresh / 1024:.1f} MB ({(kmipd_idle_fresh - kmipd_start) / 1000:.0f} KB per connection over {kmipd_start / 1024:.1f} MB at start)")

json.dump({"filesystem": fs, "table": table, "postgres": pg_table, "postgresLocate1M": pg_loc, "runs": rows, "memoryKiB": {"kmipdPeak": kmipd_peak, "kmipdIdle1000AfterLoad": kmipd_idle, "kmipdStart": kmipd_start, "kmipdIdle1000": kmipd_idle_fresh,
           "pykmipPeak": py_peak, "pykmipIdle1000": py_idle}, "goals": goals}, open(out_path, "w"), indent=1)
print(f"\nfigures written to {out_path}")
