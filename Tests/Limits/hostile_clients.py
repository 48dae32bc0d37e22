"""Hostile and careless clients against a live kmipd over real TLS on loopback.

Malformed messages, slowloris at the KMIP-message and TLS-record level, a connection flood and
pipelining. Each case must end in a KMIP error response or a clean close, never a hang, and a
well-behaved client on its own connection must keep being answered throughout. Bounded: every wait
has a deadline. Prints one line per part and `hostile: N passed, M failed`.

Usage: hostile_clients.py HOST PORT CA CERT KEY MESSAGE_TIMEOUT HANDSHAKE_TIMEOUT
"""
import socket, ssl, struct, sys, threading, time

host, port, ca, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
message_timeout, handshake_timeout = float(sys.argv[6]), float(sys.argv[7])
passed = failed = 0


def check(ok, line):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + line)
    if ok: passed += 1
    else: failed += 1


# --- TTLV (KMIP 2.1 §9.1) -------------------------------------------------------------------
def item(tag, typ, value):
    pad = (8 - len(value) % 8) % 8
    return struct.pack(">I", tag << 8 | typ) + struct.pack(">I", len(value)) + value + b"\0" * pad

def struct_(tag, *children): return item(tag, 0x01, b"".join(children))
def integer(tag, v): return item(tag, 0x02, struct.pack(">i", v))
def enum(tag, v): return item(tag, 0x05, struct.pack(">I", v))
def text(tag, s): return item(tag, 0x07, s)

REQUEST, HEADER, VERSION, MAJOR, MINOR, COUNT = 0x420078, 0x420077, 0x420069, 0x42006A, 0x42006B, 0x42000D
BATCH_ITEM, OPERATION, PAYLOAD, UID, RESULT_STATUS = 0x42000F, 0x42005C, 0x420079, 0x420094, 0x42007F
DISCOVER, GET = 0x1E, 0x0A

def header(count=1, major=1, minor=4, raw_version=None):
    version = raw_version or struct_(VERSION, integer(MAJOR, major), integer(MINOR, minor))
    return struct_(HEADER, version, integer(COUNT, count))

def request(*items, count=None, hdr=None):
    return struct_(REQUEST, hdr or header(count if count is not None else len(items)), *items)

def batch(op, *payload): return struct_(BATCH_ITEM, enum(OPERATION, op), struct_(PAYLOAD, *payload))

GOOD = request(batch(DISCOVER))


def result_status(frame):
    """The first Result Status in a response frame (0 success, 1 failed), or None."""
    i = frame.find(struct.pack(">I", RESULT_STATUS << 8 | 0x05))
    return None if i < 0 else struct.unpack(">I", frame[i + 8:i + 12])[0]


# --- connections ----------------------------------------------------------------------------
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.load_verify_locations(ca)
context.load_cert_chain(cert, key)

def connect(timeout=10):
    raw = socket.create_connection((host, port), timeout=timeout)
    return context.wrap_socket(raw)

def read_frame(s):
    """One whole response; None when the server closed the connection."""
    data = b""
    while len(data) < 8:
        chunk = s.recv(8 - len(data))
        if not chunk: return None
        data += chunk
    total = 8 + struct.unpack(">I", data[4:8])[0]
    while len(data) < total:
        chunk = s.recv(min(65536, total - len(data)))
        if not chunk: return None
        data += chunk
    return data

def closed_by_server(s, within):
    """True when the server closes `s` (EOF or reset) within `within` seconds, reading any reply."""
    s.settimeout(within)
    try:
        while s.recv(4096): pass
        return True
    except (ConnectionError, ssl.SSLError, OSError) as e:
        return not isinstance(e, socket.timeout)

