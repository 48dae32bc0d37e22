import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Integers from the wire that become lengths, counts, indices or C integers are range-checked where
/// they are decoded: each request below trapped (a remote crash) or allocated without bound before.
@Suite struct HostileValueTests {
    let now = Int64(Date().timeIntervalSince1970)

    func run(_ engine: BatchExecutor, _ item: (KMIP.Operation, [TTLV]), as who: String = "a",
             _ version: ProtocolVersion = .v2_1) async -> ResponseBatchItem {
        await engine.execute(Req.message(version, [item]), identity: who, now: now).first
    }
    func activeKey(_ engine: BatchExecutor, _ alg: CryptographicAlgorithm = .aes, bits: Int32 = 256,
                   usage: CryptographicUsageMaskBits = [.encrypt, .decrypt], extra: [Attribute] = []) async throws -> String {
        let attrs = [Req.attr("Cryptographic Algorithm", .enumeration(alg.rawValue)), Req.attr("Cryptographic Length", .integer(bits)),
                     Req.attr("Cryptographic Usage Mask", .integer(Int32(usage.rawValue))), Req.attr("Activation Date", .dateTime(now - 60))] + extra
        let r = await run(engine, (.create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))] + Req.attributes(attrs, .v2_1)))
        return try #require(r.uid, "\(r.resultMessage ?? "")")
    }
    func params(_ mode: BlockCipherMode, _ more: [TTLV]) -> TTLV {
        .structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(mode.rawValue))] + more)
    }

    @Test func ivAndCounterLengthsAreBounded() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let uid = try await activeKey(engine)
        let data = TTLV(.data, .byteString(Array("AAAAAAAAAAAAAAAA".utf8)))
        let hostile: [(String, TTLV)] = [
            ("CBC, IV Length -8", params(.cbc, [TTLV(.paddingMethod, .enumeration(PaddingMethod.pkcs5.rawValue)), TTLV(.ivLength, .integer(-8))])),
            ("GCM, IV Length 0x7FFFFFFF", params(.gcm, [TTLV(.ivLength, .integer(.max)), TTLV(.tagLength, .integer(16))])),
            ("GCM, IV Length 12 bits", params(.gcm, [TTLV(.ivLength, .integer(12)), TTLV(.tagLength, .integer(16))])),
            ("GCM, Tag Length -1", params(.gcm, [TTLV(.tagLength, .integer(-1))])),
            ("CTR, Counter Length -1", params(.ctr, [TTLV(.counterLength, .integer(-1))])),
            ("CTR, Counter Length 4096", params(.ctr, [TTLV(.counterLength, .integer(4096))])),
        ]
        for (what, p) in hostile {
            let r = await run(engine, (.encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), p, data]))
            #expect(r.resultReason == .invalidField, "\(what): \(r.resultStatus) \(r.resultReason?.name ?? "") \(r.resultMessage ?? "")")
        }
        // The same values stored as the key's Cryptographic Parameters are refused when set.
        let stored = await run(engine, Req.uid(.addAttribute, uid, [.structure(.newAttribute, [params(.cbc, [TTLV(.ivLength, .integer(-8))])])]))
        #expect(stored.resultReason == .invalidField, "\(stored.resultMessage ?? "")")
        // And the server still serves: a sane Encrypt succeeds.
        let ok = await run(engine, (.encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), params(.cbc, [TTLV(.paddingMethod, .enumeration(PaddingMethod.pkcs5.rawValue))]), data]))
        #expect(ok.resultStatus == .success && ok.payload?.first(.ivCounterNonce)?.bytes?.count == 16)
    }

    @Test func saltLengthIsBounded() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let pair = await run(engine, (.createKeyPair, Req.attributes([Req.attr("Cryptographic Algorithm", .enumeration(CryptographicAlgorithm.rsa.rawValue)),
                                                                       Req.attr("Cryptographic Length", .integer(2048))], .v2_1)
                                      .map { $0.tag == .attributes ? TTLV.structure(.commonAttributes, $0.children) : $0 }
                                      + [.structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(1)), TTLV(.activationDate, .dateTime(now - 60))]),
                                         .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(2)), TTLV(.activationDate, .dateTime(now - 60))])]))
        let pub = try #require(pair.payload?.first(.publicKeyUniqueIdentifier)?.text, "\(pair.resultMessage ?? "")")
        let pss = TTLV.structure(.cryptographicParameters, [TTLV(.paddingMethod, .enumeration(PaddingMethod.pss.rawValue)),
            TTLV(.hashingAlgorithm, .enumeration(HashingAlgorithm.sha256.rawValue)), TTLV(.saltLength, .integer(-1))])
        let r = await run(engine, (.signatureVerify, [TTLV(.uniqueIdentifier, .textString(pub)), pss, TTLV(.data, .byteString([1, 2, 3])),
                                                      TTLV(.signatureData, .byteString([UInt8](repeating: 0, count: 256)))]))
        #expect(r.resultReason == .invalidField, "\(r.resultMessage ?? "")")
    }

    @Test func derivedLengthsIndicesAndDatesAreBounded() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let base = try await activeKey(engine, usage: [.deriveKey])
        let derive = await run(engine, (.deriveKey, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            TTLV(.uniqueIdentifier, .textString(base)), TTLV(.derivationMethod, .enumeration(DerivationMethod.encrypt.rawValue)),
            .structure(.derivationParameters, [TTLV(.derivationData, .byteString([UInt8](repeating: 7, count: 16)))])]
            + Req.attributes([Req.attr("Cryptographic Algorithm", .enumeration(CryptographicAlgorithm.aes.rawValue)),
                              Req.attr("Cryptographic Length", .integer(-128))], .v2_1)))
        #expect(derive.resultReason == .invalidField, "\(derive.resultMessage ?? "")")
        let uid = try await activeKey(engine)
        let delete = await run(engine, Req.uid(.deleteAttribute, uid, [TTLV(.attributeName, .textString("Name")), TTLV(.attributeIndex, .integer(-1))]), .v1_4)
        #expect(delete.resultReason == .invalidField, "\(delete.resultMessage ?? "")")
        let far = await run(engine, Req.uid(.setAttribute, uid, [.structure(.newAttribute, [TTLV(.protectStopDate, .dateTime(.max))])]))
        #expect(far.resultReason == .invalidField, "\(far.resultMessage ?? "")")
        let count = await run(engine, (.create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))] + Req.attributes([
            Req.attr("Cryptographic Algorithm", .enumeration(CryptographicAlgorithm.aes.rawValue)), Req.attr("Cryptographic Length", .integer(128)),
            Req.attr("Usage Limits", .structure([TTLV(.usageLimitsTotal, .longInteger(.max)), TTLV(.usageLimitsCount, .longInteger(.max)),
                                                 TTLV(.usageLimitsUnit, .enumeration(UsageLimitsUnit.byte.rawValue))]))], .v2_1)))
        // KMIP 2.1 §4.59: a Count given when an object is made is ignored; the server starts it at the Total.
        let counted = try #require(count.uid, "\(count.resultMessage ?? "")")
        let limits = await run(engine, Req.uid(.getAttributes, counted, [TTLV(.attributeReference, .enumeration(KMIP.Tag.usageLimits.rawValue))]))
        #expect(limits.payload?.first(.attributes)?.first(.usageLimits)?.first(.usageLimitsCount)?.int64 == .max)
    }

    /// RFC 2104 §5: a MAC truncated to half its length (and at least 80 bits) verifies; a shorter
    /// prefix — down to one byte, which verified before — does not.
    @Test func macVerifyNeedsTheWholeMacOrAnAllowedTruncation() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let uid = try await activeKey(engine, .hmacSHA256, usage: [.macGenerate, .macVerify])
        let data = TTLV(.data, .byteString(Array("message".utf8)))
        let mac = try #require(await run(engine, (.mac, [TTLV(.uniqueIdentifier, .textString(uid)), data])).payload?.first(.macData)?.bytes)
        for (candidate, valid) in [(mac, true), (Array(mac.prefix(16)), true), (Array(mac.prefix(15)), false), (Array(mac.prefix(1)), false)] {
            let r = await run(engine, (.macVerify, [TTLV(.uniqueIdentifier, .textString(uid)), data, TTLV(.macData, .byteString(candidate))]))
            #expect(r.payload?.first(.validityIndicator)?.enumValue == (valid ? ValidityIndicator.valid : .invalid).rawValue,
                    "\(candidate.count) bytes: \(r.resultMessage ?? "")")
        }
    }
}
