import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// A response carries only what the client's version defines (KMIP 1.4 §3 / 2.1 §4 attribute chapters,
/// the tag and enumeration tables): a 1.0 client is never sent Key Format Type as an attribute, a 2.x
/// client never Operation Policy Name; 1.x attributes carry their Attribute Index, 0 included.
@Suite struct VersionedResponseTests {
    let now = Int64(Date().timeIntervalSince1970)

    /// Every tag, and every enumeration value under a tag that has a table, exists in `version`.
    func unknownItems(_ t: TTLV, _ version: ProtocolVersion, path: String = "") -> [String] {
        var out = [String]()
        let here = path + "/" + (t.tag.name ?? "\(t.tag)")
        if let since = t.tag.since, since > version { out.append("\(here) is a \(since) tag") }
        if case .enumeration(let v) = t.value, let name = t.tag.name,
           let since = EnumerationIndex.shared.since(forTag: name, value: v), since > version {
            out.append("\(here) value 0x\(String(v, radix: 16)) is from \(since)")
        }
        if t.tag == .attribute, let name = t.first(.attributeName)?.text {
            if !Attribute(name: name, value: TTLV(.attributeValue, .integer(0))).isDefined(in: version) {
                out.append("\(here) \(name) is not a \(version) attribute")
            }
            if t.first(.attributeIndex) == nil { out.append("\(here) \(name) has no Attribute Index") }
            // The value's enumeration belongs to the attribute's table, not to "Attribute Value".
            if case .enumeration(let v) = t.first(.attributeValue)?.value,
               let since = EnumerationIndex.shared.since(forTag: name, value: v), since > version {
                out.append("\(here) \(name) value 0x\(String(v, radix: 16)) is from \(since)")
            }
        }
        for c in t.children { out += unknownItems(c, version, path: here) }
        return out
    }

    @Test(arguments: ProtocolVersion.supported)
    func getAttributesOfEveryObjectTypeSpeaksTheClientsVersion(version: ProtocolVersion) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        var uids = [String]()
        let key = await engine.execute(Req.message(version, [Req.createAES(name: "v-\(version)", version)]), identity: "a", now: now)
        uids.append(try #require(key.first.uid, "\(key.first.resultMessage ?? "")"))
        let common = [Req.attr("Cryptographic Algorithm", .enumeration(CryptographicAlgorithm.rsa.rawValue)),
                      Req.attr("Cryptographic Length", .integer(2048))]
        let pairPayload: [TTLV] = version.isV2
            ? [.structure(.commonAttributes, common.map(\.v2))]
            : [.structure(.commonTemplateAttribute, common.map(\.v1))]
        let pair = await engine.execute(Req.message(version, [(.createKeyPair, pairPayload)]), identity: "a", now: now)
        let payload = try #require(pair.first.payload, "\(pair.first.resultMessage ?? "")")
        uids += [try #require(payload.first(.privateKeyUniqueIdentifier)?.text), try #require(payload.first(.publicKeyUniqueIdentifier)?.text)]
        let secret = TTLV.structure(.secretData, [TTLV(.secretDataType, .enumeration(SecretDataType.password.rawValue)),
            .structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.opaque.rawValue)),
                                   .structure(.keyValue, [TTLV(.keyMaterial, .byteString(Array("pw".utf8)))])])])
        let registered = await engine.execute(Req.message(version, [(.register, [TTLV(.objectType, .enumeration(ObjectType.secretData.rawValue))]
            + Req.attributes([Req.attr("Cryptographic Usage Mask", .integer(0))], version) + [secret])]), identity: "a", now: now)
        uids.append(try #require(registered.first.uid, "\(registered.first.resultMessage ?? "")"))

        for uid in uids {
            let r = await engine.execute(Req.message(version, [Req.uid(.getAttributes, uid)]), identity: "a", now: now)
            let body = try #require(r.first.payload, "\(r.first.resultMessage ?? "")")
            let problems = unknownItems(body, version).filter { version.isV2 ? !$0.hasSuffix("has no Attribute Index") : true }
            #expect(problems.isEmpty, "\(version): \(problems)")
            let names = Set(body.all(.attribute).compactMap { $0.first(.attributeName)?.text })
            let v2Names = Set((body.first(.attributes)?.children ?? []).compactMap { $0.tag.name })
            // KMIP 1.x §3.18: the policy applied is named for 1.x clients; 2.0 has no such attribute.
            if version.isV2 { #expect(!v2Names.contains("Operation Policy Name"), "\(v2Names)") }
            else { #expect(names.contains("Operation Policy Name") && !names.contains("Key Format Type"), "\(names)") }
        }
    }
}