class GoodClient:
    """A well-behaved client on its own connection; records every answer's latency."""
    def __init__(self): self.s = connect(); self.latencies = []; self.failures = 0
    def ask(self):
        start = time.monotonic()
        try:
            self.s.sendall(GOOD)
            frame = read_frame(self.s)
            ok = frame is not None and result_status(frame) == 0
        except OSError:
            ok = False
        if ok: self.latencies.append(time.monotonic() - start)
        else: self.failures += 1
        return ok
    def summary(self):
        worst = max(self.latencies) * 1000 if self.latencies else 0
        return f"{len(self.latencies)}/{len(self.latencies) + self.failures} answered, slowest {worst:.0f} ms"


# --- 1. malformed messages ------------------------------------------------------------------
def nested(depth):
    inner = integer(MAJOR, 1)
    for _ in range(depth): inner = struct_(PAYLOAD, inner)
    return inner

cases = [
    # name, bytes, what is acceptable: "error" (a failed response), "close", or "either"
    ("truncated frame, then end of stream", GOOD[:40], "close-after-shutdown"),
    ("length far larger than the data", struct.pack(">I", REQUEST << 8 | 1) + struct.pack(">I", 900_000) + b"\0" * 16, "close-timeout"),
    ("length beyond the maximum message size", struct.pack(">I", REQUEST << 8 | 1) + struct.pack(">I", 64 << 20) + b"\0" * 16, "close"),
    ("not KMIP at all (HTTP)", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "close"),
    ("a Response Message sent to the server", struct_(0x42007B, header()), "close"),
    ("zero-length message", struct.pack(">I", REQUEST << 8 | 1) + b"\0\0\0\0", "error"),
    ("wrong item type (Protocol Version Major as text)", request(batch(DISCOVER), hdr=header(raw_version=struct_(VERSION, text(MAJOR, b"one"), integer(MINOR, 4)))), "error"),
    ("bad padding (non-zero pad bytes)", request(batch(GET, item(UID, 0x07, b"abc")[:-5] + b"\xff\xff\xff\xff\xff")), "error"),
    ("misaligned child length", struct_(REQUEST, header(), struct.pack(">I", BATCH_ITEM << 8 | 1) + struct.pack(">I", 3) + b"abc"), "error"),
    ("child longer than its parent", struct_(REQUEST, header(), struct.pack(">I", BATCH_ITEM << 8 | 1) + struct.pack(">I", 4096) + b"\0" * 8), "error"),
    ("Integer with length 8", request(batch(DISCOVER), hdr=struct_(HEADER, struct_(VERSION, item(MAJOR, 0x02, b"\0" * 8), integer(MINOR, 4)), integer(COUNT, 1))), "error"),
    ("Boolean with value 2", request(batch(DISCOVER, item(0x420008, 0x06, struct.pack(">Q", 2)))), "error"),
    ("deep nesting (300 structures)", request(batch(DISCOVER, nested(300))), "error"),
    ("unknown tag", request(batch(DISCOVER, integer(0x42FFF0, 1))), "either-ok"),
    ("unknown operation enumeration", request(batch(0x7777)), "error"),
    ("unknown item type 0x0E", request(batch(GET, item(UID, 0x0E, b"x"))), "error"),
    ("batch count far larger than the items", request(batch(DISCOVER), count=100_000), "error"),
    ("more batch items than allowed (300)", request(*[batch(DISCOVER)] * 300), "error"),
    ("invalid UTF-8 in a Text String", request(batch(GET, text(UID, b"\xff\xfe\xc3\x28"))), "error"),
    ("protocol version 9.9", request(batch(DISCOVER), hdr=header(major=9, minor=9)), "error"),
    ("random bytes behind a valid header", struct.pack(">I", REQUEST << 8 | 1) + struct.pack(">I", 4088) + bytes((i * 7919) % 251 for i in range(4088)), "error"),
]

