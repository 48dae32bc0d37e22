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
    /// server-set ones included; that answer imports as it is, in either version: the attributes a
    /// client sets are kept, the server's own are made anew rather than refused.
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
}
