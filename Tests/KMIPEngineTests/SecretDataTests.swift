import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Secret Data made by Create (KMIP 2.x §6.1.8): random bytes from the token, stored in it.
@Suite struct SecretDataTests {
    let now = Int64(Date().timeIntervalSince1970)

    func create(_ engine: BatchExecutor, _ version: ProtocolVersion, bits: Int32) async -> ResponseBatchItem {
        await engine.execute(Req.message(version, [(.create, [TTLV(.objectType, .enumeration(ObjectType.secretData.rawValue))]
            + Req.attributes([Req.attr("Cryptographic Length", .integer(bits)), Req.attr("Cryptographic Usage Mask", .integer(0x80))], version))]),
            identity: "a", now: now).first
    }

    @Test func createdSecretDataIsRandomAndItsLength() async throws {
        let (engine, token, _) = try TestHSM.makeExecutor()
        let a = try #require(await create(engine, .v2_1, bits: 256).uid)
        let b = try #require(await create(engine, .v2_1, bits: 256).uid)
        let va = try await token.readValue(id: a), vb = try await token.readValue(id: b)
        #expect(va.count == 32 && va != vb)
        let got = await engine.execute(Req.message(.v2_1, [Req.uid(.get, a)]), identity: "a", now: now).first
        #expect(got.payload?.first(.secretData)?.first(.secretDataType)?.enumValue == SecretDataType.seed.rawValue)
        #expect(got.payload?.first(.secretData)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes == va)
    }

    @Test func refusals() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        #expect(await create(engine, .v2_1, bits: 12).resultReason == .invalidField)
        #expect(await create(engine, .v2_1, bits: Int32.max).resultReason == .invalidField)
        // KMIP 1.x Create makes symmetric keys only.
        #expect(await create(engine, .v1_4, bits: 256).resultReason == .illegalOperation)
    }
}

/// Objects registered by their metadata only (KMIP 1.2+ Key Value Location, Key Value Present).
@Suite struct MetadataOnlyTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test func aKeyKeptElsewhereIsRegisteredAndNeverUsed() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let block = TTLV.structure(.symmetricKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(256))])])
        func register(_ attrs: [Attribute]) async -> ResponseBatchItem {
            await engine.execute(Req.message(.v1_4, [(.register, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))]
                + Req.attributes(attrs + [Req.attr("Cryptographic Usage Mask", .integer(0xC)), Req.attr("Activation Date", .dateTime(now - 60))], .v1_4)
                + [block])]), identity: "a", now: now).first
        }
        let location = Attribute(.keyValueLocation, .structure([TTLV(.keyValueLocationValue, .textString("vault://tape-keys/7")),
                                                                TTLV(.keyValueLocationType, .enumeration(KeyValueLocationType.uri.rawValue))]))
        let uid = try #require(await register([location]).uid)
        let attrs = await engine.execute(Req.message(.v1_4, [Req.uid(.getAttributes, uid, [TTLV(.attributeName, .textString("Key Value Present"))])]),
                                         identity: "a", now: now).first
        #expect(attrs.payload?.first(.attribute)?.first(.attributeValue)?.bool == false)
        let got = await engine.execute(Req.message(.v1_4, [Req.uid(.get, uid)]), identity: "a", now: now).first
        let kb = try #require(got.payload?.first(.symmetricKey)?.first(.keyBlock), "\(got.resultMessage ?? "")")
        #expect(kb.first(.keyValue) == nil && kb.first(.cryptographicLength)?.int32 == 256)
        let encrypt = await engine.execute(Req.message(.v1_4, [(.encrypt, [TTLV(.uniqueIdentifier, .textString(uid)),
            .structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))]),
            TTLV(.data, .byteString(Array(repeating: 0, count: 16)))])]), identity: "a", now: now).first
        #expect(encrypt.resultReason == .keyValueNotPresent)
        // Without a Key Value Location, a missing Key Value is an error.
        #expect(await register([]).resultReason == .invalidField)
    }
}
