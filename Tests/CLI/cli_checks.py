"""The `kmip` command line against a running kmipd, as an operator's script uses it: every command is
run for real and its effect read back with another command (get-attributes, get, locate, …), over
KMIP 1.4 and 2.1. Refusals must exit 2 with one "Error: OPERATION: REASON: message" line on stderr;
usage errors exit 64 before anything is sent.

    python3 Tests/CLI/cli_checks.py BIN_DIR PORT PKI_DIR SERVER_LOG USERNAME PASSWORD WORK_DIR

USERNAME/PASSWORD is an entry of the server's password file (a second identity, user:USERNAME, for the
grant and credential checks). Prints one `cli: NAME ok|FAIL detail` line per check and ends with
`cli: N passed, M failed`."""
import base64, json, os, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checklist import Checklist  # noqa: E402

bindir, port, pki, server_log, username, password, work = sys.argv[1:8]
os.makedirs(work, exist_ok=True)
kmip = os.path.join(bindir, "kmip")
conn = ["--port", port, "--ca", f"{pki}/ca.crt", "--cert", f"{pki}/client.crt", "--key", f"{pki}/client.key"]
password_file = os.path.join(work, "password")
with open(password_file, "w") as f: f.write(password + "\n")
as_user = ["--username", username, "--password-file", password_file]
checks = Checklist("cli", details_when_ok=False)
check = checks.check


class Run:
    def __init__(self, args):
        p = subprocess.run([kmip, args[0], *conn, *args[1:]], capture_output=True, text=True, timeout=60)
        self.rc, self.out, self.err = p.returncode, p.stdout, p.stderr
        try: self.json = json.loads(self.out) if self.out.strip() else None
        except ValueError: self.json = None

    def __str__(self): return f"rc={self.rc} {self.err.strip()[:300] or self.out.strip()[:300]}"

    @property
    def uid(self): return (self.json or {}).get("UniqueIdentifier") if isinstance(self.json, dict) else None


def k(*args): return Run(list(args))


def refused(r, reason):
    """A KMIP refusal: exit 2, one line on stderr naming the Result Reason, nothing on stdout."""
    lines = r.err.strip().splitlines()
    return r.rc == 2 and len(lines) == 1 and lines[0].startswith("Error: ") and reason in lines[0] and not r.out.strip()


def attrs(uid, *names, version="1.4"):
    """{name: [values]} from get-attributes, over either version's response form."""
    args = ["get-attributes", uid, "--protocol", version]
    for n in names: args += ["--attribute", n]
    r = Run(args)
    out = {}
    if not r.json: return out
    if version == "1.4":
        items = r.json.get("Attribute", [])
        for a in items if isinstance(items, list) else [items]:
            out.setdefault(a["AttributeName"], []).append(a.get("AttributeValue"))
    else:
        for key, v in r.json.get("Attributes", {}).items():
            for item in v if isinstance(v, list) else [v]:
                if key == "Attribute": out.setdefault("x-" + item["AttributeName"], []).append(item.get("AttributeValue"))
                else: out.setdefault(key, []).append(item)
    return out


def names(uid): return [n.get("NameValue") for n in attrs(uid, "Name").get("Name", [])]


def located(*args):
    r = k("locate", *args)
    u = (r.json or {}).get("UniqueIdentifier", [])
    return u if isinstance(u, list) else [u]


def links(uid):
    return {l["LinkType"]: l["LinkedObjectIdentifier"] for l in attrs(uid, "Link").get("Link", [])}


def material(uid, *more):
    r = k("get", uid, *more)
    return ((((r.json or {}).get("SymmetricKey") or {}).get("KeyBlock") or {}).get("KeyValue") or {}).get("KeyMaterial")


now = int(time.time())
tag = str(now)

# create with typed options and --attribute, read back
r = k("create", "--name", f"cli-{tag}", "--group", f"cli-group-{tag}", "--activation-date", "now",
      "--attribute", "Contact Information=ops@example", "--attribute", "x-team=storage", "--attribute", "x-count:Integer=3")
key = r.uid
a = attrs(key) if key else {}
check("create with typed options", key and a.get("Object Group") == [f"cli-group-{tag}"] and a.get("State") == ["Active"]
      and a.get("Contact Information") == ["ops@example"] and a.get("x-team") == ["storage"] and a.get("x-count") == [3]
      and a.get("Cryptographic Usage Mask") == [12], f"{r} {a}")
