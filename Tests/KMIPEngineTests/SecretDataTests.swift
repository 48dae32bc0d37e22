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
