#!/usr/bin/env python3
"""PyKMIP (the reference Python client, from PyPI) against a live kmipd.

Usage: pykmip_interop.py HOST PORT CA CERT KEY [USER PASSWORD]
Runs, for KMIP 1.0, 1.1, 1.2, 1.3, 1.4 and 2.0: create, register, locate, get, get attributes, activate,
revoke, destroy (and from 1.2 the cryptographic operations), and checks every answer. With USER and PASSWORD (a user of the server's password file), also KMIP
Username and Password credentials. Prints one line per check and a closing 'N passed, M failed' line.
"""
import os, sys

from kmip.core import enums
from kmip.pie import objects
from kmip.pie.client import ProxyKmipClient

host, port, ca, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
user, password = (sys.argv[6], sys.argv[7]) if len(sys.argv) > 7 else (None, None)
# Names are prefixed when two runs share one store (two cluster nodes at once), so each finds its own.
PREFIX = os.environ.get("KMIPD_INTEROP_PREFIX", "")
# Mechanisms the server's token lacks (a second HSM profile): those operations must be refused with
# Feature Not Supported naming the mechanism, instead of succeeding.
LACKS = set(filter(None, os.environ.get("KMIPD_INTEROP_LACKS", "").split(",")))
passed = failed = 0


ORDER = [enums.KMIPVersion.KMIP_1_0, enums.KMIPVersion.KMIP_1_1, enums.KMIPVersion.KMIP_1_2,
         enums.KMIPVersion.KMIP_1_3, enums.KMIPVersion.KMIP_1_4, enums.KMIPVersion.KMIP_2_0]


