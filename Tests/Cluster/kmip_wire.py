"""A minimal KMIP 1.4 TTLV client for the cluster tests: the requests they need, built byte by byte
(KMIP 1.4 §9.1), over mutually authenticated TLS, with each batch item's result decoded."""
import socket, ssl, struct

T = dict(attribute=0x420008, attribute_name=0x42000A, attribute_value=0x42000B, batch_count=0x42000D, batch_item=0x42000F,
         block_cipher_mode=0x420011, crypto_algorithm=0x420028, crypto_length=0x42002A, crypto_params=0x42002B,
         usage_mask=0x42002C, name=0x420053, name_type=0x420054, name_value=0x420055, object_type=0x420057,
         operation=0x42005C, padding=0x42005F, protocol_version=0x420069, major=0x42006A, minor=0x42006B,
         request_header=0x420077, request_message=0x420078, request_payload=0x420079, response_payload=0x42007C,
         result_message=0x42007D, result_reason=0x42007E, result_status=0x42007F, revocation_reason=0x420081,
         revocation_code=0x420082, template_attribute=0x420091, uid=0x420094, usage_limits=0x420095,
         usage_limits_count=0x420096, usage_limits_total=0x420097, usage_limits_unit=0x420098, data=0x4200C2,
         key_material=0x420043)
OP = dict(create=1, locate=8, get=10, get_attributes=11, add_attribute=13, activate=18, revoke=19, destroy=20, encrypt=31)


def item(tag, typ, value):
    pad = (8 - len(value) % 8) % 8
    return struct.pack(">I", tag)[1:] + bytes([typ]) + struct.pack(">I", len(value)) + value + b"\0" * pad

def struct_(tag, *children): return item(T[tag], 0x01, b"".join(children))
def integer(tag, v): return item(T[tag], 0x02, struct.pack(">i", v))
def long_(tag, v): return item(T[tag], 0x03, struct.pack(">q", v))
def enum(tag, v): return item(T[tag], 0x05, struct.pack(">I", v))
def text(tag, s): return item(T[tag], 0x07, s.encode())
def raw(tag, b): return item(T[tag], 0x08, b)

def attribute(name, value_item):
    """value_item: an encoded item whose tag is replaced by Attribute Value."""
    return struct_("attribute", text("attribute_name", name), struct.pack(">I", T["attribute_value"])[1:] + value_item[3:])


def decode(buf, off=0, end=None):
    """TTLV bytes -> list of (tag, type, value); structures hold lists."""
    end = len(buf) if end is None else end
    out = []
    while off < end:
        tag = int.from_bytes(buf[off:off + 3], "big"); typ = buf[off + 3]; n = struct.unpack(">I", buf[off + 4:off + 8])[0]
        v = buf[off + 8:off + 8 + n]
        if typ == 0x01: v = decode(buf, off + 8, off + 8 + n)
        elif typ in (0x02, 0x05): v = struct.unpack(">I" if typ == 0x05 else ">i", v)[0]
        elif typ in (0x03, 0x09): v = struct.unpack(">q", v)[0]
        elif typ == 0x07: v = v.decode()
        out.append((tag, typ, v))
        off += 8 + n + (8 - n % 8) % 8
    return out

def find(node, tag):
    return [v for t, _, v in node if t == T[tag]]

def walk(node, tag):
    for t, typ, v in node:
        if t == T[tag]: yield v
        if typ == 0x01: yield from walk(v, tag)


class Result:
    def __init__(self, item):
        self.status = find(item, "result_status")[0]
        self.reason = (find(item, "result_reason") or [None])[0]
        self.message = (find(item, "result_message") or [""])[0]
        self.payload = (find(item, "response_payload") or [[]])[0]
    @property
    def ok(self): return self.status == 0
    def uid(self): return (find(self.payload, "uid") or [None])[0]


class Client:
    def __init__(self, port, ca, cert, key, timeout=15):
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
        ctx.load_cert_chain(cert, key); ctx.check_hostname = False
        self.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=timeout))

    def close(self): self.sock.close()

    def call(self, op, *payload):
        header = struct_("request_header", struct_("protocol_version", integer("major", 1), integer("minor", 4)), integer("batch_count", 1))
        msg = struct_("request_message", header, struct_("batch_item", enum("operation", OP[op]), struct_("request_payload", *payload)))
        self.sock.sendall(msg)
        head = self._read(8)
        body = self._read(struct.unpack(">I", head[4:8])[0])
        response = decode(head + body)[0][2]
        return Result(find(response, "batch_item")[0])

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk: raise ConnectionError("closed by server")
            buf += chunk
        return buf

    # The requests the tests make.
    def create(self, name, limits=None):
        attrs = [attribute("Cryptographic Algorithm", enum("object_type", 3)), attribute("Cryptographic Length", integer("major", 256)),
                 attribute("Cryptographic Usage Mask", integer("major", 4 | 8)),
                 attribute("Name", struct_("name", text("name_value", name), enum("name_type", 1)))]
        if limits:
            attrs.append(attribute("Usage Limits", struct_("usage_limits", long_("usage_limits_total", limits),
                                                           long_("usage_limits_count", limits), enum("usage_limits_unit", 2))))
        return self.call("create", enum("object_type", 2), struct_("template_attribute", *attrs))
    def activate(self, uid): return self.call("activate", text("uid", uid))
    def get(self, uid): return self.call("get", text("uid", uid))
    def get_attributes(self, uid): return self.call("get_attributes", text("uid", uid))
    def attribute_names(self, uid):
        r = self.get_attributes(uid)
        return [n for a in find(r.payload, "attribute") for n in find(a, "attribute_name")] if r.ok else None
    def add_attribute(self, uid, name, value):
        return self.call("add_attribute", text("uid", uid), attribute(name, text("name_value", value)))
    def encrypt(self, uid, data):
        params = struct_("crypto_params", enum("block_cipher_mode", 1), enum("padding", 3))
        return self.call("encrypt", text("uid", uid), params, raw("data", data))
    def locate(self, name):
        r = self.call("locate", attribute("Name", struct_("name", text("name_value", name), enum("name_type", 1))))
        return sorted(find(r.payload, "uid")) if r.ok else None
    def revoke(self, uid):
        return self.call("revoke", text("uid", uid), struct_("revocation_reason", enum("revocation_code", 5)))
    def destroy(self, uid): return self.call("destroy", text("uid", uid))