check("create --name reads back", names(key) == [f"cli-{tag}"], str(names(key)))
r = k("create", "--non-extractable", "--usage", "Encrypt", "--deactivation-date", "now+30d")
sealed = r.uid
a = attrs(sealed)
check("create --non-extractable --deactivation-date", a.get("Extractable") == [False] and a.get("Deactivation Date")
      and refused(k("get", sealed), "Not Extractable"), f"{a.get('Extractable')} {a.get('Deactivation Date')}")
r = k("register", "--type", "secret-data", "--hex", "0011223344556677", "--name", f"cli-secret-{tag}")
check("register secret data", r.uid and located("--name", f"cli-secret-{tag}") == [r.uid], str(r))
pem_der = subprocess.run(["openssl", "x509", "-in", f"{pki}/ca.crt", "-outform", "DER"], capture_output=True).stdout.hex()
r = k("register", "--type", "certificate", "--file", f"{pki}/ca.crt", "--name", f"cli-cert-{tag}")
got = (k("get", r.uid or "-").json or {}).get("Certificate", {}).get("CertificateValue")
check("register a PEM certificate, read back as its DER", r.uid and got == pem_der, str(r))
pem = open(f"{pki}/client.key").read()
key_der = base64.b64decode("".join(l for l in pem.splitlines() if not l.startswith("-----"))).hex()
r = k("register", "--type", "private-key", "--algorithm", "EC", "--file", f"{pki}/client.key", "--extractable")
got = ((((k("get", r.uid or "-").json or {}).get("PrivateKey") or {}).get("KeyBlock") or {}).get("KeyValue") or {}).get("KeyMaterial")
check("register a PEM private key (PKCS#8), read back as registered", r.uid and got == key_der, f"{r} {got and got[:40]}")
check("register a private key without --algorithm is a usage error",
      k("register", "--type", "private-key", "--file", f"{pki}/client.key").rc == 64)
# A chain file (leaf first, as servers send them, with OpenSSL's subject= lines between): every certificate,
# the leaf linked to its issuer; a key taken from a file that also holds its certificate; two keys refused.
chain = os.path.join(work, "chain.pem")
with open(chain, "w") as f:
    f.write("subject=client\n" + open(f"{pki}/client.crt").read() + "subject=ca\n" + open(f"{pki}/ca.crt").read())
r = k("register", "--type", "certificate", "--file", chain, "--name", f"cli-chain-{tag}")
uids = [a.get("UniqueIdentifier") for a in r.json] if isinstance(r.json, list) else []
ca_uid, leaf_uid = (uids + [None, None])[:2]  # the issuer is registered first, to be linked from the leaf
check("register a chain file: each certificate, the leaf linked to its issuer",
      ca_uid and leaf_uid and sorted(located("--name", f"cli-chain-{tag}")) == sorted([ca_uid, leaf_uid])
      and links(leaf_uid).get("Certificate Link") == ca_uid and "Certificate Link" not in links(ca_uid)
      and (k("get", ca_uid).json or {}).get("Certificate", {}).get("CertificateValue") == pem_der, str(r))
both = os.path.join(work, "cert-and-key.pem")
with open(both, "w") as f: f.write(open(f"{pki}/client.crt").read() + pem)
r = k("register", "--type", "private-key", "--algorithm", "EC", "--file", both, "--extractable")
got = ((((k("get", r.uid or "-").json or {}).get("PrivateKey") or {}).get("KeyBlock") or {}).get("KeyValue") or {}).get("KeyMaterial")
check("register the private key of a certificate-and-key file", r.uid and got == key_der, str(r))
two = os.path.join(work, "two-keys.pem")
with open(two, "w") as f: f.write(pem + open(f"{pki}/server.key").read())
r = k("register", "--type", "private-key", "--algorithm", "EC", "--file", two)
check("a file with two private keys is a usage error", r.rc == 64 and "2 private key blocks" in r.err, str(r))

# attributes: add (several at once, both versions), modify, delete, set, list
r = k("add-attribute", key, "--group", "second", "Description=rotated monthly", "--protocol", "2.1")
check("add-attribute (2.1, two attributes: an array)", isinstance(r.json, list) and len(r.json) == 2
      and attrs(key, "Object Group").get("Object Group") == [f"cli-group-{tag}", "second"]
      and attrs(key, "Description", version="2.1").get("Description") == ["rotated monthly"], str(r))