def check(label, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {label}")
    else:
        failed += 1
        print(f"FAIL {label} {detail}")


def run(version):
    tag = version.name
    with ProxyKmipClient(hostname=host, port=port, ca=ca, cert=cert, key=key, kmip_version=version) as c:
        name = f"{PREFIX}pykmip-{tag}"
        uid = c.create(enums.CryptographicAlgorithm.AES, 256, name=name,
                       cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT])
        check(f"{tag} create", bool(uid))

        material = bytes(range(32))
        key_obj = objects.SymmetricKey(enums.CryptographicAlgorithm.AES, 256, material,
                                       masks=[enums.CryptographicUsageMask.ENCRYPT], name=f"{name}-registered")
        reg = c.register(key_obj)
        check(f"{tag} register", bool(reg))
        got = c.get(reg)
        check(f"{tag} get registered key returns its bytes", bytes(got.value) == material, repr(got))

        found = c.locate(attributes=[c.attribute_factory.create_attribute(enums.AttributeType.NAME, name)])
        check(f"{tag} locate by name", found == [uid], repr(found))

        generated = c.get(uid)
        check(f"{tag} get created key", len(bytes(generated.value)) == 32 and generated.cryptographic_algorithm == enums.CryptographicAlgorithm.AES)

        _, attrs = c.get_attributes(uid, ["State", "Cryptographic Length", "Cryptographic Algorithm"])
        values = {a.attribute_name.value: a.attribute_value.value for a in attrs}
        check(f"{tag} get attributes", values.get("State") == enums.State.PRE_ACTIVE and values.get("Cryptographic Length") == 256, repr(values))

        c.activate(uid)
        _, attrs = c.get_attributes(uid, ["State"])
        check(f"{tag} activate", attrs[0].attribute_value.value == enums.State.ACTIVE)

        c.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, uid)
        _, attrs = c.get_attributes(uid, ["State"])
        check(f"{tag} revoke", attrs[0].attribute_value.value == enums.State.DEACTIVATED)

        pub, priv = c.create_key_pair(enums.CryptographicAlgorithm.RSA, 2048,
                                      public_usage_mask=[enums.CryptographicUsageMask.VERIFY],
                                      private_usage_mask=[enums.CryptographicUsageMask.SIGN])
        check(f"{tag} create key pair", bool(pub) and bool(priv))
        pkcs1 = c.get(pub, key_wrapping_specification=None)
        check(f"{tag} get public key (default PKCS#1)", pkcs1.key_format_type == enums.KeyFormatType.PKCS_1, repr(pkcs1.key_format_type))
        # The high-level client has no format argument; the protocol client under it does.
        from kmip.core.misc import KeyFormatType
        spki = c.proxy.get(pub, key_format_type=KeyFormatType(enums.KeyFormatType.X_509))
        ok = spki.result_status.value == enums.ResultStatus.SUCCESS and \
            spki.secret.key_block.key_format_type.value == enums.KeyFormatType.X_509
        check(f"{tag} get public key as X.509", ok, repr(spki.result_reason))
        import subprocess, tempfile, os
        with tempfile.TemporaryDirectory() as d:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                            "-subj", f"/CN=pykmip-{tag}", "-keyout", os.path.join(d, "k"), "-outform", "DER", "-out", os.path.join(d, "c")],
                           check=True, capture_output=True)
            der = open(os.path.join(d, "c"), "rb").read()
        cert_uid = c.register(objects.X509Certificate(der, name=f"{PREFIX}pykmip-cert-{tag}"))
        back = c.get(cert_uid)
        check(f"{tag} register and get a certificate", bytes(back.value) == der)
        c.destroy(cert_uid)
        # KMIP §4.23: Extractable defaults to True, so the private key of a generated pair comes out.
        got_priv = c.get(priv)
        check(f"{tag} private key is extractable by default", isinstance(got_priv, objects.PrivateKey), repr(got_priv))

        if ORDER.index(version) < ORDER.index(enums.KMIPVersion.KMIP_1_2):
            # Encrypt, Sign and MAC arrived in KMIP 1.2.
            c.destroy(uid)
            try:
                c.get(uid)
                check(f"{tag} get after destroy fails", False)
            except Exception as e:
                check(f"{tag} get after destroy answers Item Not Found", "ITEM_NOT_FOUND" in repr(e), repr(e))
            return
        # Cryptographic services in the token: AES-CBC, RSA signatures, HMAC.
        aes = c.create(enums.CryptographicAlgorithm.AES, 256, cryptographic_usage_mask=[
            enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT])
        c.activate(aes)
        cbc = {"block_cipher_mode": enums.BlockCipherMode.CBC, "padding_method": enums.PaddingMethod.PKCS5,
               "cryptographic_algorithm": enums.CryptographicAlgorithm.AES}
        ct, iv = c.encrypt(b"attack at dawn", uid=aes, cryptographic_parameters=cbc, iv_counter_nonce=bytes(16))
        pt = c.decrypt(ct, uid=aes, cryptographic_parameters=cbc, iv_counter_nonce=bytes(16))
        check(f"{tag} AES-CBC encrypt/decrypt", pt == b"attack at dawn" and len(ct) == 16, repr((ct, iv, pt)))
        # A hostile IV Length (it crashed the server once): Invalid Field, and the server keeps serving.
        try:
            c.encrypt(b"A" * 16, uid=aes, cryptographic_parameters=dict(cbc, iv_length=-8))
            check(f"{tag} IV Length -8 refused", False)
        except Exception as e:
            check(f"{tag} IV Length -8 refused with Invalid Field", "INVALID_FIELD" in repr(e) or "Invalid Field" in str(e), repr(e))
        check(f"{tag} the server still serves after a hostile IV Length", c.decrypt(ct, uid=aes, cryptographic_parameters=cbc,
                                                                                    iv_counter_nonce=bytes(16)) == b"attack at dawn")
        # GCM: PyKMIP cannot carry the Authenticated Encryption Tag, so check its ciphertext against an
        # independent AES-GCM (the key is extractable by default policy) instead of a round trip.
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        gcm = {"block_cipher_mode": enums.BlockCipherMode.GCM, "cryptographic_algorithm": enums.CryptographicAlgorithm.AES,
               "tag_length": 16}
        nonce = bytes(range(12))
        if ORDER.index(version) < ORDER.index(enums.KMIPVersion.KMIP_1_4):
            # KMIP 1.2 and 1.3 have no Authenticated Encryption Tag field, so kmipd refuses GCM to such clients.
            try:
                c.encrypt(b"x", uid=aes, cryptographic_parameters=gcm, iv_counter_nonce=nonce)
                check(f"{tag} AES-GCM refused before KMIP 1.4 (no tag field)", False)
            except Exception as e:
                check(f"{tag} AES-GCM refused before KMIP 1.4 (no tag field)", "GCM needs KMIP 1.4" in str(e), repr(e))
        elif "CKM_AES_GCM" in LACKS:
            try:
                c.encrypt(b"x", uid=aes, cryptographic_parameters=gcm, iv_counter_nonce=nonce)
                check(f"{tag} AES-GCM refused: the token has no CKM_AES_GCM", False)
            except Exception as e:
                check(f"{tag} AES-GCM refused: the token has no CKM_AES_GCM",
                      "FEATURE_NOT_SUPPORTED" in repr(e) and "CKM_AES_GCM" in str(e), repr(e))
        else:
            gct, _ = c.encrypt(b"attack at dawn", uid=aes, cryptographic_parameters=gcm, iv_counter_nonce=nonce)
            reference = AESGCM(bytes(c.get(aes).value)).encrypt(nonce, b"attack at dawn", None)[:-16]
            check(f"{tag} AES-GCM encrypt matches an independent AES-GCM", gct == reference, repr((gct, reference)))
        spub, spriv = c.create_key_pair(enums.CryptographicAlgorithm.RSA, 2048,
                                        public_usage_mask=[enums.CryptographicUsageMask.VERIFY],
                                        private_usage_mask=[enums.CryptographicUsageMask.SIGN])
        c.activate(spub); c.activate(spriv)
        sp = {"padding_method": enums.PaddingMethod.PKCS1v15, "cryptographic_algorithm": enums.CryptographicAlgorithm.RSA,
              "hashing_algorithm": enums.HashingAlgorithm.SHA_256}
        signature = c.sign(b"message", uid=spriv, cryptographic_parameters=sp)
        valid = c.signature_verify(b"message", signature, uid=spub, cryptographic_parameters=sp)
        invalid = c.signature_verify(b"messagf", signature, uid=spub, cryptographic_parameters=sp)
        check(f"{tag} RSA sign/verify", valid == enums.ValidityIndicator.VALID and invalid == enums.ValidityIndicator.INVALID,
              repr((valid, invalid)))
        hk = c.create(enums.CryptographicAlgorithm.HMAC_SHA256, 256, cryptographic_usage_mask=[
            enums.CryptographicUsageMask.MAC_GENERATE, enums.CryptographicUsageMask.MAC_VERIFY])
        c.activate(hk)
        _, mac = c.mac(b"message", uid=hk, algorithm=enums.CryptographicAlgorithm.HMAC_SHA256)
        check(f"{tag} HMAC-SHA256", len(mac) == 32, repr(mac))

        c.destroy(uid)
        c.destroy(reg)
        _, attrs = c.get_attributes(uid, ["State"])
        check(f"{tag} destroy", attrs[0].attribute_value.value == enums.State.DESTROYED)
        try:
            c.get(uid)
            check(f"{tag} get after destroy fails", False)
        except Exception:
            check(f"{tag} get after destroy fails", True)


