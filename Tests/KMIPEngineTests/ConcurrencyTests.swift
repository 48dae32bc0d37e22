import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Concurrent changes to one object must all land (no lost read-modify-write).
@Suite struct ConcurrencyTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test func concurrentAddAttributesAllLand() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let created = await engine.execute(Req.message(.v2_1, [Req.createAES(256, .v2_1)]), identity: "a", now: now)
        let uid = try #require(created.first.uid)
        let n = 24
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<n {
                group.addTask {
                    _ = await engine.execute(Req.message(.v2_1, [Req.uid(.addAttribute, uid, [
                        .structure(.newAttribute, [TTLV(.objectGroup, .textString("group-\(i)"))])])]), identity: "a", now: self.now)
                }
            }
        }
        let attrs = await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, uid, [TTLV(.attributeReference, .enumeration(Tag.objectGroup.rawValue))])]),
                                         identity: "a", now: now)
        #expect(attrs.first.payload?.first(.attributes)?.all(.objectGroup).count == n)
    }

    @Test func usageLimitsHoldUnderConcurrency() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let reg = await engine.execute(Req.message(.v2_1, [(.register, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0x4)), TTLV(.activationDate, .dateTime(now - 60)),
                .structure(.usageLimits, [TTLV(.usageLimitsTotal, .longInteger(10)), TTLV(.usageLimitsUnit, .enumeration(UsageLimitsUnit.object.rawValue))])]),
            .structure(.symmetricKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
                .structure(.keyValue, [TTLV(.keyMaterial, .byteString([UInt8](repeating: 1, count: 16)))]),
                TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(128))])])])]),
            identity: "a", now: now)
        let uid = try #require(reg.first.uid, "\(reg.first.resultMessage ?? "")")
        let ecb = TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))])
        let successes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    let r = await engine.execute(Req.message(.v2_1, [Req.uid(.encrypt, uid, [ecb, TTLV(.data, .byteString([UInt8](repeating: 0, count: 16)))])]),
                                                 identity: "a", now: self.now)
                    return r.first.resultStatus == .success
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == 10, "a total of 10 uses gave \(successes)")
    }
}
