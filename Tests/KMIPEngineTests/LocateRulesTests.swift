import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Locate's batch and matching rules (KMIP 2.1 §6.1.28) that need the engine, not only the store.
@Suite struct LocateRulesTests {
    let now = Int64(Date().timeIntervalSince1970)

    /// One object found becomes the ID Placeholder; several empty it, so a batched Get fails.
    @Test func theIDPlaceholderOnlyForOneObject() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        for _ in 0..<2 { _ = await engine.execute(Req.message(.v1_4, [Req.createAES(name: "twin")]), identity: "a", now: now) }
        let name = Req.name("twin").v1
        let many = await engine.execute(Req.message(.v1_4, [(.locate, [name]), (.get, [])]), identity: "a", now: now)
        #expect(many.batchItems[0].payload?.all(.uniqueIdentifier).count == 2)
        #expect(many.batchItems.count == 2 && many.batchItems[1].resultStatus == .operationFailed)
        let one = await engine.execute(Req.message(.v1_4, [(.locate, [TTLV(.maximumItems, .integer(1)), name]), (.get, [])]), identity: "a", now: now)
        #expect(one.batchItems[1].resultStatus == .success)
    }

    /// Usage Limits match objects with at least the Count and Total asked for; a date at its largest
    /// value is as if not given.
    @Test func usageLimitsEqualOrLargerAndTheLargestDate() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        func limits(_ total: Int64) -> Attribute {
            Attribute(.usageLimits, .structure([TTLV(.usageLimitsTotal, .longInteger(total)), TTLV(.usageLimitsUnit, .enumeration(UsageLimitsUnit.object.rawValue))]))
        }
        let small = try #require(await engine.execute(Req.message(.v2_1, [Req.createAES(extra: [limits(10)], .v2_1)]), identity: "a", now: now).first.uid)
        let big = try #require(await engine.execute(Req.message(.v2_1, [Req.createAES(extra: [limits(1000)], .v2_1)]), identity: "a", now: now).first.uid)
        func locate(_ filters: [Attribute]) async -> [String] {
            await engine.execute(Req.message(.v2_1, [(.locate, AttributeList.encode(filters, version: .v2_1))]), identity: "a", now: now)
                .first.payload?.all(.uniqueIdentifier).compactMap(\.text) ?? []
        }
        #expect(Set(await locate([limits(10)])) == [small, big])
        #expect(await locate([limits(11)]) == [big])
        let count = Attribute(.usageLimits, .structure([TTLV(.usageLimitsCount, .longInteger(500))]))
        #expect(await locate([count]) == [big])
        #expect(Set(await locate([Attribute(.initialDate, .dateTime(Int64.max))])) == [small, big])
    }

    /// Object Group Member: Fresh finds fresh members; Default, kmipd's policy, the newest Active one.
    @Test func objectGroupMembers() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let group = Req.attr("Object Group", .textString("tapes"))
        var uids = [String]()
        for _ in 0..<3 {
            uids.append(try #require(await engine.execute(Req.message(.v1_4, [Req.createAES(extra: [group])]), identity: "a", now: now).first.uid))
        }
        for uid in uids.prefix(2) { _ = await engine.execute(Req.message(.v1_4, [Req.uid(.activate, uid)]), identity: "a", now: now) }
        func locate(_ member: ObjectGroupMemberOption) async -> [String] {
            await engine.execute(Req.message(.v1_4, [(.locate, [TTLV(.objectGroupMember, .enumeration(member.rawValue)), group.v1])]),
                                 identity: "a", now: now).first.payload?.all(.uniqueIdentifier).compactMap(\.text) ?? []
        }
        #expect(await locate(.groupMemberDefault) == [uids[1]])
        _ = await engine.execute(Req.message(.v1_4, [Req.uid(.get, uids[2])]), identity: "a", now: now)
        #expect(Set(await locate(.groupMemberFresh)) == [uids[0], uids[1]])
    }
}
