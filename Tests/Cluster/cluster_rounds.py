#!/usr/bin/env python3
"""A node dies under load and the other goes on: PyKMIP clients on both nodes create and register
keys while node A is killed with SIGKILL at random moments; node B serves throughout. After each
kill every acknowledged object must be readable through B; A restarts, reconciles only what is its
own and reports it. After the last round `kmipd token reconcile` on the cluster finds nothing.

Usage: cluster_rounds.py KMIPD CONFIG_A CONFIG_B PORT_A PORT_B CA CERT KEY [ROUNDS]
Prints `cluster-crash: rounds R, acknowledged A, lost L, orphans O, longest gap on B G ms, A reconciled N`.
"""
import json, os, random, re, signal, socket, subprocess, sys, threading, time

from kmip.core import enums
from kmip.pie import objects
from kmip.pie.client import ProxyKmipClient

kmipd, config_a, config_b = sys.argv[1:4]
port_a, port_b = int(sys.argv[4]), int(sys.argv[5])
ca, cert, key = sys.argv[6:9]
rounds = int(sys.argv[9]) if len(sys.argv) > 9 else 10
random.seed(5697)
log_a = open(os.path.join(os.path.dirname(os.path.abspath(config_a)), "node-a-rounds.log"), "ab")


def start(config, port, log):
    p = subprocess.Popen([kmipd, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return p
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"kmipd ({config}) did not start")


def client(port):
    c = ProxyKmipClient(hostname="127.0.0.1", port=port, ca=ca, cert=cert, key=key, kmip_version=enums.KMIPVersion.KMIP_2_0)
    c.open()
    return c


acknowledged = {}
lock = threading.Lock()


def worker(stop, port):
    try:
        c = client(port)
    except Exception:
        return
    while not stop.is_set():
        try:
            if random.random() < 0.5:
                uid = c.create(enums.CryptographicAlgorithm.AES, 256)
            else:
                uid = c.register(objects.SymmetricKey(enums.CryptographicAlgorithm.AES, 128, os.urandom(16)))
            with lock: acknowledged[uid] = port
        except Exception:
            if port == port_a: return  # node A died under us: what was acknowledged is recorded
            time.sleep(0.05)           # B must keep serving; the gap monitor measures it


longest_gap = 0.0
def monitor(stop, probe_uid):
    """Gets one object from B every 20 ms; records the longest time between two answers."""
    global longest_gap
    c = client(port_b)
    last = time.time()
    while not stop.is_set():
        try:
            c.get(probe_uid)
            now = time.time(); longest_gap = max(longest_gap, now - last); last = now
        except Exception:
            try: c = client(port_b)
            except Exception: pass
        time.sleep(0.02)


server_b = start(config_b, port_b, subprocess.DEVNULL)
probe = client(port_b).create(enums.CryptographicAlgorithm.AES, 128)
mon_stop = threading.Event()
mon = threading.Thread(target=monitor, args=(mon_stop, probe)); mon.start()
lost = 0
reconciled = 0
for r in range(rounds):
    server_a = start(config_a, port_a, log_a)
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(stop, p)) for p in (port_a, port_a, port_b, port_b)]
    for t in threads: t.start()
    time.sleep(random.uniform(0.5, 1.5))
    server_a.send_signal(signal.SIGKILL)
    server_a.wait()
    time.sleep(0.3)
    stop.set()
    for t in threads: t.join(timeout=30)
    # Everything acknowledged, on either node, is served by B while A is down.
    c = client(port_b)
    with lock: check = dict(acknowledged)
    for uid in check:
        try:
            if len(bytes(c.get(uid).value)) not in (16, 32): lost += 1; print("lost (wrong value)", uid)
        except Exception as e:
            lost += 1; print("lost", uid, repr(e)[:120])
    c.close()
# A comes back once more: its start-up reconciles the intents its kills left, and says so.
log_a.flush()
server_a = start(config_a, port_a, log_a)
time.sleep(0.5)
server_a.send_signal(signal.SIGTERM); server_a.wait()
log_a.close()
text = open(log_a.name, errors="replace").read()
reconciled = sum(int(n) for n in re.findall(r"reconciledIntents=(\d+)", text))
mon_stop.set(); mon.join(timeout=10)
server_b.send_signal(signal.SIGTERM); server_b.wait()

report = json.loads(subprocess.run([kmipd, "token", "reconcile", "--config", config_b], capture_output=True, text=True, check=True).stdout)["report"]
orphans = sum(len(report[k]) for k in ("abandonedCreates", "finishedDestroys", "unknownTokenObjects", "missingTokenObjects"))
print(f"cluster-crash: rounds {rounds}, acknowledged {len(acknowledged)}, lost {lost}, orphans {orphans}, "
      f"longest gap on B {int(longest_gap * 1000)} ms, A reconciled {reconciled}")
sys.exit(1 if lost or orphans or longest_gap > 5 else 0)
