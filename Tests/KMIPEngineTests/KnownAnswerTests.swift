import Crypto
import _CryptoExtras
import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Known-answer tests: fixed keys registered, then published vectors through the token, on every
/// tested token (`TestHSM.profiles`); what a token lacks is answered Feature Not Supported naming the
/// mechanism.
@Suite struct KnownAnswerTests {
    let now = Int64(Date().timeIntervalSince1970)

    func register(_ engine: BatchExecutor, alg: CryptographicAlgorithm, key: [UInt8], mask: UInt32) async throws -> String {
        let r = await engine.execute(Req.message(.v2_1, [(.register, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(Int32(bitPattern: mask))),
                                     TTLV(.activationDate, .dateTime(now - 60))]),
            .structure(.symmetricKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
                .structure(.keyValue, [TTLV(.keyMaterial, .byteString(key))]),
                TTLV(.cryptographicAlgorithm, .enumeration(alg.rawValue)), TTLV(.cryptographicLength, .integer(Int32(key.count * 8)))])])])]),
            identity: "a", now: now)
        return try #require(r.first.uid, "\(r.first.resultMessage ?? "")")
    }

    func call(_ engine: BatchExecutor, _ op: KMIP.Operation, _ payload: [TTLV]) async -> ResponseBatchItem {
        await engine.execute(Req.message(.v2_1, [(op, payload)]), identity: "a", now: now).first
    }

    /// RFC 4231 test case 6 (a 131-byte key; SoftHSM2 refuses HMAC keys shorter than the digest).
    @Test(arguments: TestHSM.profiles) func hmacSHA256RFC4231Case6(profile: String) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor(profile: profile)
        let uid = try await register(engine, alg: .hmacSHA256, key: [UInt8](repeating: 0xAA, count: 131), mask: 0x180)
        let data = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        let expected = hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        let mac = await call(engine, .mac, [TTLV(.uniqueIdentifier, .textString(uid)), TTLV(.data, .byteString(data))])
        #expect(mac.payload?.first(.macData)?.bytes == expected, "MAC: \(mac.resultReason?.name ?? "") \(mac.resultMessage ?? "")")
        for (candidate, valid) in [(expected, true), (Array(expected.prefix(16)), true), ([0] + expected.dropFirst(), false)] {
            let r = await call(engine, .macVerify, [TTLV(.uniqueIdentifier, .textString(uid)), TTLV(.data, .byteString(data)),
                                                    TTLV(.macData, .byteString(candidate))])
            #expect(r.payload?.first(.validityIndicator)?.enumValue == (valid ? ValidityIndicator.valid : .invalid).rawValue)
        }
        // A key shorter than the digest: SoftHSM2 refuses it, and the client is told why.
        guard profile == "softhsm2" else { return }
        let short = try await register(engine, alg: .hmacSHA256, key: Array("Jefe".utf8), mask: 0x180)
        let refused = await call(engine, .mac, [TTLV(.uniqueIdentifier, .textString(short)), TTLV(.data, .byteString(data))])
        #expect(refused.resultStatus == .operationFailed && refused.resultMessage?.contains("CKR_KEY_SIZE_RANGE") == true)
    }

    /// RFC 4493 §4, example 2 (AES-CMAC over one block).
    @Test(arguments: TestHSM.profiles) func aesCMAC(profile: String) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor(profile: profile)
        let uid = try await register(engine, alg: .aes, key: hex("2b7e151628aed2a6abf7158809cf4f3c"), mask: 0x180)
        let mac = await call(engine, .mac, [TTLV(.uniqueIdentifier, .textString(uid)), TTLV(.data, .byteString(hex("6bc1bee22e409f96e93d7e117393172a")))])
        if TestHSM.lacks(profile, "CKM_AES_CMAC") { return expectRefused(mac, naming: "CKM_AES_CMAC") }
        #expect(mac.payload?.first(.macData)?.bytes == hex("070a16b46b4d4144f79bdd9dd04a287c"), "\(mac.resultMessage ?? "")")
    }

    /// NIST SP 800-38A F.2.1 (CBC-AES128.Encrypt), block 1, and F.1.1 (ECB).
    @Test(arguments: TestHSM.profiles) func aes128CBCAndECB(profile: String) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor(profile: profile)
        let uid = try await register(engine, alg: .aes, key: hex("2b7e151628aed2a6abf7158809cf4f3c"), mask: 0xC)
        let params = { (mode: BlockCipherMode) in TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(mode.rawValue))]) }
        let cbc = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), params(.cbc),
            TTLV(.data, .byteString(hex("6bc1bee22e409f96e93d7e117393172a"))), TTLV(.ivCounterNonce, .byteString(hex("000102030405060708090a0b0c0d0e0f")))])
        #expect(cbc.payload?.first(.data)?.bytes == hex("7649abac8119b246cee98e9b12e9197d"), "\(cbc.resultMessage ?? "")")
        let ecb = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), params(.ecb), TTLV(.data, .byteString(hex("6bc1bee22e409f96e93d7e117393172a")))])
        #expect(ecb.payload?.first(.data)?.bytes == hex("3ad77bb40d7a3660a89ecaf32466ef97"))
        let back = await call(engine, .decrypt, [TTLV(.uniqueIdentifier, .textString(uid)), params(.ecb), TTLV(.data, .byteString(hex("3ad77bb40d7a3660a89ecaf32466ef97")))])
        #expect(back.payload?.first(.data)?.bytes == hex("6bc1bee22e409f96e93d7e117393172a"))
        // F.5.1 CTR-AES128.Encrypt, block 1.
        let ctr = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)),
            .structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ctr.rawValue)), TTLV(.counterLength, .integer(128))]),
            TTLV(.data, .byteString(hex("6bc1bee22e409f96e93d7e117393172a"))), TTLV(.ivCounterNonce, .byteString(hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")))])
        if TestHSM.lacks(profile, "CKM_AES_CTR") { return expectRefused(ctr, naming: "CKM_AES_CTR") }
        #expect(ctr.payload?.first(.data)?.bytes == hex("874d6191b620e3261bef6864990db6ce"), "\(ctr.resultMessage ?? "")")
    }

    /// The GCM test case 2 of the original GCM paper (zero key, zero IV): and a wrong tag is a
    /// Cryptographic Failure, never a General Failure.
    @Test(arguments: TestHSM.profiles) func aesGCMAndTagMismatch(profile: String) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor(profile: profile)
        let uid = try await register(engine, alg: .aes, key: [UInt8](repeating: 0, count: 16), mask: 0xC)
        let gcm = TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.gcm.rawValue)), TTLV(.tagLength, .integer(16))])
        let enc = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), gcm, TTLV(.data, .byteString([UInt8](repeating: 0, count: 16))),
                                                TTLV(.ivCounterNonce, .byteString([UInt8](repeating: 0, count: 12)))])
        if TestHSM.lacks(profile, "CKM_AES_GCM") { return expectRefused(enc, naming: "CKM_AES_GCM") }
        #expect(enc.payload?.first(.data)?.bytes == hex("0388dace60b6a392f328c2b971b2fe78"))
        #expect(enc.payload?.first(.authenticatedEncryptionTag)?.bytes == hex("ab6e47d42cec13bdf53a67b21257bddf"))
        let bad = await call(engine, .decrypt, [TTLV(.uniqueIdentifier, .textString(uid)), gcm, TTLV(.data, .byteString(hex("0388dace60b6a392f328c2b971b2fe78"))),
                                                TTLV(.ivCounterNonce, .byteString([UInt8](repeating: 0, count: 12))),
                                                TTLV(.authenticatedEncryptionTag, .byteString(hex("006e47d42cec13bdf53a67b21257bddf")))])
        #expect(bad.resultReason == .cryptographicFailure)
        // No IV given: the server makes one and returns it; an empty IV is refused.
        let made = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), gcm, TTLV(.data, .byteString([1, 2, 3]))])
        #expect(made.payload?.first(.ivCounterNonce)?.bytes?.count == 12)
        let empty = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), gcm, TTLV(.data, .byteString([1])), TTLV(.ivCounterNonce, .byteString([]))])
        #expect(empty.resultStatus == .operationFailed)
    }

    /// A caller who may not decrypt with a key may not choose the nonce of a GCM or CTR encryption with
    /// it (repeating one would give the keystream: Encrypt permission would give Decrypt); a caller who
    /// may decrypt may, unless the policy refuses all. CBC IVs are the client's. Generated IVs are never
    /// shorter than the mode's 96 (GCM) bits.
    @Test func clientNoncesOnlyFromThoseWhoMayDecrypt() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let encryptOnly = try await register(engine, alg: .aes, key: [UInt8](repeating: 0, count: 16), mask: 0x4)
        let both = try await register(engine, alg: .aes, key: [UInt8](repeating: 1, count: 16), mask: 0xC)
        let mode = { (m: BlockCipherMode, more: [TTLV]) in
            TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(m.rawValue))] + more) }
        let data = TTLV(.data, .byteString([UInt8](repeating: 0, count: 16)))
        func withNonce(_ engine: BatchExecutor, _ uid: String, _ m: BlockCipherMode, _ n: Int, as who: String = "a") async -> ResponseBatchItem {
            await engine.execute(Req.message(.v2_1, [(.encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), mode(m, []), data,
                TTLV(.ivCounterNonce, .byteString([UInt8](repeating: 0, count: n)))])]), identity: who, now: now).first
        }
        for (m, n) in [(BlockCipherMode.gcm, 12), (.ctr, 16)] {
            #expect(await withNonce(engine, encryptOnly, m, n).resultReason == .permissionDenied, "\(m), usage Encrypt only")
            #expect(await withNonce(engine, both, m, n).resultStatus == .success, "\(m), usage Encrypt and Decrypt")
        }
        // A grantee of Encrypt alone on a key that can decrypt: refused; with Decrypt granted too: accepted.
        let grant = { (value: String) async in
            await engine.execute(Req.message(.v1_4, [Req.uid(.addAttribute, both, [Req.attr(Grant.attributeName, .textString(value)).v1])]),
                                 identity: "a", now: now).first }
        _ = await grant("b|Encrypt")
        #expect(await withNonce(engine, both, .gcm, 12, as: "b").resultReason == .permissionDenied)
        _ = await grant("c|Encrypt,Decrypt")
        #expect(await withNonce(engine, both, .gcm, 12, as: "c").resultStatus == .success)
        let (strict, _, _) = try TestHSM.makeExecutor { $0.clientNonces = .refuse }
        let key = try await register(strict, alg: .aes, key: [UInt8](repeating: 2, count: 16), mask: 0xC)
        #expect(await withNonce(strict, key, .gcm, 12).resultReason == .permissionDenied, "policy refuse")
        let uid = both
        let cbc = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), mode(.cbc, []), data,
                                                TTLV(.ivCounterNonce, .byteString([UInt8](repeating: 0, count: 16)))])
        #expect(cbc.resultStatus == .success)
        let shortCBC = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), mode(.cbc, []), data,
                                                     TTLV(.ivCounterNonce, .byteString([UInt8](repeating: 0, count: 8)))])
        #expect(shortCBC.resultReason == .invalidField)
        let short = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), mode(.gcm, [TTLV(.ivLength, .integer(64))]), data])
        #expect(short.resultReason == .invalidField, "a generated GCM IV of 64 bits: \(short.resultMessage ?? "")")
        let made = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), mode(.gcm, []), data])
        let iv = try #require(made.payload?.first(.ivCounterNonce)?.bytes)
        let back = await call(engine, .decrypt, [TTLV(.uniqueIdentifier, .textString(uid)), mode(.gcm, []),
            TTLV(.data, .byteString(try #require(made.payload?.first(.data)?.bytes))), TTLV(.ivCounterNonce, .byteString(iv)),
            TTLV(.authenticatedEncryptionTag, .byteString(try #require(made.payload?.first(.authenticatedEncryptionTag)?.bytes)))])
        #expect(back.payload?.first(.data)?.bytes == [UInt8](repeating: 0, count: 16))
    }

    /// RNG Seed answers what the token took: all of it on SoftHSM2; nothing on openCryptoki, whose
    /// soft token reads the kernel's RNG and answers C_SeedRandom with CKR_RANDOM_SEED_NOT_SUPPORTED.
    @Test(arguments: TestHSM.profiles) func rngRetrieveSeedAndHash(profile: String) async throws {
        let (engine, token, store) = try TestHSM.makeExecutor(profile: profile)
        let takesSeeds = profile == "softhsm2"
        let r = await call(engine, .rngRetrieve, [TTLV(.dataLength, .integer(48))])
        #expect(r.payload?.first(.data)?.bytes?.count == 48)
        let seeded = await call(engine, .rngSeed, [TTLV(.data, .byteString([UInt8](repeating: 1, count: 32)))])
        #expect(seeded.payload?.first(.dataLength)?.int32 == (takesSeeds ? 32 : 0), "\(seeded.resultMessage ?? "")")
        var refusing = ServerDefaults(); refusing.acceptRNGSeed = false
        let strict = BatchExecutor(services: EngineServices(store: store, token: token, policy: AccessPolicy(), defaults: refusing))
        let refused = await call(strict, .rngSeed, [TTLV(.data, .byteString([1]))])
        #expect(refused.resultReason == .permissionDenied)
        for (limit, taken) in [(16, Int32(16)), (0, 0), (64, 32)] {
            var partial = ServerDefaults(); partial.rngSeedMaximumBytes = limit
            let limited = BatchExecutor(services: EngineServices(store: store, token: token, policy: AccessPolicy(), defaults: partial))
            let answer = await call(limited, .rngSeed, [TTLV(.data, .byteString([UInt8](repeating: 2, count: 32)))])
            #expect(answer.payload?.first(.dataLength)?.int32 == (takesSeeds ? taken : 0), "limit \(limit)")
        }
        let digest = await call(engine, .hash, [.structure(.cryptographicParameters, [TTLV(.hashingAlgorithm, .enumeration(HashingAlgorithm.sha256.rawValue))]),
                                                TTLV(.data, .byteString(Array("abc".utf8)))])
        #expect(digest.payload?.first(.data)?.bytes == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }

    @Test func policyDecidesEveryCall() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let uid = try await register(engine, alg: .aes, key: [UInt8](repeating: 7, count: 16), mask: 0x4)  // Encrypt only
        let ecb = TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))])
        let dec = await call(engine, .decrypt, [TTLV(.uniqueIdentifier, .textString(uid)), ecb, TTLV(.data, .byteString([UInt8](repeating: 0, count: 16)))])
        #expect(dec.resultReason == .incompatibleCryptographicUsageMask)
        // Protect Stop Date passed: no more encryption.
        _ = await call(engine, .setAttribute, [TTLV(.uniqueIdentifier, .textString(uid)), .structure(.newAttribute, [TTLV(.protectStopDate, .dateTime(now - 1))])])
        let enc = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), ecb, TTLV(.data, .byteString([UInt8](repeating: 0, count: 16)))])
        #expect(enc.resultReason == .wrongKeyLifecycleState, "\(enc.resultMessage ?? "")")
    }
}

