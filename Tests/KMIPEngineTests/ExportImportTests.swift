import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Export and Import (KMIP 2.0+): moving objects between servers.
@Suite struct ExportImportTests {
    let now = Int64(Date().timeIntervalSince1970)

    func call(_ engine: BatchExecutor, _ op: KMIP.Operation, _ payload: [TTLV]) async -> ResponseBatchItem {
        await engine.execute(Req.message(.v2_1, [(op, payload)]), identity: "a", now: now).first
    }
    func keyObject(_ bytes: [UInt8]) -> TTLV {
        .structure(.symmetricKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
            .structure(.keyValue, [TTLV(.keyMaterial, .byteString(bytes))]),
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(Int32(bytes.count * 8)))])])
    }

    @Test func exportThenImportElsewhere() async throws {
        let (source, _, _) = try TestHSM.makeExecutor()
        let created = await call(source, .create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), .structure(.attributes, [
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(128)),
            TTLV(.cryptographicUsageMask, .integer(0xC)), Req.name("moving").value])])
        let uid = try #require(created.uid)
        let exported = await call(source, .export, [TTLV(.uniqueIdentifier, .textString(uid))])
        let p = try #require(exported.payload, "\(exported.resultMessage ?? "")")
        #expect(p.first(.attributes)?.first(.name)?.first(.nameValue)?.text == "moving")
        let material = try #require(p.first(.symmetricKey)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes)

        let (target, _, _) = try TestHSM.makeExecutor()
        let imported = await call(target, .import, [TTLV(.uniqueIdentifier, .textString(uid)), TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0xC)), Req.name("moving").value]), keyObject(material)])
        #expect(imported.uid == uid, "\(imported.resultMessage ?? "")")
        let got = await call(target, .get, [TTLV(.uniqueIdentifier, .textString(uid))])
        #expect(got.payload?.first(.symmetricKey)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes == material)

        let again = await call(target, .import, [TTLV(.uniqueIdentifier, .textString(uid)), TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, []), keyObject([UInt8](repeating: 5, count: 16))])
        #expect(again.resultReason == .objectAlreadyExists)
        let replaced = await call(target, .import, [TTLV(.uniqueIdentifier, .textString(uid)), TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            TTLV(.replaceExisting, .boolean(true)), .structure(.attributes, []), keyObject([UInt8](repeating: 5, count: 16))])
        #expect(replaced.uid == uid, "\(replaced.resultMessage ?? "")")
        let now2 = await call(target, .get, [TTLV(.uniqueIdentifier, .textString(uid))])
        #expect(now2.payload?.first(.symmetricKey)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes == [UInt8](repeating: 5, count: 16))
    }

    /// Export answers "all of the object's attributes" (KMIP 2.1 §6.1.18; 1.4 §4.40: bare Attribute items),
    /// server-set ones included; that answer imports as it is, in either version: nothing refused, the
    /// supplied values kept.
    @Test(arguments: [ProtocolVersion.v2_1, .v1_4])
    func anExportImportsUnchanged(_ version: ProtocolVersion) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        func run(_ op: KMIP.Operation, _ payload: [TTLV]) async -> ResponseBatchItem {
            await engine.execute(Req.message(version, [(op, payload)]), identity: "a", now: now).first
        }
        let attrs = [Attribute(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)),
                     Attribute(.cryptographicLength, .integer(128)), Attribute(.cryptographicUsageMask, .integer(0xC)),
                     Attribute(.objectGroup, .textString("backups")), Attribute(name: "x-team", value: TTLV(.attributeValue, .textString("storage")))]
        let created = await run(.create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))]
            + [version.isV2 ? .structure(.attributes, attrs.map(\.v2)) : .structure(.templateAttribute, attrs.map(\.v1))])
        let uid = try #require(created.uid, "\(created.resultMessage ?? "")")
        let exported = try #require(await run(.export, [TTLV(.uniqueIdentifier, .textString(uid))]).payload)
        #expect(try AttributeList.read(exported.first(.attributes) ?? exported).contains { $0.tag == .initialDate },
                "the export carries server-set attributes")
        var fields = exported.children
        fields[fields.firstIndex { $0.tag == .uniqueIdentifier }!] = TTLV(.uniqueIdentifier, .textString("copy-\(version)"))
        let imported = await run(.import, fields)
        #expect(imported.uid == "copy-\(version)", "\(imported.resultReason?.name ?? ""): \(imported.resultMessage ?? "")")
        let read = await run(.getAttributes, [TTLV(.uniqueIdentifier, .textString("copy-\(version)"))])
        let kept = try AttributeList.read(read.payload.flatMap { $0.first(.attributes) ?? $0 } ?? .structure(.attributes, []))
        #expect(kept.contains { $0.tag == .objectGroup && $0.value.text == "backups" })
        #expect(kept.contains { $0.name == "x-team" && $0.value.text == "storage" })
        #expect(kept.first { $0.tag == .uniqueIdentifier }?.value.text == "copy-\(version)")
    }

    /// Import sets "all attributes … to the supplied values rather than any server generated values"
    /// (KMIP 2.1 §6.1.25): a compromised key imported a day later is still Compromised, with its dates,
    /// revocation reason and one Digest, the exported one.
    @Test(arguments: [ProtocolVersion.v2_1, .v1_4])
    func importKeepsServerSetValues(_ version: ProtocolVersion) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        func run(_ op: KMIP.Operation, _ payload: [TTLV], at time: Int64) async -> ResponseBatchItem {
            await engine.execute(Req.message(version, [(op, payload)]), identity: "a", now: time).first
        }
        func attributes(_ uid: String, at time: Int64) async throws -> [Attribute] {
            let read = await run(.getAttributes, [TTLV(.uniqueIdentifier, .textString(uid))], at: time)
            return try AttributeList.read(read.payload.flatMap { $0.first(.attributes) ?? $0 } ?? .structure(.attributes, []))
        }
        let attrs = [Attribute(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)),
                     Attribute(.cryptographicLength, .integer(128)), Attribute(.cryptographicUsageMask, .integer(0xC)),
                     Attribute(.activationDate, .dateTime(now - 50))]
        let created = await run(.create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))]
            + [version.isV2 ? .structure(.attributes, attrs.map(\.v2)) : .structure(.templateAttribute, attrs.map(\.v1))], at: now - 100)
        let uid = try #require(created.uid, "\(created.resultMessage ?? "")")
        let revoked = await run(.revoke, [TTLV(.uniqueIdentifier, .textString(uid)), .structure(.revocationReason, [
            TTLV(.revocationReasonCode, .enumeration(RevocationReasonCode.keyCompromise.rawValue))]),
            TTLV(.compromiseOccurrenceDate, .dateTime(now - 80))], at: now - 10)
        #expect(revoked.resultStatus == .success, "\(revoked.resultMessage ?? "")")
        let before = try await attributes(uid, at: now)
        let exported = try #require(await run(.export, [TTLV(.uniqueIdentifier, .textString(uid))], at: now).payload)
        var fields = exported.children
        fields[fields.firstIndex { $0.tag == .uniqueIdentifier }!] = TTLV(.uniqueIdentifier, .textString("copy-\(version)"))
        let imported = await run(.import, fields, at: now + 86_400)
        #expect(imported.uid == "copy-\(version)", "\(imported.resultReason?.name ?? ""): \(imported.resultMessage ?? "")")
        let after = try await attributes("copy-\(version)", at: now + 86_400)
        for tag: KMIP.Tag in [.state, .initialDate, .originalCreationDate, .lastChangeDate, .activationDate, .compromiseDate,
                         .compromiseOccurrenceDate, .revocationReason, .digest] {
            let was = before.filter { $0.tag == tag }.map(\.value.value), now = after.filter { $0.tag == tag }.map(\.value.value)
            #expect(!was.isEmpty && now == was, "\(tag.name ?? "?"): exported \(was), imported \(now)")
        }
        #expect(after.first { $0.tag == .state }?.value.enumValue == State.compromised.rawValue)
    }

    /// What an Import may not claim: a Destroyed object (it brings its value), a State of another type.
    @Test func importRefusesADestroyedOrMistypedState() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        for (value, want) in [(TTLV.Value.enumeration(State.destroyed.rawValue), "not Destroyed"),
                              (.enumeration(State.destroyedCompromised.rawValue), "not Destroyed"),
                              (.enumeration(9), "not a KMIP state"), (.textString("Active"), "must be")] {
            let item = await call(engine, .import, [TTLV(.uniqueIdentifier, .textString("imp-state")),
                TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
                .structure(.attributes, [TTLV(.state, value)]), keyObject([UInt8](repeating: 7, count: 16))])
            #expect(item.resultReason == .invalidField && (item.resultMessage ?? "").contains(want), "\(value): \(item.resultMessage ?? "")")
        }
        let missing = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString("imp-state"))])
        #expect(missing.resultReason == .objectNotFound, "nothing was made")
    }

    /// Register keeps the Original Creation Date a client gives (KMIP 2.1 §4.38); Create sets its own.
    @Test func registerKeepsTheOriginalCreationDate() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let registered = await call(engine, .register, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0xC)), TTLV(.originalCreationDate, .dateTime(1_000_000_000))]),
            keyObject([UInt8](repeating: 3, count: 16))])
        let uid = try #require(registered.uid, "\(registered.resultMessage ?? "")")
        let read = await call(engine, .getAttributes, [TTLV(.uniqueIdentifier, .textString(uid)), TTLV(.attributeReference, .enumeration(KMIP.Tag.originalCreationDate.rawValue))])
        #expect(read.payload?.first(.attributes)?.first(.originalCreationDate)?.value == .dateTime(1_000_000_000), "\(read.payload.map { "\($0)" } ?? "")")
        let created = await call(engine, .create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), .structure(.attributes, [
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(128)),
            TTLV(.cryptographicUsageMask, .integer(0xC)), TTLV(.originalCreationDate, .dateTime(1_000_000_000))])])
        let made = try #require(created.uid, "\(created.resultMessage ?? "")")
        let own = await call(engine, .getAttributes, [TTLV(.uniqueIdentifier, .textString(made)), TTLV(.attributeReference, .enumeration(KMIP.Tag.originalCreationDate.rawValue))])
        #expect(own.payload?.first(.attributes)?.first(.originalCreationDate)?.value == .dateTime(now))
    }

    /// Replace Existing replaces only what it can make: an Import refused for its own content (an unknown
    /// attribute, a Cryptographic Length that is not the key's, an unreadable private key) leaves the old
    /// object and its key as they were.
    @Test func aRefusedReplaceKeepsTheOldObject() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let original = [UInt8](repeating: 9, count: 16)
        let registered = await call(engine, .import, [TTLV(.uniqueIdentifier, .textString("kept")), TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0xC))]), keyObject(original)])
        #expect(registered.uid == "kept", "\(registered.resultMessage ?? "")")
        let shortLength = TTLV.structure(.symmetricKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
            .structure(.keyValue, [TTLV(.keyMaterial, .byteString([UInt8](repeating: 1, count: 16)))]),
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(256))])])
        let badPrivate = TTLV.structure(.privateKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.pkcs8.rawValue)),
            .structure(.keyValue, [TTLV(.keyMaterial, .byteString([0x30, 0x03, 0x02, 0x01, 0x00]))]),
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.rsa.rawValue))])])
        let attempts: [(ObjectType, [TTLV], TTLV)] = [
            (.symmetricKey, [TTLV(.cryptographicUsageMask, .integer(0xC)), .structure(.attribute, [TTLV(.attributeName, .textString("No Such Attribute")),
                                                                                                   TTLV(.attributeValue, .textString("x"))])], keyObject([UInt8](repeating: 2, count: 16))),
            (.symmetricKey, [TTLV(.cryptographicUsageMask, .integer(0xC))], shortLength),
            (.privateKey, [TTLV(.cryptographicUsageMask, .integer(0x1))], badPrivate),
        ]
        for (type, attributes, object) in attempts {
            let item = await call(engine, .import, [TTLV(.uniqueIdentifier, .textString("kept")), TTLV(.objectType, .enumeration(type.rawValue)),
                TTLV(.replaceExisting, .boolean(true)), .structure(.attributes, attributes), object])
            #expect(item.resultStatus != .success, "\(object.tag.name ?? "")")
            let got = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString("kept"))])
            #expect(got.payload?.first(.symmetricKey)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes == original,
                    "after \(item.resultReason?.name ?? ""): \(item.resultMessage ?? ""): \(got.resultMessage ?? "")")
        }
    }
}