r = k("add-attribute", key, "Link=Parent Link:" + sealed)
check("add-attribute Link short form (1.4)", r.rc == 0 and links(key).get("Parent Link") == sealed, f"{r} {links(key)}")
r = k("modify-attribute", key, "Object Group=third", "--current", "second")
check("modify-attribute by current value (2.1 chosen by itself)", r.rc == 0 and attrs(key, "Object Group").get("Object Group") == [f"cli-group-{tag}", "third"], str(r))
r = k("modify-attribute", key, "Object Group=fourth", "--index", "1")
check("modify-attribute by index (1.4)", r.rc == 0 and attrs(key, "Object Group").get("Object Group") == [f"cli-group-{tag}", "fourth"], str(r))
# Found after connecting: the connection must be closed before exit, or exit's OpenSSL clean-up races the
# handshake on NIO's threads (a segfault about 1 run in 10 before): 30 runs, every one exit 64.
codes = [k("modify-attribute", key, "Object Group=x", "--current", "fourth", "--protocol", "1.4").rc for _ in range(30)]
check("modify-attribute --current over 1.4 is a usage error, 30 of 30 runs", codes == [64] * 30, str(sorted(set(codes))))
r = k("delete-attribute", key, "Object Group", "--value", "fourth")
check("delete-attribute by value (2.1 chosen by itself)", r.rc == 0 and attrs(key, "Object Group").get("Object Group") == [f"cli-group-{tag}"], str(r))
r = k("delete-attribute", key, "Description")
check("delete-attribute by name (1.4)", r.rc == 0 and "Description" not in attrs(key), str(r))
r = k("delete-attribute", key, "x-count", "--protocol", "2.1")
check("delete-attribute vendor by reference (2.1)", r.rc == 0 and "x-count" not in attrs(key), str(r))
r = k("get-attribute-list", key, "--protocol", "2.1")
refs = (r.json or {}).get("AttributeReference", [])
check("get-attribute-list names attributes", "Contact Information" in refs and "Object Group" in refs
      and {"VendorIdentification": "x", "AttributeName": "team"} in refs and "Description" not in refs, str(refs)[:300])
r = k("set-attribute", key, "Contact Information=security@example")
check("set-attribute replaces (2.1 chosen by itself)", r.rc == 0 and attrs(key).get("Contact Information") == ["security@example"], str(r))
check("set-attribute over 1.4 is a usage error", k("set-attribute", key, "Comment=x", "--protocol", "1.4").rc == 64)
r = k("add-attribute", key, "Cryptographic Length=big")
check("a value that does not read is a usage error, nothing sent", r.rc == 64 and "Cryptographic Length" in r.err, str(r))
r = k("add-attribute", key, "Frobnication=1")
check("an unknown attribute is a usage error", r.rc == 64 and "unknown attribute" in r.err, str(r))
r = k("add-attribute", key, "Initial Date=now")
check("a server-set attribute is the server's refusal", refused(r, "Initial Date"), str(r))
r = k("add-attribute", key, "Comment=first of two", "Initial Date=now")
check("a refusal part-way prints what took effect before it", r.rc == 2 and r.json and r.json.get("UniqueIdentifier") == key
      and "Initial Date" in r.err and attrs(key, "Comment").get("Comment") == ["first of two"], str(r))

# grants and credentials: user:NAME sees nothing until granted
wrong_file = os.path.join(work, "wrong-password")
with open(wrong_file, "w") as f: f.write("not-" + password + "\n")
r = k("get", key, "--username", username, "--password-file", wrong_file)
check("a wrong password is refused", refused(r, "Authentication Not Successful"), str(r))
r = k("get", key, *as_user)
check("another identity cannot Get before a grant", refused(r, "Item Not Found"), str(r))
r = k("grant", key, f"user:{username}", "Get", "get-attributes")
a = attrs(key, "x-kmipd-grant")
check("grant adds the grant attribute", r.rc == 0 and a.get("x-kmipd-grant") == [f"user:{username}|Get,Get Attributes"], f"{r} {a}")
check("granted Get works with the credential", material(key) is not None and material(key, *as_user) == material(key))
check("not granted: Locate still finds nothing", located("--name", f"cli-{tag}", *as_user) == [])
k("grant", key, f"user:{username}", "Locate", "--protocol", "2.1")
check("a Locate grant (2.1) makes it findable", located("--name", f"cli-{tag}", *as_user) == [key])
r = k("revoke-grant", key, f"user:{username}", "Locate", "--protocol", "2.1")
check("revoke-grant of exactly one grant (2.1)", r.rc == 0 and attrs(key, "x-kmipd-grant").get("x-kmipd-grant") == [f"user:{username}|Get,Get Attributes"], str(r))
r = k("revoke-grant", key, f"user:{username}")
check("revoke-grant of all (1.4)", r.rc == 0 and "x-kmipd-grant" not in attrs(key) and refused(k("get", key, *as_user), "Item Not Found"), str(r))
r = k("revoke-grant", key, f"user:{username}")
check("revoke-grant of nothing says so (exit 1)", r.rc == 1 and "no grant" in r.err, str(r))
check("grant with an unknown operation is a usage error", k("grant", key, "CN=x", "Frobnicate").rc == 64)
r = k("create", "--grant", f"user:{username}:Get,Destroy")
check("create --grant IDENTITY:OPS", r.uid and material(r.uid, *as_user) is not None, str(r))