func hex(_ s: String) -> [UInt8] { TTLVXML.hex(s)! }

/// A request the token cannot serve: Feature Not Supported, and the message names the mechanism.
func expectRefused(_ item: ResponseBatchItem, naming mechanism: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(item.resultReason == .featureNotSupported && item.resultMessage?.contains(mechanism) == true,
            "\(item.resultReason?.name ?? "success"): \(item.resultMessage ?? "")", sourceLocation: sourceLocation)
}

/// RSA encryption and signatures with key pairs generated in the token.
@Suite struct RSAServiceTests {
    let now = Int64(Date().timeIntervalSince1970)

    func call(_ engine: BatchExecutor, _ op: KMIP.Operation, _ payload: [TTLV]) async -> ResponseBatchItem {
        await engine.execute(Req.message(.v2_1, [(op, payload)]), identity: "a", now: now).first
    }

    func pair(_ engine: BatchExecutor, _ alg: CryptographicAlgorithm, _ length: Int32, priv: UInt32, pub: UInt32) async throws -> (String, String) {
        let r = await engine.execute(Req.message(.v2_1, [(.createKeyPair, [
            .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(alg.rawValue)), TTLV(.cryptographicLength, .integer(length)),
                                           TTLV(.activationDate, .dateTime(now - 60))]),
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(Int32(priv)))]),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(Int32(pub)))])])]), identity: "a", now: now)
        let p = try #require(r.first.payload, "\(r.first.resultMessage ?? "")")
        return (try #require(p.first(.privateKeyUniqueIdentifier)?.text), try #require(p.first(.publicKeyUniqueIdentifier)?.text))
    }

    @Test(arguments: TestHSM.profiles) func oaepRoundTripAndTheTokensLimits(profile: String) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor(profile: profile)
        let (priv, pub) = try await pair(engine, .rsa, 2048, priv: 0x8, pub: 0x4)
        let oaep = { (h: HashingAlgorithm) in TTLV.structure(.cryptographicParameters, [TTLV(.paddingMethod, .enumeration(PaddingMethod.oaep.rawValue)),
                                                                                        TTLV(.hashingAlgorithm, .enumeration(h.rawValue))]) }
        let enc = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(pub)), oaep(.sha1), TTLV(.data, .byteString(Array("secret".utf8)))])
        let ct = try #require(enc.payload?.first(.data)?.bytes, "\(enc.resultMessage ?? "")")
        let dec = await call(engine, .decrypt, [TTLV(.uniqueIdentifier, .textString(priv)), oaep(.sha1), TTLV(.data, .byteString(ct))])
        #expect(dec.payload?.first(.data)?.bytes == Array("secret".utf8))
        // SoftHSM2 2.6 implements OAEP with SHA-1 only: SHA-256 is refused as unsupported, not as a
        // failure. openCryptoki does OAEP with SHA-2.
        let sha256 = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(pub)), oaep(.sha256), TTLV(.data, .byteString([1]))])
        guard profile == "opencryptoki-soft" else {
            #expect(sha256.resultReason == .featureNotSupported, "\(sha256.resultMessage ?? "")")
            return
        }
        let back = await call(engine, .decrypt, [TTLV(.uniqueIdentifier, .textString(priv)), oaep(.sha256),
                                                 TTLV(.data, .byteString(try #require(sha256.payload?.first(.data)?.bytes, "\(sha256.resultMessage ?? "")")))])
        #expect(back.payload?.first(.data)?.bytes == [1])
    }

    /// On openCryptoki, which has no SHA-2 hash-and-sign mechanisms, RSA signs the token's own digest
    /// with CKM_RSA_PKCS (over its DigestInfo) or CKM_RSA_PKCS_PSS; the signatures must be the same kind
    /// as SoftHSM2's, so the host checks them too.
    @Test(arguments: TestHSM.profiles, [(CryptographicAlgorithm.rsa, Int32(2048), PaddingMethod.pkcs1V15), (.rsa, 2048, .pss), (.ec, 256, .none), (.ed25519, 256, .none)])
    func signAndVerify(profile: String, kind: (alg: CryptographicAlgorithm, length: Int32, padding: PaddingMethod)) async throws {
        let (alg, length, padding) = kind
        let (engine, _, _) = try TestHSM.makeExecutor(profile: profile)
        let generator = alg == .rsa ? "CKM_RSA_PKCS_KEY_PAIR_GEN" : alg == .ec ? "CKM_EC_KEY_PAIR_GEN" : "CKM_EC_EDWARDS_KEY_PAIR_GEN"
        if TestHSM.lacks(profile, generator) {
            let r = await engine.execute(Req.message(.v2_1, [(.createKeyPair, [
                .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(alg.rawValue)), TTLV(.cryptographicLength, .integer(length))]),
                .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(1))]),
                .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(2))])])]), identity: "a", now: now)
            return expectRefused(r.first, naming: generator)
        }
        let (priv, pub) = try await pair(engine, alg, length, priv: 0x1, pub: 0x2)
        var params = [TTLV(.hashingAlgorithm, .enumeration(HashingAlgorithm.sha256.rawValue))]
        if alg == .rsa { params.append(TTLV(.paddingMethod, .enumeration(padding.rawValue))) }
        let p = TTLV.structure(.cryptographicParameters, params)
        let data = Array("the quick brown fox".utf8)
        let sig = await call(engine, .sign, [TTLV(.uniqueIdentifier, .textString(priv)), p, TTLV(.data, .byteString(data))])
        let signature = try #require(sig.payload?.first(.signatureData)?.bytes, "\(sig.resultMessage ?? "")")
        let ok = await call(engine, .signatureVerify, [TTLV(.uniqueIdentifier, .textString(pub)), p, TTLV(.data, .byteString(data)),
                                                       TTLV(.signatureData, .byteString(signature))])
        #expect(ok.payload?.first(.validityIndicator)?.enumValue == ValidityIndicator.valid.rawValue, "\(ok.resultMessage ?? "")")
        let bad = await call(engine, .signatureVerify, [TTLV(.uniqueIdentifier, .textString(pub)), p, TTLV(.data, .byteString(data + [0])),
                                                        TTLV(.signatureData, .byteString(signature))])
        #expect(bad.payload?.first(.validityIndicator)?.enumValue == ValidityIndicator.invalid.rawValue)
        if alg == .ec { #expect(signature.first == 0x30) }  // DER ECDSA-Sig-Value on the wire
        if alg == .rsa {
            let got = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(pub))])
            let der = try #require(got.payload?.first(.publicKey)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes)
            let key = try _RSA.Signing.PublicKey(derRepresentation: der)
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            #expect(key.isValidSignature(rsaSignature, for: SHA256.hash(data: data), padding: padding == .pss ? .PSS : .insecurePKCS1v1_5),
                    "the host verifies the token's \(padding) signature")
        }
    }
}
