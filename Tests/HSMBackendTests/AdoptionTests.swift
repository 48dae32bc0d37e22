import Foundation
import HSMBackend
import KMIP
import KMIPEngine
import KMIPTestSupport
import Store
import Testing

/// `kmipd store adopt`: a store rebuilt from the token describes each object as the token does, and
/// the adopted objects are usable through KMIP.
@Suite struct AdoptionTests {
    let now = Int64(Date().timeIntervalSince1970)

    func call(_ engine: BatchExecutor, _ op: KMIP.Operation, _ payload: [TTLV]) async -> ResponseBatchItem {
        await engine.execute(Req.message(.v2_1, [(op, payload)]), identity: "owner", now: now).first
    }

    @Test func adoptedObjectsAreDescribedAndUsable() async throws {
        let (engine, token, store) = try TestHSM.makeExecutor()
        let aes = UUID().uuidString.lowercased(), priv = UUID().uuidString.lowercased(), pub = UUID().uuidString.lowercased()
        let data = UUID().uuidString.lowercased()
        try await token.generateSecretKey(id: aes, spec: SecretKeySpec(algorithm: .aes, lengthBits: 256, extractable: true,
                                                                       usage: [.encrypt, .decrypt], label: "vm-disk-7"))
        _ = try await token.generateKeyPair(privateID: priv, publicID: pub, spec: KeyPairSpec(
            kind: .ec(.p256), privateExtractable: false, privateUsage: [.sign], publicUsage: [.verify], privateLabel: "sig", publicLabel: "sig.pub"))
        try await token.storeData(id: data, label: "blob", bytes: [1, 2, 3])

        let unknown = try await Reconciler(store: store, token: token).plan().unknownTokenObjects
        #expect(Set(unknown) == [aes, priv, pub, data])
        let report = try await Adoption(store: store, token: token).run(ids: unknown + ["not-in-the-token"], owner: "owner", now: now)
        #expect(Set(report.adopted) == [aes, priv, pub, data] && report.skipped == ["not-in-the-token"])
        #expect(try await Reconciler(store: store, token: token).plan().isClean)

        let key = try #require(try await store.fetch(uid: aes))
        #expect(key.objectType == .symmetricKey && key.state == .active && key.extractable && key.owner == "owner")
        #expect(key.first(.cryptographicAlgorithm)?.value.enumValue == CryptographicAlgorithm.aes.rawValue)
        #expect(key.first(.cryptographicLength)?.value.int32 == 256)
        #expect(key.usageMask == CryptographicUsageMaskBits([.encrypt, .decrypt]).rawValue)
        #expect(key.first(.name)?.value.first(.nameValue)?.text == "vm-disk-7")
        let signing = try #require(try await store.fetch(uid: priv))
        #expect(signing.objectType == .privateKey && !signing.extractable && signing.first(.cryptographicLength)?.value.int32 == 256)
        #expect(signing.first(.cryptographicAlgorithm)?.value.enumValue == CryptographicAlgorithm.ec.rawValue)
        #expect(try await store.fetch(uid: pub)?.objectType == .publicKey)
        #expect(try await store.fetch(uid: data)?.objectType == .opaqueObject)

        // Usable: Get returns the extractable key's material, Encrypt and Decrypt round-trip, Sign works.
        let got = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(aes))])
        #expect(got.resultStatus == .success, "\(got.resultMessage ?? "")")
        let gcm = TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.gcm.rawValue)), TTLV(.tagLength, .integer(16))])
        let enc = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(aes)), gcm, TTLV(.data, .byteString([9, 8, 7]))])
        let iv = try #require(enc.payload?.first(.ivCounterNonce)?.bytes, "\(enc.resultMessage ?? "")")
        let dec = await call(engine, .decrypt, [TTLV(.uniqueIdentifier, .textString(aes)), gcm,
            TTLV(.data, .byteString(try #require(enc.payload?.first(.data)?.bytes))), TTLV(.ivCounterNonce, .byteString(iv)),
            TTLV(.authenticatedEncryptionTag, .byteString(try #require(enc.payload?.first(.authenticatedEncryptionTag)?.bytes)))])
        #expect(dec.payload?.first(.data)?.bytes == [9, 8, 7], "\(dec.resultMessage ?? "")")
        let opaque = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(data))])
        #expect(opaque.payload?.first(.opaqueObject)?.first(.opaqueDataValue)?.bytes == [1, 2, 3], "\(opaque.resultMessage ?? "")")
        // Another identity does not see the adopted objects.
        let stranger = await engine.execute(Req.message(.v2_1, [(.get, [TTLV(.uniqueIdentifier, .textString(aes))])]), identity: "stranger", now: now)
        #expect(stranger.first.resultStatus == .operationFailed)
    }
}
