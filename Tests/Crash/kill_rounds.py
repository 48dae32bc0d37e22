#!/usr/bin/env python3
"""Crash consistency under load: clients create, register and destroy objects on several connections
while kmipd is killed with SIGKILL at random moments; after each restart every acknowledged Create and
Register must be readable, every acknowledged Destroy must be gone; after the last round
`kmipd token reconcile` must find nothing left to repair and no token object the store does not know.

Usage: kill_rounds.py KMIPD CONFIG PORT CA CERT KEY [ROUNDS]
Prints one line: `crash: rounds R, acknowledged A, lost L, orphans O` and exits non-zero on loss.

With KMIPD_CRASH_TOKEN_FILE set (a file of the token's own store that must never be empty), a kill
that left it empty ends the run there: `crash: token store damaged in round N …`, exit status 3. The
token, not kmipd, lost its state (openCryptoki rewrites its NVTOK.DAT in place at every object it makes).
"""
import json, os, random, signal, socket, subprocess, sys, threading, time

from kmip.core import enums
from kmip.pie import objects
from kmip.pie.client import ProxyKmipClient

kmipd, config, port, ca, cert, key = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
rounds = int(sys.argv[7]) if len(sys.argv) > 7 else 20
random.seed(5696)
token_file = os.environ.get("KMIPD_CRASH_TOKEN_FILE")


def start():
    p = subprocess.Popen([kmipd, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return p
        except OSError:
            time.sleep(0.05)
    raise SystemExit("kmipd did not start")


def client():
    c = ProxyKmipClient(hostname="127.0.0.1", port=port, ca=ca, cert=cert, key=key, kmip_version=enums.KMIPVersion.KMIP_2_0)
    c.open()
    return c


alive = {}       # uid -> kind, acknowledged and not destroyed
destroyed = set()
uncertain = set()  # a Destroy was sent but not acknowledged: either outcome is correct
lock = threading.Lock()


def worker(stop, n):
    try:
        c = client()
    except Exception:
        return
    i = 0
    while not stop.is_set():
        i += 1
        try:
            r = random.random()
            if r < 0.45:
                uid = c.create(enums.CryptographicAlgorithm.AES, 256)
                with lock: alive[uid] = "created"
            elif r < 0.8:
                uid = c.register(objects.SymmetricKey(enums.CryptographicAlgorithm.AES, 128, os.urandom(16)))
                with lock: alive[uid] = "registered"
            else:
                with lock:
                    victim = random.choice(list(alive)) if alive else None
                    if victim: alive.pop(victim); uncertain.add(victim)
                if victim:
                    c.destroy(victim)  # Pre-Active objects may be destroyed
                    with lock:
                        uncertain.discard(victim); destroyed.add(victim)
        except Exception:
            return  # the server died under us: what was acknowledged is recorded


lost = 0
for r in range(rounds):
    server = start()
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(stop, n)) for n in range(4)]
    for t in threads: t.start()
    time.sleep(random.uniform(0.3, 1.5))
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads: t.join(timeout=10)
    if token_file and os.path.exists(token_file) and os.path.getsize(token_file) == 0:
        print(f"crash: token store damaged in round {r + 1} of {rounds} ({token_file} empty after SIGKILL); "
              f"acknowledged {len(alive) + len(destroyed)}, lost {lost} in the rounds before")
        sys.exit(3 if lost == 0 else 1)

    # Restart (start-up reconciles) and check every acknowledged operation.
    server = start()
    c = client()
    with lock:
        check_alive, check_destroyed = dict(alive), set(destroyed)
    for uid in check_alive:
        try:
            if len(bytes(c.get(uid).value)) not in (16, 32): lost += 1; print("lost (wrong value)", uid)
        except Exception as e:
            lost += 1; print("lost", uid, repr(e)[:120])
    for uid in list(check_destroyed)[-20:]:
        try:
            c.get(uid)
            lost += 1  # an acknowledged Destroy whose key material is still served
        except Exception:
            pass
    c.close()
    server.send_signal(signal.SIGTERM)
    server.wait()

report = json.loads(subprocess.run([kmipd, "token", "reconcile", "--config", config], capture_output=True, text=True, check=True).stdout)["report"]
orphans = sum(len(report[k]) for k in ("abandonedCreates", "finishedDestroys", "unknownTokenObjects", "missingTokenObjects"))
print(f"crash: rounds {rounds}, acknowledged {len(alive) + len(destroyed)}, lost {lost}, orphans {orphans}")
sys.exit(1 if lost or orphans else 0)