# locate filters and date ranges
check("locate by group and vendor attribute", located("--group", f"cli-group-{tag}", "--attribute", "x-team=storage", "--state", "Active") == [key])
check("locate date range that holds it", key in located("--date-range", "Initial Date=now-1h..now+1h", "--protocol", "2.1"))
check("locate date range that does not", key not in located("--date-range", "Initial Date=..now-1h"))
check("locate --max and --offset", len(located("--object-type", "SymmetricKey", "--max", "2")) == 2
      and located("--object-type", "SymmetricKey", "--max", "1", "--offset", "1") == located("--object-type", "SymmetricKey", "--max", "2")[1:])

pool = [k("create", "--group", f"cli-pool-{tag}", "--activation-date", "now").uid for _ in range(2)]
first = located("--group", f"cli-pool-{tag}", "--group-member", "fresh", "--max", "1")
k("get", first[0] if first else "-")
second = located("--group", f"cli-pool-{tag}", "--group-member", "fresh", "--max", "1")
check("locate --group-member fresh skips a member once handed out", len(first) == 1 and len(second) == 1
      and first != second and set(first + second) == set(pool), f"{first} {second} {pool}")

# rotation: re-key, re-key-key-pair, certify and re-certify
r = k("re-key", key, "--offset", "1d")
new = r.uid
a = attrs(new) if new else {}
activation = a.get("Activation Date", [""])[0]
check("re-key makes a linked replacement", new and links(new).get("Replaced Object Link") == key and links(key).get("Replacement Object Link") == new, str(r))
check("re-key takes over the name, --offset sets activation", names(new) == [f"cli-{tag}"] and names(key) == []
      and a.get("State") == ["Pre-Active"] and activation[:10] == time.strftime("%Y-%m-%d", time.gmtime(now + 86400)), f"{names(new)} {activation}")
r = k("create-key-pair", "--algorithm", "EC", "--length", "256", "--name", f"cli-ca-{tag}", "--group", "pki")
pair = r.json or {}
check("create-key-pair names and groups both keys", names(pair.get("PublicKeyUniqueIdentifier", "")) == [f"cli-ca-{tag}"]
      and names(pair.get("PrivateKeyUniqueIdentifier", "")) == [f"cli-ca-{tag}-private"]
      and attrs(pair.get("PrivateKeyUniqueIdentifier", ""), "Object Group").get("Object Group") == ["pki"], str(r))
r = k("re-key-key-pair", pair.get("PrivateKeyUniqueIdentifier", "-"))
check("re-key-key-pair links the new private key", r.json and links(r.json.get("PrivateKeyUniqueIdentifier", "")).get("Replaced Object Link")
      == pair.get("PrivateKeyUniqueIdentifier"), str(r))
new_pair = r.json or {}
r = k("certify", new_pair.get("PublicKeyUniqueIdentifier", "-"), "--self-signed-with", new_pair.get("PrivateKeyUniqueIdentifier", "-"),
      "--subject", f"CN=cli-ca-{tag}", "--protocol", "2.1", "--name", f"cli-ca-cert-{tag}")
cert = r.uid
check("certify self-signed, named", cert and located("--name", f"cli-ca-cert-{tag}") == [cert], str(r))
r = k("re-certify", cert or "-", "--protocol", "2.1")
check("re-certify makes a linked replacement", r.uid and links(r.uid).get("Replaced Object Link") == cert, str(r))

