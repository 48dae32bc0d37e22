import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Obtain Lease (KMIP 2.1 §6.1.35) and Get Usage Allocation (§6.1.23).
@Suite struct LeaseTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test func aKeysLeaseIsItsLeaseTime() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let uid = try #require(await engine.execute(Req.message(.v1_2, [Req.createAES(256, .v1_2)]), identity: "a", now: now).first.uid)
        let r = await engine.execute(Req.message(.v1_2, [Req.uid(.obtainLease, uid)]), identity: "a", now: now).first
        #expect(r.payload?.first(.leaseTime)?.value == .interval(3600), "\(r.resultMessage ?? "")")
        #expect(r.payload?.first(.lastChangeDate) != nil)
        _ = await engine.execute(Req.message(.v1_2, [Req.uid(.destroy, uid)]), identity: "a", now: now)
        let gone = await engine.execute(Req.message(.v1_2, [Req.uid(.obtainLease, uid)]), identity: "a", now: now).first
        #expect(gone.resultReason == .itemNotFound)
    }

    @Test func allocationsCountAgainstUsageLimits() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let limits = Attribute(.usageLimits, .structure([TTLV(.usageLimitsTotal, .longInteger(10)),
                                                        TTLV(.usageLimitsUnit, .enumeration(UsageLimitsUnit.object.rawValue))]))
        let limited = try #require(await engine.execute(Req.message(.v2_1, [Req.createAES(extra: [limits, Req.attr("Activation Date", .dateTime(now - 60))], .v2_1)]),
                                                        identity: "a", now: now).first.uid)
        func allocate(_ uid: String, _ n: Int64) async -> ResponseBatchItem {
            await engine.execute(Req.message(.v2_1, [Req.uid(.getUsageAllocation, uid, [TTLV(.usageLimitsCount, .longInteger(n))])]), identity: "a", now: now).first
        }
        // Usage Limits Count is what remains (KMIP 2.1 §4.59): it starts at the Total.
        func count() async -> Int64? {
            await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, limited, [TTLV(.attributeReference, .enumeration(KMIP.Tag.usageLimits.rawValue))])]), identity: "a", now: now)
                .first.payload?.first(.attributes)?.first(.usageLimits)?.first(.usageLimitsCount)?.int64
        }
        #expect(await count() == 10)
        #expect(await allocate(limited, 4).resultStatus == .success)
        #expect(await count() == 6)
        #expect(await allocate(limited, 7).resultStatus == .operationFailed)
        #expect(await allocate(limited, 6).resultStatus == .success)
        #expect(await allocate(limited, 1).resultStatus == .operationFailed)
        let free = try #require(await engine.execute(Req.message(.v2_1, [Req.createAES(extra: [Req.attr("Activation Date", .dateTime(now - 60))], .v2_1)]),
                                                     identity: "a", now: now).first.uid)
        #expect(await allocate(free, 1).resultReason == .attributeNotFound)
        #expect(await allocate(limited, -1).resultReason == .invalidField)
    }
}
