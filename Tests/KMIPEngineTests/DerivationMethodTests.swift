import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Derive Key's hash-based methods (KMIP 2.1 §6.1.14, §7.12) against published vectors, into the token
/// as a Symmetric Key or Secret Data; the limits and refusals around them.
@Suite struct DerivationMethodTests {
    let now = Int64(Date().timeIntervalSince1970)

    func call(_ engine: BatchExecutor, _ op: KMIP.Operation, _ payload: [TTLV]) async -> ResponseBatchItem {
        await engine.execute(Req.message(.v2_1, [(op, payload)]), identity: "a", now: now).first
    }

    /// A Pre-Active base (a registered password or seed is derived from at once).
    func base(_ engine: BatchExecutor, secret: [UInt8], asKey: Bool = false, extractable: Bool = true) async throws -> String {
        let object: TTLV = asKey
            ? .structure(.symmetricKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
                .structure(.keyValue, [TTLV(.keyMaterial, .byteString(secret))]),
                TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.hmacSHA256.rawValue)),
                TTLV(.cryptographicLength, .integer(Int32(secret.count * 8)))])])
            : .structure(.secretData, [TTLV(.secretDataType, .enumeration(SecretDataType.password.rawValue)),
                .structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.opaque.rawValue)),
                                       .structure(.keyValue, [TTLV(.keyMaterial, .byteString(secret))])])])
        let r = await call(engine, .register, [TTLV(.objectType, .enumeration((asKey ? ObjectType.symmetricKey : .secretData).rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMaskBits.deriveKey.rawValue))),
                                     TTLV(.extractable, .boolean(extractable))]), object])
        return try #require(r.uid, "\(r.resultMessage ?? "")")
    }

    func derive(_ engine: BatchExecutor, from uid: String, _ method: DerivationMethod, _ params: [TTLV], bits: Int32,
                into type: ObjectType = .secretData) async -> ResponseBatchItem {
        var attrs = [TTLV(.cryptographicLength, .integer(bits))]
        if type == .symmetricKey { attrs.append(TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue))) }
        return await call(engine, .deriveKey, [TTLV(.objectType, .enumeration(type.rawValue)), TTLV(.uniqueIdentifier, .textString(uid)),
            TTLV(.derivationMethod, .enumeration(method.rawValue)), .structure(.derivationParameters, params), .structure(.attributes, attrs)])
    }

    func value(_ engine: BatchExecutor, _ r: ResponseBatchItem) async throws -> [UInt8]? {
        let uid = try #require(r.uid, "\(r.resultMessage ?? "")")
        let got = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(uid))])
        return got.payload?.children.last?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes
    }

    func hashing(_ h: HashingAlgorithm) -> TTLV { .structure(.cryptographicParameters, [TTLV(.hashingAlgorithm, .enumeration(h.rawValue))]) }

    @Test func pbkdf2RFC6070() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let pw = try await base(engine, secret: Array("password".utf8))
        let r = await derive(engine, from: pw, .pbkdf2, [hashing(.sha1), TTLV(.salt, .byteString(Array("salt".utf8))),
                                                          TTLV(.iterationCount, .integer(4096))], bits: 160, into: .symmetricKey)
        #expect(try await value(engine, r) == hex("4b007901b765489abead49d926f721d065a429c1"))
        let greedy = await derive(engine, from: pw, .pbkdf2, [TTLV(.salt, .byteString([1])), TTLV(.iterationCount, .integer(Int32.max))], bits: 128)
        #expect(greedy.resultReason == .invalidField)
    }

    @Test func hmacRFC4231AndItsLength() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let jefe = try await base(engine, secret: Array("Jefe".utf8))
        let data = TTLV(.derivationData, .byteString(Array("what do ya want for nothing?".utf8)))
        let r = await derive(engine, from: jefe, .hmac, [hashing(.sha256), data], bits: 256)
        #expect(try await value(engine, r) == hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
        // One HMAC gives 256 bits; more is an error (§6.1.14).
        #expect(await derive(engine, from: jefe, .hmac, [hashing(.sha256), data], bits: 264).resultReason == .invalidField)
    }

    /// RFC 5869 case 1 by the HKDF method, and case 7 the way PyKMIP asks for it (HMAC with a Salt).
    @Test func hkdfRFC5869() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let ikm = try await base(engine, secret: [UInt8](repeating: 0x0b, count: 22))
        let r = await derive(engine, from: ikm, .hkdf, [hashing(.sha256), TTLV(.salt, .byteString(hex("000102030405060708090a0b0c"))),
                                                         TTLV(.derivationData, .byteString(hex("f0f1f2f3f4f5f6f7f8f9")))], bits: 336)
        #expect(try await value(engine, r) == hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"))
        let seed = try await base(engine, secret: [UInt8](repeating: 0x0c, count: 22))
        let p = await derive(engine, from: seed, .hmac, [hashing(.sha1), TTLV(.derivationData, .byteString([])), TTLV(.salt, .byteString([]))], bits: 336)
        #expect(try await value(engine, p) == hex("2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5673a081d70cce7acfc48"))
    }

    /// NIST SP 800-108 counter mode, HMAC-SHA-512, the counter before the fixed data (a CAVP vector).
    @Test func counterModeKDF() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let k = try await base(engine, secret: hex("dd5dbd45593ee2ac139748e7645b450f223d2ff297b73fd71cbcebe71d41653c950b88500de5322d99ef18dfdd30428294c4b3094f4c954334e593bd982ec614"))
        let r = await derive(engine, from: k, .nist800108C, [hashing(.sha512), TTLV(.derivationData, .byteString(
            hex("b50b0c963c6b3034b8cf19cd3f5c4ebe4f4985af0c03e575db62e6fdf1ecfe4f28b95d7ce16df85843246e1557ce95bb26cc9a21974bbd2eb69e8355")))],
            bits: 128, into: .symmetricKey)
        #expect(try await value(engine, r) == hex("e5993bf9bd2aa1c45746042e12598155"))
    }

    @Test func hashOfTheDataAndOfTheBase() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let b = try await base(engine, secret: Array("abc".utf8))
        let ofBase = await derive(engine, from: b, .hash, [hashing(.sha256)], bits: 256)
        #expect(try await value(engine, ofBase) == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        let ofData = await derive(engine, from: b, .hash, [hashing(.sha1), TTLV(.derivationData, .byteString(Array("abc".utf8)))], bits: 160)
        #expect(try await value(engine, ofData) == hex("a9993e364706816aba3e25717850c26c9cd0d89d"))
    }

    /// A base that may not leave the token is never read onto the host: HKDF needs its value and is refused.
    @Test func aNonExtractableBaseStaysInTheToken() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let kept = try await base(engine, secret: [UInt8](repeating: 7, count: 32), asKey: true, extractable: false)
        let r = await derive(engine, from: kept, .hkdf, [TTLV(.salt, .byteString([1]))], bits: 128)
        #expect(r.resultReason == .featureNotSupported)
        // Deactivated bases derive nothing (SP 800-57).
        let b = try await base(engine, secret: Array("pw".utf8))
        _ = await call(engine, .activate, [TTLV(.uniqueIdentifier, .textString(b))])
        _ = await call(engine, .revoke, [TTLV(.uniqueIdentifier, .textString(b)),
            .structure(.revocationReason, [TTLV(.revocationReasonCode, .enumeration(RevocationReasonCode.cessationOfOperation.rawValue))])])
        let late = await derive(engine, from: b, .hash, [hashing(.sha256)], bits: 256)
        #expect(late.resultReason == .wrongKeyLifecycleState)
    }
}
