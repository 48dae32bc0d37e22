import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Split Key shares (KMIP 2.1 §2.2.5): stored in the token, returned as registered, used for nothing.
@Suite struct SplitKeyTests {
    let now = Int64(Date().timeIntervalSince1970)

    func share(parts: Int32 = 3, id: Int32 = 1, threshold: Int32 = 2) -> TTLV {
        .structure(.splitKey, [TTLV(.splitKeyParts, .integer(parts)), TTLV(.keyPartIdentifier, .integer(id)),
            TTLV(.splitKeyThreshold, .integer(threshold)), TTLV(.splitKeyMethod, .enumeration(SplitKeyMethod.xor.rawValue)),
            .structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
                .structure(.keyValue, [TTLV(.keyMaterial, .byteString(Array(0..<16)))]),
                TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(128))])])
    }

    func register(_ engine: BatchExecutor, _ version: ProtocolVersion, _ s: TTLV) async -> ResponseBatchItem {
        await engine.execute(Req.message(version, [(.register, [TTLV(.objectType, .enumeration(ObjectType.splitKey.rawValue))]
            + Req.attributes([Req.attr("Cryptographic Usage Mask", .integer(Int32(0x40)))], version)
            + [s])]), identity: "a", now: now).first
    }

    @Test(arguments: [ProtocolVersion.v1_2, .v2_1])
    func aShareComesBackAsRegistered(version: ProtocolVersion) async throws {
        let (engine, token, _) = try TestHSM.makeExecutor()
        let r = await register(engine, version, share())
        let uid = try #require(r.uid, "\(r.resultMessage ?? "")")
        #expect(try await token.readValue(id: uid) == Array(0..<16))
        let got = await engine.execute(Req.message(version, [Req.uid(.get, uid)]), identity: "a", now: now).first
        #expect(got.payload?.first(.splitKey) == share())
        let encrypt = await engine.execute(Req.message(version, [(.encrypt, [TTLV(.uniqueIdentifier, .textString(uid)),
            TTLV(.data, .byteString(Array(repeating: 0, count: 16)))])]), identity: "a", now: now).first
        #expect(encrypt.resultStatus == .operationFailed)
    }

    @Test func impossibleSplitsAreRefused() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        #expect(await register(engine, .v2_1, share(parts: 2, id: 3)).resultReason == .invalidField)
        #expect(await register(engine, .v2_1, share(parts: 2, threshold: 3)).resultReason == .invalidField)
        #expect(await register(engine, .v2_1, share(parts: 0)).resultReason == .invalidField)
    }
}
