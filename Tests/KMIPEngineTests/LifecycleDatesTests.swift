import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Dates in the past take effect at once, dates in the future when they pass; State is never written
/// by a client (KMIP 2.1 §4.57 and its lifecycle figure, §4.1).
@Suite struct LifecycleDatesTests {
    let now = Int64(Date().timeIntervalSince1970)

    func state(_ engine: BatchExecutor, _ uid: String, at time: Int64) async -> State? {
        let r = await engine.execute(Req.message(.v1_4, [Req.uid(.getAttributes, uid, [TTLV(.attributeName, .textString("State"))])]),
                                     identity: "a", now: time)
        return r.first.payload?.first(.attribute)?.first(.attributeValue)?.enumValue.map(State.init(rawValue:))
    }

    @Test func activationDateInThePastActivatesAtCreate() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let r = await engine.execute(Req.message(.v1_4, [Req.createAES(extra: [Req.attr("Activation Date", .dateTime(now - 60))])]),
                                     identity: "a", now: now)
        #expect(await state(engine, try #require(r.first.uid), at: now) == .active)
    }

    @Test func futureDatesTakeEffectWhenTheyPass() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let r = await engine.execute(Req.message(.v1_4, [Req.createAES(name: "timed", extra: [
            Req.attr("Activation Date", .dateTime(now + 100)), Req.attr("Deactivation Date", .dateTime(now + 200))])]),
            identity: "a", now: now)
        let uid = try #require(r.first.uid)
        #expect(await state(engine, uid, at: now) == .preActive)
        #expect(await state(engine, uid, at: now + 150) == .active)
        // Locate by state sees the date-driven state too.
        let active = await engine.execute(Req.message(.v1_4, [(.locate, [Req.attr("State", .enumeration(State.active.rawValue)).v1])]),
                                          identity: "a", now: now + 150)
        #expect(active.first.payload?.all(.uniqueIdentifier).compactMap(\.text) == [uid])
        #expect(await state(engine, uid, at: now + 250) == .deactivated)
    }

    @Test func modifyingActivationDateIntoThePastActivates() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let r = await engine.execute(Req.message(.v1_4, [Req.createAES(extra: [Req.attr("Activation Date", .dateTime(now + 1000))])]),
                                     identity: "a", now: now)
        let uid = try #require(r.first.uid)
        let m = await engine.execute(Req.message(.v1_4, [Req.uid(.modifyAttribute, uid, [Req.attr("Activation Date", .dateTime(now - 1)).v1])]),
                                     identity: "a", now: now)
        #expect(m.first.resultStatus == .success, "\(m.first.resultMessage ?? "")")
        #expect(await state(engine, uid, at: now) == .active)
    }

    @Test func stateIsNotClientWritable() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let create = await engine.execute(Req.message(.v1_4, [Req.createAES(extra: [Req.attr("State", .enumeration(State.active.rawValue))])]),
                                          identity: "a", now: now)
        #expect(create.first.resultStatus == .operationFailed)
        let r = await engine.execute(Req.message(.v1_4, [Req.createAES()]), identity: "a", now: now)
        let uid = try #require(r.first.uid)
        for op: KMIP.Operation in [.addAttribute, .modifyAttribute] {
            let e = await engine.execute(Req.message(.v1_4, [Req.uid(op, uid, [Req.attr("State", .enumeration(State.active.rawValue)).v1])]),
                                         identity: "a", now: now)
            #expect(e.first.resultStatus == .operationFailed, "\(op)")
        }
        #expect(await state(engine, uid, at: now) == .preActive)
    }

    @Test func compromiseAndDestroyCompromised() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let r = await engine.execute(Req.message(.v2_1, [Req.createAES(256, .v2_1)]), identity: "a", now: now)
        let uid = try #require(r.first.uid)
        _ = await engine.execute(Req.message(.v2_1, [Req.uid(.activate, uid)]), identity: "a", now: now)
        let revoke = await engine.execute(Req.message(.v2_1, [Req.uid(.revoke, uid, [.structure(.revocationReason, [
            TTLV(.revocationReasonCode, .enumeration(RevocationReasonCode.keyCompromise.rawValue))])])]), identity: "a", now: now)
        #expect(revoke.first.resultStatus == .success)
        #expect(await state(engine, uid, at: now) == .compromised)
        let destroy = await engine.execute(Req.message(.v2_1, [Req.uid(.destroy, uid)]), identity: "a", now: now)
        #expect(destroy.first.resultStatus == .success)
        #expect(await state(engine, uid, at: now) == .destroyedCompromised)
    }
}