# derive, export/import (plain and wrapped), check, lease, usage allocation
base = k("create", "--usage", "DeriveKey", "--activation-date", "now").uid
r = k("derive-key", base or "-", "--method", "HMAC", "--hash", "SHA_256", "--data", "0011223344", "--length", "256", "--name", f"cli-derived-{tag}")
check("derive-key links its base", r.uid and links(r.uid).get("Derivation Base Object Link") == base
      and located("--name", f"cli-derived-{tag}") == [r.uid], str(r))
saved = os.path.join(work, "export.json")
r = k("export", key, "--save", saved)
check("export --save writes a 0600 file", r.rc == 0 and os.path.exists(saved) and os.stat(saved).st_mode & 0o777 == 0o600, str(r))
check("export --save prints where, not the key", r.json and r.json.get("SavedTo") == saved and r.json.get("UniqueIdentifier") == key
      and material(key) not in r.out and material(key) in open(saved).read(), str(r))
r = k("import", saved, "--uid", f"cli-copy-{tag}")
check("import puts back material and attributes", r.uid == f"cli-copy-{tag}" and material(r.uid) == material(key)
      and attrs(r.uid).get("x-team") == ["storage"], str(r))
check("import over an existing object is refused", refused(k("import", saved, "--uid", f"cli-copy-{tag}"), "Object Already Exists"))
check("import --replace", k("import", saved, "--uid", f"cli-copy-{tag}", "--replace", "--protocol", "2.1").rc == 0)
kek = k("create", "--usage", "WrapKey,UnwrapKey", "--activation-date", "now").uid
wrapped = os.path.join(work, "wrapped.json")
r = k("export", key, "--wrap-with", kek or "-", "--save", wrapped, "--protocol", "2.1")
check("export --wrap-with saves no plain key", r.rc == 0 and "KeyWrappingData" in open(wrapped).read() and material(key) not in open(wrapped).read(), str(r))
r = k("import", wrapped, "--uid", f"cli-unwrapped-{tag}")
check("a wrapped export imports (unwrapped in the token)", r.uid and material(r.uid) == material(key), str(r))
check("check --usage allowed", k("check", key, "--usage", "Encrypt").rc == 0)
check("check --usage refused", refused(k("check", key, "--usage", "Sign"), "Permission Denied"))
r = k("obtain-lease", key)
check("obtain-lease", r.json and r.json.get("LeaseTime", 0) > 0, str(r))
limited = k("create", "--activation-date", "now", "--attribute", 'Usage Limits={"Usage Limits Total": 10, "Usage Limits Unit": "Object"}').uid
r = k("get-usage-allocation", limited or "-", "--count", "4")
check("get-usage-allocation within Usage Limits", r.rc == 0, str(r))
check("get-usage-allocation past Usage Limits", refused(k("get-usage-allocation", limited or "-", "--count", "40"), "Permission Denied"))

# lifecycle and server commands
check("revoke then destroy", k("revoke", sealed, "--reason", "KeyCompromise").rc == 0 and k("destroy", sealed).rc == 0
      and attrs(sealed, "State").get("State") == ["Destroyed Compromised"])
check("ping", k("ping").json == {})
message = f"cli-log-{tag}"
check("log reaches the server's log", k("log", message).rc == 0 and message in open(server_log).read())
check("interop begin/end", k("interop", "Begin", f"cli-{tag}").rc == 0 and k("interop", "End", f"cli-{tag}").rc == 0)
check("rng-seed and rng", k("rng-seed", "--hex", "00112233").rc == 0 and len((k("rng", "--length", "16").json or {}).get("Data", "")) == 32)
r = k("get", "no-such-object")
check("a refusal is one line and exit 2", refused(r, "Item Not Found"), str(r))

# help: every command answers --help; the common tasks show examples
helps = {c: subprocess.run([kmip, c, "--help"], capture_output=True, text=True) for c in
         ["add-attribute", "modify-attribute", "delete-attribute", "set-attribute", "get-attribute-list", "grant", "revoke-grant",
          "re-key", "re-key-key-pair", "re-certify", "derive-key", "export", "import", "check", "obtain-lease",
          "get-usage-allocation", "ping", "log", "interop", "rng-seed", "locate", "create"]}
check("every command answers --help", all(p.returncode == 0 and p.stdout.startswith("OVERVIEW") for p in helps.values()),
      str([c for c, p in helps.items() if p.returncode != 0]))
check("common tasks show examples", all("Examples:" in helps[c].stdout for c in ["grant", "re-key", "export", "locate", "create", "add-attribute"]))

checks.finish()
