"""KMIP over HTTPS on the KMIP port (Additional Message Encodings 1.0 §2), against a running kmipd:
curl posting a JSON and an XML Query, TTLV over HTTPS, keep-alive, HTTP/1.0, and malformed HTTP
(wrong method, path, type, no length, chunked abuse, huge and slow headers) answered or closed
cleanly while a well-behaved client is served throughout.

    python3 Tests/HTTP/https_checks.py PORT CA CERT KEY [MESSAGE_TIMEOUT_SECONDS]

Prints one `https: NAME ok|FAIL detail` line per check and ends with `https: N passed, M failed`."""
import json, os, socket, ssl, struct, subprocess, sys, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checklist import Checklist  # noqa: E402

port, ca, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
message_timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 30.0
checks = Checklist("https")
check = checks.check


def connect(timeout=10):
    ctx = ssl.create_default_context(cafile=ca); ctx.check_hostname = False
    ctx.load_cert_chain(cert, key)
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=timeout))


def read_response(s):
    """One HTTP response: (status, headers dict, body); (0, {}, b"") when the server closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk: return 0, {}, data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    if status == 100:
        return read_response_from(s, rest)
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk: break
        rest += chunk
    return status, headers, rest[:n]


def read_response_from(s, buffered):
    class Prefixed:
        def __init__(self, s, b): self.s, self.b = s, b
        def recv(self, n):
            if self.b: b, self.b = self.b, b""; return b
            return self.s.recv(n)
    return read_response(Prefixed(s, buffered))


def post(s, body, ctype, version="HTTP/1.1", extra=""):
    s.sendall(f"POST /kmip {version}\r\nHost: kmipd\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
              f"Cache-Control: no-cache\r\n{extra}\r\n".encode() + body)
    return read_response(s)


def closed_or_status(s, statuses):
    """The answer is one of `statuses`, or (when 0 is among them) a plain close."""
    try:
        st, _, _ = read_response(s)
    except (OSError, ssl.SSLError):
        st = 0
    return st in statuses


QUERY_JSON = {"tag": "RequestMessage", "value": [
    {"tag": "RequestHeader", "value": [
        {"tag": "ProtocolVersion", "value": [{"tag": "ProtocolVersionMajor", "type": "Integer", "value": 1},
                                             {"tag": "ProtocolVersionMinor", "type": "Integer", "value": 4}]},
        {"tag": "BatchCount", "type": "Integer", "value": 1}]},
    {"tag": "BatchItem", "value": [
        {"tag": "Operation", "type": "Enumeration", "value": "Query"},
        {"tag": "RequestPayload", "value": [{"tag": "QueryFunction", "type": "Enumeration", "value": "QueryOperations"},
                                            {"tag": "QueryFunction", "type": "Enumeration", "value": "QueryServerInformation"}]}]}]}
QUERY_XML = ('<RequestMessage><RequestHeader><ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/>'
             '<ProtocolVersionMinor type="Integer" value="2"/></ProtocolVersion><MaximumResponseSize type="Integer" value="256"/>'
             '<BatchCount type="Integer" value="1"/></RequestHeader><BatchItem><Operation type="Enumeration" value="Query"/>'
             '<RequestPayload><QueryFunction type="Enumeration" value="QueryOperations"/>'
             '<QueryFunction type="Enumeration" value="QueryObjects"/></RequestPayload></BatchItem></RequestMessage>')


def ttlv(tag, typ, value):
    pad = (8 - len(value) % 8) % 8
    return struct.pack(">I", tag)[1:] + bytes([typ]) + struct.pack(">I", len(value)) + value + b"\0" * pad


def ttlv_query():
    i = lambda tag, v: ttlv(tag, 2, struct.pack(">i", v))
    e = lambda tag, v: ttlv(tag, 5, struct.pack(">I", v))
    s = lambda tag, *c: ttlv(tag, 1, b"".join(c))
    return s(0x420078, s(0x420077, s(0x420069, i(0x42006A, 1), i(0x42006B, 4)), i(0x42000D, 1)),
             s(0x42000F, e(0x42005C, 0x18), s(0x420079, e(0x420074, 1))))


# 1. curl, as a script would: JSON Query with a client certificate.
rc = subprocess.run(["curl", "-s", "--max-time", "20", "--cacert", ca, "--cert", cert, "--key", key, "-H", "Content-Type: application/json",
                     "-H", "Cache-Control: no-cache", "--data-binary", json.dumps(QUERY_JSON), "-w", "\n%{http_code} %{content_type}",
                     f"https://127.0.0.1:{port}/kmip"], capture_output=True, text=True)
body, _, tail = rc.stdout.rpartition("\n")
try:
    doc = json.loads(body)
    items = [c for c in doc["value"] if c["tag"] == "BatchItem"][0]["value"]
    status = [c for c in items if c["tag"] == "ResultStatus"][0]["value"]
    vendor = "VendorIdentification" in body
except (ValueError, KeyError, IndexError):
    status, vendor = None, False
check("curl JSON Query", tail.startswith("200 application/json") and status == "Success" and vendor, f"{tail} {body[:160]}")

# 2. XML: the MSGENC-XML Query with a Maximum Response Size of 256: a KMIP error inside a 200.
s = connect()
st, h, b = post(s, QUERY_XML.encode(), "text/xml")
check("XML Query answered in XML, KMIP error inside 200", st == 200 and h.get("content-type") == "text/xml"
      and b'<ResultReason type="Enumeration" value="ResponseTooLarge"/>' in b and h.get("cache-control") == "no-cache", f"{st} {b[:200]!r}")
# keep-alive: the same connection answers again, TTLV this time.
st, h, b = post(s, ttlv_query(), "application/octet-stream")
check("TTLV over HTTPS on the same connection (keep-alive)", st == 200 and h.get("content-type") == "application/octet-stream"
      and b[:3] == b"\x42\x00\x7b" and len(b) == int(h.get("content-length", -1)), f"{st} {b[:16]!r}")
# a bad JSON body is a KMIP error (Invalid Message), not an HTTP one
st, h, b = post(s, b'{"tag": "RequestMessage", "value": [', "application/json")
check("bad JSON: Invalid Message inside 200", st == 200 and b'"InvalidMessage"' in b, f"{st} {b[:200]!r}")
s.close()

# 3. HTTP/1.0: answered, then closed.
s = connect()
st, h, b = post(s, json.dumps(QUERY_JSON).encode(), "application/json", version="HTTP/1.0")
check("HTTP/1.0 answered and closed", st == 200 and h.get("connection", "").lower() == "close" and s.recv(1) == b"", f"{st}")
s.close()

# 4. Faults of HTTP itself: an HTTP status and a close, while a well-behaved client is served.
stop = threading.Event(); served = {"ok": 0, "bad": 0}


def well_behaved():
    c = connect()
    while not stop.is_set():
        st, _, b = post(c, json.dumps(QUERY_JSON).encode(), "application/json")
        served["ok" if st == 200 and b'"Success"' in b else "bad"] += 1
        time.sleep(0.02)
    c.close()


t = threading.Thread(target=well_behaved); t.start()
cases = [
    ("GET", b"GET /kmip HTTP/1.1\r\nHost: k\r\n\r\n", {405}),
    ("wrong path", b"POST /other HTTP/1.1\r\nHost: k\r\nContent-Type: text/xml\r\nContent-Length: 1\r\n\r\n<", {404}),
    ("unknown content type", b"POST /kmip HTTP/1.1\r\nHost: k\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx", {415}),
    ("no content type", b"POST /kmip HTTP/1.1\r\nHost: k\r\nContent-Length: 1\r\n\r\nx", {415}),
    ("no length", b"POST /kmip HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n\r\n{}", {411}),
    ("two lengths", b"POST /kmip HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", {400}),
    ("body over the size limit", b"POST /kmip HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n", {413}),
    ("chunked body over the limit", b"POST /kmip HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
     + b"".join(b"10000\r\n" + b"a" * 0x10000 + b"\r\n" for _ in range(20)), {413}),
    ("chunked garbage", b"POST /kmip HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", {400, 0}),
    ("huge headers", b"POST /kmip HTTP/1.1\r\nHost: k\r\n" + b"X-Pad: " + b"a" * 200_000 + b"\r\n\r\n", {400, 431, 0}),
    ("not HTTP", b"\x16\x03\x01garbage\r\n\r\n", {400, 0}),
    ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400, 405, 505, 0}),
]
for name, raw, statuses in cases:
    s = connect()
    try:
        s.sendall(raw)
    except (OSError, ssl.SSLError):
        pass
    check(f"malformed HTTP: {name}", closed_or_status(s, statuses))
    s.close()
# A chunked request within the limit is a request like any other.
s = connect()
body = json.dumps(QUERY_JSON).encode()
s.sendall(b"POST /kmip HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
st, _, b = read_response(s)
check("chunked request within the limit answered", st == 200 and b'"Success"' in b, f"{st}")
s.close()
# Slow headers: a byte at a time is cut at the message timeout, not held forever.
s = connect(timeout=30)
start = time.time(); cut = False
for ch in b"POST /kmip HTTP/1.1\r\nHost: kmipd\r\nX-Slow: " + b"a" * 200:
    try:
        s.send(bytes([ch])); time.sleep(0.2)
    except (OSError, ssl.SSLError):
        cut = True; break
    if time.time() - start > message_timeout + 10: break
if not cut:
    try: cut = s.recv(1) == b""
    except (OSError, ssl.SSLError): cut = True
check("slow headers cut at the message timeout", cut and time.time() - start < message_timeout + 5, f"{time.time() - start:.1f} s")
s.close()
stop.set(); t.join(30)
check("a well-behaved client served throughout", served["ok"] > 10 and served["bad"] == 0, str(served))

checks.finish()