good = GoodClient()
errors = closes = 0
for name, data, want in cases:
    s = connect()
    outcome = "hang"
    try:
        s.sendall(data)
        if want == "close-after-shutdown":
            s.shutdown(socket.SHUT_WR)  # end of stream in the middle of a frame (no close_notify)
        if want.startswith("close"):
            wait = message_timeout + 5 if want == "close-timeout" else 10
            outcome = "close" if closed_by_server(s, wait) else "hang"
        else:
            s.settimeout(10)
            frame = read_frame(s)
            if frame is None: outcome = "close"
            else:
                status = result_status(frame)
                outcome = "error" if status == 1 else ("success" if status == 0 else "unparsed")
    except socket.timeout:
        outcome = "hang"
    except (ConnectionError, ssl.SSLError, OSError):
        outcome = "close"
    finally:
        s.close()
    acceptable = {"error": {"error", "close"}, "close": {"close"}, "close-timeout": {"close"},
                  "close-after-shutdown": {"close"}, "either-ok": {"error", "success", "close"}}[want]
    errors += outcome == "error"; closes += outcome == "close"
    still = good.ask()
    check(outcome in acceptable and still, f"malformed: {name}: {outcome}; other connection served: {still}")
print(f"malformed: {len(cases)} cases, {errors} error responses, {closes} clean closes, good client {good.summary()}")


# --- 2. slowloris ---------------------------------------------------------------------------
def trickle(sock_send, data, stop, per_byte=0.5):
    for b in data:
        if stop.is_set(): return
        try: sock_send(bytes([b]))
        except OSError: return
        time.sleep(per_byte)

def slowloris(n, record_level):
    """n connections that start a request and then send one byte every half second."""
    conns, stop, threads = [], threading.Event(), []
    for _ in range(n):
        if record_level:
            # Handshake through memory BIOs so the ciphertext of one TLS record can be cut up.
            raw = socket.create_connection((host, port), timeout=10)
            inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
            obj = context.wrap_bio(inc, out)
            while True:
                try: obj.do_handshake(); break
                except ssl.SSLWantReadError:
                    if out.pending: raw.sendall(out.read())
                    inc.write(raw.recv(65536))
            if out.pending: raw.sendall(out.read())
            obj.write(GOOD)
            record = out.read()
            raw.sendall(record[:3])
            conns.append(raw)
            threads.append(threading.Thread(target=trickle, args=(raw.sendall, record[3:], stop), daemon=True))
        else:
            s = connect()
            s.sendall(GOOD[:10])
            conns.append(s)
            threads.append(threading.Thread(target=trickle, args=(s.sendall, GOOD[10:], stop), daemon=True))
    for t in threads: t.start()
    start = time.monotonic()
    good = GoodClient()
    while time.monotonic() - start < message_timeout + 1:
        good.ask(); time.sleep(0.1)
    # One deadline for all: the server must have closed every one by then.
    deadline = start + message_timeout + 5
    closed = sum(1 for c in conns if closed_by_server(c, max(0.1, deadline - time.monotonic())))
    stop.set()
    for c in conns: c.close()
    level = "TLS-record" if record_level else "KMIP-message"
    check(closed == n and good.failures == 0,
          f"slowloris ({level}): {n} trickling connections, {closed} closed by the server; good client {good.summary()}")

slowloris(40, record_level=False)
slowloris(10, record_level=True)


# --- 3. connection flood --------------------------------------------------------------------
flood = []
start = time.monotonic()
for _ in range(500):
    try: flood.append(socket.create_connection((host, port), timeout=5))
    except OSError: break
good = GoodClient()
for _ in range(20): good.ask()
deadline = start + handshake_timeout + 5
closed = sum(1 for s in flood if closed_by_server(s, max(0.1, deadline - time.monotonic())))
for s in flood: s.close()
check(len(flood) == 500 and good.failures == 0 and closed == len(flood),
      f"flood: {len(flood)} silent connections opened, {closed} closed by the handshake timeout; good client {good.summary()}")


# --- 4. pipelining --------------------------------------------------------------------------
s = connect()
n = 200
s.sendall(GOOD * n)
answers = 0
s.settimeout(20)
for _ in range(n):
    frame = read_frame(s)
    if frame is None or result_status(frame) != 0: break
    answers += 1
s.close()
check(answers == n, f"pipelining: {n} requests in one write, {answers} answered in order")

print(f"hostile: {passed} passed, {failed} failed")
