import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// No request may make a grant grow or protection loosen: each check here was missing before.
@Suite struct PrivilegeTests {
    let now = Int64(Date().timeIntervalSince1970)

    func run(_ engine: BatchExecutor, _ item: (KMIP.Operation, [TTLV]), as who: String = "alice",
             _ version: ProtocolVersion = .v2_1, at time: Int64? = nil) async -> ResponseBatchItem {
        await engine.execute(Req.message(version, [item]), identity: who, now: time ?? now).first
    }
    func key(_ engine: BatchExecutor, extractable: Bool, usage: CryptographicUsageMaskBits = [.encrypt, .decrypt],
             extra: [Attribute] = []) async throws -> String {
        let attrs = [Req.attr("Cryptographic Algorithm", .enumeration(CryptographicAlgorithm.aes.rawValue)), Req.attr("Cryptographic Length", .integer(256)),
                     Req.attr("Extractable", .boolean(extractable)), Req.attr("Cryptographic Usage Mask", .integer(Int32(usage.rawValue))),
                     Req.attr("Activation Date", .dateTime(now - 60))] + extra
        let r = await run(engine, (.create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))] + Req.attributes(attrs, .v2_1)))
        return try #require(r.uid, "\(r.resultMessage ?? "")")
    }
    func set(_ engine: BatchExecutor, _ uid: String, _ field: TTLV, at time: Int64? = nil) async -> ResponseBatchItem {
        await run(engine, Req.uid(.setAttribute, uid, [.structure(.newAttribute, [field])]), at: time)
    }
    func attribute(_ engine: BatchExecutor, _ uid: String, _ tag: KMIP.Tag) async -> TTLV? {
        await run(engine, Req.uid(.getAttributes, uid, [TTLV(.attributeReference, .enumeration(tag.rawValue))])).payload?.first(.attributes)?.first(tag)
    }

    /// Item 4: Extractable only true→false, Sensitive only false→true (KMIP 2.1 §4.23, §4.55).
    @Test func protectionIsOneWay() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let uid = try await key(engine, extractable: false)
        #expect(await set(engine, uid, TTLV(.extractable, .boolean(true))).resultReason == .permissionDenied)
        #expect(await set(engine, uid, TTLV(.sensitive, .boolean(false))).resultReason == .permissionDenied)
        let open = try await key(engine, extractable: true)
        #expect(await set(engine, open, TTLV(.extractable, .boolean(false))).resultStatus == .success)
        #expect(await set(engine, open, TTLV(.extractable, .boolean(true))).resultReason == .permissionDenied)
        #expect(await run(engine, Req.uid(.get, open)).resultStatus == .operationFailed, "no longer extractable")
    }

    /// Item 5: server-kept values are not the client's; dates that have bitten stay; limits only tighten.
    @Test func limitsAndDatesOnlyTighten() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let limits = Req.attr("Usage Limits", .structure([TTLV(.usageLimitsTotal, .longInteger(2)),
                                                         TTLV(.usageLimitsUnit, .enumeration(UsageLimitsUnit.object.rawValue))]))
        let uid = try await key(engine, extractable: true, extra: [limits])
        let enc: (KMIP.Operation, [TTLV]) = (.encrypt, [TTLV(.uniqueIdentifier, .textString(uid)),
            .structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))]),
            TTLV(.data, .byteString([UInt8](repeating: 0, count: 16)))])
        #expect(await run(engine, enc).resultStatus == .success)
        #expect(await run(engine, enc).resultStatus == .success)
        #expect(await run(engine, enc).resultReason == .permissionDenied, "the limit bites")
        let raise = TTLV.structure(.usageLimits, [TTLV(.usageLimitsTotal, .longInteger(100)), TTLV(.usageLimitsUnit, .enumeration(UsageLimitsUnit.object.rawValue))])
        #expect(await set(engine, uid, raise).resultReason == .permissionDenied, "a limit may not be raised")
        let reset = TTLV.structure(.usageLimits, [TTLV(.usageLimitsTotal, .longInteger(2)), TTLV(.usageLimitsCount, .longInteger(0)),
                                                 TTLV(.usageLimitsUnit, .enumeration(UsageLimitsUnit.object.rawValue))])
        #expect(await set(engine, uid, reset).resultReason == .invalidField, "the count is the server's")
        #expect(await run(engine, enc).resultReason == .permissionDenied)
        let lower = TTLV.structure(.usageLimits, [TTLV(.usageLimitsTotal, .longInteger(1)), TTLV(.usageLimitsUnit, .enumeration(UsageLimitsUnit.object.rawValue))])
        #expect(await set(engine, uid, lower).resultStatus == .success, "lowering is allowed")
        // The Count is what remains (KMIP 2.1 §4.59): none after two uses, whatever the Total becomes.
        #expect(await attribute(engine, uid, .usageLimits)?.first(.usageLimitsCount)?.int64 == 0, "and keeps the count")

        let stopping = try await key(engine, extractable: true)
        #expect(await set(engine, stopping, TTLV(.protectStopDate, .dateTime(now + 10))).resultStatus == .success)
        let later = now + 60
        #expect(await set(engine, stopping, TTLV(.protectStopDate, .dateTime(now + 86400)), at: later).resultReason == .wrongKeyLifecycleState,
                "a Protect Stop Date that has passed may not move")
        #expect(await set(engine, stopping, TTLV(.processStartDate, .dateTime(now - 30)), at: later).resultStatus == .success)
        #expect(await set(engine, stopping, TTLV(.processStartDate, .dateTime(now + 86400)), at: later).resultReason == .wrongKeyLifecycleState)
    }

    /// Item 2: a grantee with Re-key may not give the replacement grants or loosen it; the replacement
    /// of a non-extractable key is non-extractable whoever asks.
    @Test func replacementsNeitherGrantNorLoosen() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let uid = try await key(engine, extractable: false)
        #expect(await run(engine, Req.uid(.addAttribute, uid, [Req.attr(Grant.attributeName, .textString("bob|Re-key")).v1]), .v1_4).resultStatus == .success)
        let grantAttr = Req.attributes([Req.attr(Grant.attributeName, .textString("bob|*"))], .v2_1)
        #expect(await run(engine, Req.uid(.reKey, uid, grantAttr), as: "bob").resultReason == .permissionDenied)
        let loosen = Req.attributes([Req.attr("Extractable", .boolean(true))], .v2_1)
        #expect(await run(engine, Req.uid(.reKey, uid, loosen), as: "bob").resultReason == .permissionDenied)
        #expect(await run(engine, Req.uid(.reKey, uid, loosen)).resultReason == .permissionDenied, "not even the owner")
        let plain = await run(engine, Req.uid(.reKey, uid), as: "bob")
        let replacement = try #require(plain.uid, "\(plain.resultMessage ?? "")")
        #expect(await attribute(engine, replacement, .extractable)?.bool == false)
        #expect(await run(engine, Req.uid(.get, replacement)).resultStatus == .operationFailed)
    }

    /// Item 6: a derived key is never less protected than its base (Derive Key ENCRYPT would be an
    /// AES-ECB oracle on a non-extractable base otherwise).
    @Test func derivedKeysInheritProtection() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let base = try await key(engine, extractable: false, usage: [.deriveKey])
        func derive(_ extra: [Attribute]) async -> ResponseBatchItem {
            await run(engine, (.deriveKey, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
                TTLV(.uniqueIdentifier, .textString(base)), TTLV(.derivationMethod, .enumeration(DerivationMethod.encrypt.rawValue)),
                .structure(.derivationParameters, [TTLV(.derivationData, .byteString([UInt8](repeating: 7, count: 16)))])]
                + Req.attributes([Req.attr("Cryptographic Algorithm", .enumeration(CryptographicAlgorithm.aes.rawValue)),
                                  Req.attr("Cryptographic Length", .integer(128)),
                                  Req.attr("Cryptographic Usage Mask", .integer(Int32(CryptographicUsageMaskBits.encrypt.rawValue)))] + extra, .v2_1)))
        }
        #expect(await derive([Req.attr("Extractable", .boolean(true))]).resultReason == .permissionDenied)
        let derived = try #require(await derive([]).uid)
        #expect(await attribute(engine, derived, .extractable)?.bool == false)
        #expect(await run(engine, Req.uid(.get, derived)).resultStatus == .operationFailed, "the derived value stays in the token")
    }

    /// Item 3: a request that names its object by ID Placeholder holds that object's lock like one
    /// that names it by Unique Identifier.
    @Test func placeholderRequestsHoldTheObjectLock() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let uid = try await key(engine, extractable: true, extra: [Req.name("locked-key")])
        let order = Order()
        let holder = Task {
            try await engine.services.locks.withLock(uid) { () async throws(EngineError) in
                try? await Task.sleep(for: .milliseconds(400))
                order.add("holder done")
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        // Locate sets the ID Placeholder; Add Attribute then names no Unique Identifier.
        let r = await engine.execute(Req.message(.v2_1, [(.locate, Req.attributes([Req.name("locked-key")], .v2_1)),
            (.addAttribute, [.structure(.newAttribute, [TTLV(.contactInformation, .textString("ops"))])])]), identity: "alice", now: now)
        order.add("batch done")
        try await holder.value
        #expect(r.batchItems.map(\.resultStatus) == [.success, .success], "\(r.batchItems.map { $0.resultMessage ?? "" })")
        #expect(order.events == ["holder done", "batch done"], "the placeholder request waited for the lock")
    }

    /// Item 10: Import under another owner's identifier is refused like any refusal (no Object Already
    /// Exists confirming it); the Locate grant clause matches the grantee exactly.
    @Test func noExistenceOracles() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let uid = try await key(engine, extractable: true)
        let body: [TTLV] = [TTLV(.uniqueIdentifier, .textString(uid)), TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(4))]),
            .structure(.symmetricKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
                .structure(.keyValue, [TTLV(.keyMaterial, .byteString([UInt8](repeating: 3, count: 16)))]),
                TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(128))])])]
        let other = await run(engine, (.import, body), as: "mallory")
        let missing = await run(engine, Req.uid(.get, uid), as: "mallory")
        #expect(other.resultReason == missing.resultReason, "\(other.resultReason?.name ?? "") vs \(missing.resultReason?.name ?? "")")
        #expect(await run(engine, (.import, body)).resultReason == .objectAlreadyExists, "the owner is told")

        let named = try await key(engine, extractable: true, extra: [Req.name("exact-grant")])
        _ = await run(engine, Req.uid(.addAttribute, named, [Req.attr(Grant.attributeName, .textString("CN=alice2|Locate")).v1]), .v1_4)
        for who in ["CN=alice", "CN=alice2,O=x", "CN=alice2|Locate", "CN=alice"] {
            let found = await run(engine, (.locate, Req.attributes([Req.name("exact-grant")], .v2_1)), as: who)
            #expect(found.payload?.all(.uniqueIdentifier).isEmpty != false, "\(who) must not find a grant to CN=alice2")
        }
        let grantee = await run(engine, (.locate, Req.attributes([Req.name("exact-grant")], .v2_1)), as: "CN=alice2")
        #expect(grantee.payload?.all(.uniqueIdentifier).compactMap(\.text) == [named])
    }

    /// Item 13: no Digest Value of secret material that may not leave the token.
    @Test func noDigestOfNonExtractableSecrets() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        func register(_ extractable: Bool) async throws -> String {
            let r = await run(engine, (.register, [TTLV(.objectType, .enumeration(ObjectType.secretData.rawValue)),
                .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0)), TTLV(.extractable, .boolean(extractable))]),
                .structure(.secretData, [TTLV(.secretDataType, .enumeration(SecretDataType.password.rawValue)),
                    .structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.opaque.rawValue)),
                                           .structure(.keyValue, [TTLV(.keyMaterial, .byteString(Array("hunter2".utf8)))])])])]))
            return try #require(r.uid, "\(r.resultMessage ?? "")")
        }
        let hidden = try await register(false), open = try await register(true)
        #expect(await attribute(engine, hidden, .digest)?.first(.digestValue) == nil)
        #expect(await attribute(engine, open, .digest)?.first(.digestValue) != nil)
    }
}

final class Order: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ e: String) { lock.withLock { list.append(e) } }
    var events: [String] { lock.withLock { list } }
}
