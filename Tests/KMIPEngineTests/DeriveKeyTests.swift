import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Derive Key in the token: ENCRYPT (AES ECB encrypt-data) and ECDH between two token key pairs.
@Suite struct DeriveKeyTests {
    let now = Int64(Date().timeIntervalSince1970)

    func call(_ engine: BatchExecutor, _ op: KMIP.Operation, _ payload: [TTLV]) async -> ResponseBatchItem {
        await engine.execute(Req.message(.v2_1, [(op, payload)]), identity: "a", now: now).first
    }
    func derived(_ alg: CryptographicAlgorithm = .aes, _ bits: Int32 = 128) -> TTLV {
        .structure(.attributes, [TTLV(.cryptographicAlgorithm, .enumeration(alg.rawValue)), TTLV(.cryptographicLength, .integer(bits)),
                                 TTLV(.cryptographicUsageMask, .integer(0xC)), TTLV(.activationDate, .dateTime(now - 60))])
    }

    @Test func encryptDerivationMatchesAESOfTheData() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c")
        let reg = await call(engine, .register, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0x20C)), TTLV(.activationDate, .dateTime(now - 60))]),
            .structure(.symmetricKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
                .structure(.keyValue, [TTLV(.keyMaterial, .byteString(key))]),
                TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(128))])])])
        let base = try #require(reg.uid)
        let d = await call(engine, .deriveKey, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), TTLV(.uniqueIdentifier, .textString(base)),
            TTLV(.derivationMethod, .enumeration(DerivationMethod.encrypt.rawValue)),
            .structure(.derivationParameters, [TTLV(.derivationData, .byteString(hex("6bc1bee22e409f96e93d7e117393172a")))]), derived()])
        let child = try #require(d.uid, "\(d.resultMessage ?? "")")
        // The derived key is AES-ECB(base, data) = the SP 800-38A F.1.1 ciphertext.
        let got = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(child))])
        #expect(got.payload?.first(.symmetricKey)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes == hex("3ad77bb40d7a3660a89ecaf32466ef97"))
        let refused = await call(engine, .deriveKey, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), TTLV(.uniqueIdentifier, .textString(base)),
            TTLV(.derivationMethod, .enumeration(DerivationMethod.pbkdf2.rawValue)), derived()])
        #expect(refused.resultReason == .invalidField)  // PBKDF2 needs Salt and Iteration Count (§7.12)
        // ENCRYPT's output is the encrypted data: 16 bytes cannot make a 256-bit key, 20 are no whole block.
        for (data, bits) in [(16, Int32(256)), (20, Int32(128))] {
            let short = await call(engine, .deriveKey, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), TTLV(.uniqueIdentifier, .textString(base)),
                TTLV(.derivationMethod, .enumeration(DerivationMethod.encrypt.rawValue)),
                .structure(.derivationParameters, [TTLV(.derivationData, .byteString([UInt8](repeating: 7, count: data)))]), derived(.aes, bits)])
            #expect(short.resultReason == .invalidField, "\(data) bytes for \(bits) bits: \(short.resultMessage ?? "")")
        }
    }

    @Test func ecdhBothSidesAgree() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        func pair() async throws -> (String, String) {
            let r = await call(engine, .createKeyPair, [
                .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.ec.rawValue)),
                                               TTLV(.cryptographicLength, .integer(256)), TTLV(.activationDate, .dateTime(now - 60))]),
                .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(0x200))]),
                .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(0x200))])])
            let p = try #require(r.payload, "\(r.resultMessage ?? "")")
            return (try #require(p.first(.privateKeyUniqueIdentifier)?.text), try #require(p.first(.publicKeyUniqueIdentifier)?.text))
        }
        let (alice, alicePub) = try await pair(), (bob, bobPub) = try await pair()
        func derive(_ priv: String, _ peer: String) async throws -> [UInt8] {
            let d = await call(engine, .deriveKey, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
                TTLV(.uniqueIdentifier, .textString(priv)), TTLV(.uniqueIdentifier, .textString(peer)),
                TTLV(.derivationMethod, .enumeration(DerivationMethod.asymmetricKey.rawValue)), derived(.aes, 256)])
            let uid = try #require(d.uid, "\(d.resultMessage ?? "")")
            let ecb = TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))])
            let e = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), ecb, TTLV(.data, .byteString([UInt8](repeating: 1, count: 16)))])
            return try #require(e.payload?.first(.data)?.bytes, "\(e.resultMessage ?? "")")
        }
        // Same shared secret on both sides: the derived keys encrypt alike.
        #expect(try await derive(alice, bobPub) == derive(bob, alicePub))
    }
}