def credentials():
    """The credential makes the request act as user:USER: the certificate alone does not see its keys."""
    def client(**kw):
        return ProxyKmipClient(hostname=host, port=port, ca=ca, cert=cert, key=key,
                               kmip_version=enums.KMIPVersion.KMIP_1_2, **kw)
    with client(username=user, password=password) as c:
        uid = c.create(enums.CryptographicAlgorithm.AES, 128, name=PREFIX + "pykmip-credential",
                       cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT])
        check("credentials: create as the user", bool(uid))
        check("credentials: the user finds it", c.locate(attributes=[name_attribute(PREFIX + "pykmip-credential")]) == [uid])
    with client() as c:
        check("credentials: the certificate alone does not find it", c.locate(attributes=[name_attribute(PREFIX + "pykmip-credential")]) == [])
        try:
            c.get(uid)
            check("credentials: the certificate alone cannot get it", False)
        except Exception:
            check("credentials: the certificate alone cannot get it", True)
    try:
        with client(username=user, password=password + "-wrong") as c:
            c.locate()
        check("credentials: a wrong password is refused", False)
    except Exception as e:
        check("credentials: a wrong password is refused", "Authentication" in repr(e) or "AUTHENTICATION" in repr(e), repr(e))


def name_attribute(value):
    from kmip.core.factories import attributes
    return attributes.AttributeFactory().create_attribute(enums.AttributeType.NAME, value)


for v in ORDER:
    try:
        run(v)
    except Exception as e:  # a crash of one version's run is one failure, not a silent skip
        check(f"{v.name} run", False, repr(e))
if user:
    try:
        credentials()
    except Exception as e:
        check("credentials run", False, repr(e))

print(f"pykmip: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
