import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Add / Modify / Delete / Set Attribute, Get Attribute List and Check, in 1.x and 2.x forms.
@Suite struct AttributeHandlerTests {
    let now = Int64(Date().timeIntervalSince1970)

    func uid(_ engine: BatchExecutor, _ v: ProtocolVersion) async throws -> String {
        try #require(await engine.execute(Req.message(v, [Req.createAES(256, v)]), identity: "a", now: now).first.uid)
    }

    @Test func v1AddModifyDeleteWithIndices() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let id = try await uid(engine, .v1_4)
        let group = { (g: String) in Req.attr("Object Group", .textString(g)) }
        for g in ["g1", "g2"] {
            let r = await engine.execute(Req.message(.v1_4, [Req.uid(.addAttribute, id, [group(g).v1])]), identity: "a", now: now)
            #expect(r.first.resultStatus == .success)
        }
        var second = group("g2b"); second.index = 1
        let m = await engine.execute(Req.message(.v1_4, [Req.uid(.modifyAttribute, id, [second.v1])]), identity: "a", now: now)
        #expect(m.first.payload?.first(.attribute)?.first(.attributeIndex)?.int32 == 1)
        let list = await engine.execute(Req.message(.v1_4, [Req.uid(.getAttributeList, id)]), identity: "a", now: now)
        #expect(list.first.payload?.all(.attributeName).compactMap(\.text).contains("Object Group") == true)
        let d = await engine.execute(Req.message(.v1_4, [Req.uid(.deleteAttribute, id, [TTLV(.attributeName, .textString("Object Group")),
                                                                                     TTLV(.attributeIndex, .integer(0))])]), identity: "a", now: now)
        #expect(d.first.payload?.first(.attribute)?.first(.attributeValue)?.text == "g1")
        let get = await engine.execute(Req.message(.v1_4, [Req.uid(.getAttributes, id, [TTLV(.attributeName, .textString("Object Group"))])]),
                                       identity: "a", now: now)
        #expect(get.first.payload?.all(.attribute).compactMap { $0.first(.attributeValue)?.text } == ["g2b"])
        // Single-valued attributes cannot be added twice; read-only ones cannot be deleted.
        let desc = Req.attr("Contact Information", .textString("ops"))
        _ = await engine.execute(Req.message(.v1_4, [Req.uid(.addAttribute, id, [desc.v1])]), identity: "a", now: now)
        let twice = await engine.execute(Req.message(.v1_4, [Req.uid(.addAttribute, id, [desc.v1])]), identity: "a", now: now)
        #expect(twice.first.resultStatus == .operationFailed)
        let ro = await engine.execute(Req.message(.v1_4, [Req.uid(.deleteAttribute, id, [TTLV(.attributeName, .textString("Initial Date"))])]),
                                      identity: "a", now: now)
        #expect(ro.first.resultStatus == .operationFailed)
    }

    @Test func v2SetModifyDeleteByValueAndCheck() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let id = try await uid(engine, .v2_1)
        let set = await engine.execute(Req.message(.v2_1, [Req.uid(.setAttribute, id, [.structure(.newAttribute, [TTLV(.description, .textString("d1"))])])]),
                                       identity: "a", now: now)
        #expect(set.first.resultStatus == .success)
        let modify = await engine.execute(Req.message(.v2_1, [Req.uid(.modifyAttribute, id, [
            .structure(.currentAttribute, [TTLV(.description, .textString("d1"))]),
            .structure(.newAttribute, [TTLV(.description, .textString("d2"))])])]), identity: "a", now: now)
        #expect(modify.first.resultStatus == .success, "\(modify.first.resultMessage ?? "")")
        let list = await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributeList, id)]), identity: "a", now: now)
        #expect(list.first.payload?.all(.attributeReference).compactMap(\.enumValue).contains(Tag.description.rawValue) == true)
        let delete = await engine.execute(Req.message(.v2_1, [Req.uid(.deleteAttribute, id, [
            .structure(.currentAttribute, [TTLV(.description, .textString("d2"))])])]), identity: "a", now: now)
        #expect(delete.first.resultStatus == .success)
        let gone = await engine.execute(Req.message(.v2_1, [Req.uid(.deleteAttribute, id, [
            .structure(.currentAttribute, [TTLV(.description, .textString("d2"))])])]), identity: "a", now: now)
        #expect(gone.first.resultReason == .attributeNotFound)
        // Check: Encrypt is allowed, Sign is not in the mask.
        let ok = await engine.execute(Req.message(.v2_1, [Req.uid(.check, id, [TTLV(.cryptographicUsageMask, .integer(4))])]), identity: "a", now: now)
        #expect(ok.first.resultStatus == .success)
        let no = await engine.execute(Req.message(.v2_1, [Req.uid(.check, id, [TTLV(.cryptographicUsageMask, .integer(1))])]), identity: "a", now: now)
        #expect(no.first.resultReason == .incompatibleCryptographicUsageMask)
    }

    @Test func registerSecretAndOpaqueDataAndGetThemBack() async throws {
        let (engine, token, _) = try TestHSM.makeExecutor()
        let secret = TTLV.structure(.secretData, [TTLV(.secretDataType, .enumeration(SecretDataType.password.rawValue)),
            .structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.opaque.rawValue)),
                                   .structure(.keyValue, [TTLV(.keyMaterial, .byteString(Array("s3cret".utf8)))])])])
        let r = await engine.execute(Req.message(.v1_4, [(.register, [TTLV(.objectType, .enumeration(ObjectType.secretData.rawValue)),
            .structure(.templateAttribute, [Req.attr("Cryptographic Usage Mask", .integer(0)).v1]), secret])]), identity: "a", now: now)
        let sid = try #require(r.first.uid, "\(r.first.resultMessage ?? "")")
        #expect(try await token.readValue(id: sid) == Array("s3cret".utf8))
        let opaque = TTLV.structure(.opaqueObject, [TTLV(.opaqueDataType, .enumeration(0x8000_0001)), TTLV(.opaqueDataValue, .byteString([9, 9]))])
        let o = await engine.execute(Req.message(.v1_4, [(.register, [TTLV(.objectType, .enumeration(ObjectType.opaqueObject.rawValue)),
            .structure(.templateAttribute, []), opaque])]), identity: "a", now: now)
        let oid = try #require(o.first.uid)
        let got = await engine.execute(Req.message(.v1_4, [Req.uid(.get, oid)]), identity: "a", now: now)
        #expect(got.first.payload?.first(.opaqueObject)?.first(.opaqueDataValue)?.bytes == [9, 9])
        let nonExtractable = await engine.execute(Req.message(.v1_4, [Req.createAES(extra: [Req.attr("Extractable", .boolean(false))])]),
                                                  identity: "a", now: now)
        let kid = try #require(nonExtractable.first.uid)
        let refused = await engine.execute(Req.message(.v1_4, [Req.uid(.get, kid)]), identity: "a", now: now)
        #expect(refused.first.resultReason == .notExtractable)
    }
}
