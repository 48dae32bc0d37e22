import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Re-key, Re-key Key Pair and Re-certify (KMIP 2.1 §6.1.45–6.1.47): new objects in the token that
/// take over names and attributes, dates shifted by the Offset, replacement links both ways.
@Suite struct ReplacementTests {
    let now = Int64(Date().timeIntervalSince1970)

    func attrs(_ engine: BatchExecutor, _ uid: String) async -> TTLV? {
        await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, uid)]), identity: "a", now: now).first.payload?.first(.attributes)
    }
    func links(_ a: TTLV?, _ type: LinkType) -> [String] {
        a?.all(.link).filter { $0.first(.linkType)?.enumValue == type.rawValue }.compactMap { $0.first(.linkedObjectIdentifier)?.text } ?? []
    }

    @Test func reKeyMovesTheNameShiftsDatesAndLinks() async throws {
        let (engine, token, _) = try TestHSM.makeExecutor()
        let created = await engine.execute(Req.message(.v2_1, [Req.createAES(256, name: "disk-key", extra: [
            Req.attr("Activation Date", .dateTime(now - 1000)), Req.attr("Deactivation Date", .dateTime(now + 5000))], .v2_1)]),
            identity: "a", now: now)
        let old = try #require(created.first.uid)
        let r = await engine.execute(Req.message(.v2_1, [Req.uid(.reKey, old, [TTLV(.offset, .interval(100))])]), identity: "a", now: now)
        let new = try #require(r.first.uid, "\(r.first.resultMessage ?? "")")
        let n = await attrs(engine, new), o = await attrs(engine, old)
        #expect(n?.first(.name)?.first(.nameValue)?.text == "disk-key" && o?.first(.name) == nil)
        #expect(n?.first(.activationDate)?.dateSeconds == now + 100)
        #expect(n?.first(.deactivationDate)?.dateSeconds == now + 5000 + 1100)  // shifted by AT2 - AT1
        #expect(links(n, .replacedObjectLink) == [old] && links(o, .replacementObjectLink) == [new])
        #expect(try await token.readValue(id: new) != token.readValue(id: old))
        let located = await engine.execute(Req.message(.v2_1, [(.locate, [.structure(.attributes, [Req.name("disk-key").value])])]),
                                           identity: "a", now: now)
        #expect(located.first.payload?.all(.uniqueIdentifier).compactMap(\.text) == [new])
    }

    @Test func reKeyKeyPairAndReCertify() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let pair = await engine.execute(Req.message(.v2_1, [(.createKeyPair, [
            .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.ec.rawValue)),
                                           TTLV(.cryptographicLength, .integer(256))]),
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(1)), TTLV(.extractable, .boolean(false)), Req.name("svc-key").value]),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(2)), Req.name("svc").value])])]), identity: "a", now: now)
        let priv = try #require(pair.first.payload?.first(.privateKeyUniqueIdentifier)?.text)
        let pub = try #require(pair.first.payload?.first(.publicKeyUniqueIdentifier)?.text)
        let cert = await engine.execute(Req.message(.v2_1, [(.certify, [TTLV(.uniqueIdentifier, .textString(pub)), .structure(.attributes, [
            .structure(.link, [TTLV(.linkType, .enumeration(LinkType.privateKeyLink.rawValue)), TTLV(.linkedObjectIdentifier, .textString(priv))])])])]),
            identity: "a", now: now)
        let certUID = try #require(cert.first.uid, "\(cert.first.resultMessage ?? "")")

        let again = await engine.execute(Req.message(.v2_1, [Req.uid(.reCertify, certUID)]), identity: "a", now: now)
        let newCert = try #require(again.first.uid, "\(again.first.resultMessage ?? "")")
        #expect(links(await attrs(engine, newCert), .replacedObjectLink) == [certUID])
        #expect(links(await attrs(engine, certUID), .replacementObjectLink) == [newCert])

        let rekey = await engine.execute(Req.message(.v2_1, [(.reKeyKeyPair, [TTLV(.privateKeyUniqueIdentifier, .textString(priv))])]),
                                         identity: "a", now: now)
        let newPriv = try #require(rekey.first.payload?.first(.privateKeyUniqueIdentifier)?.text, "\(rekey.first.resultMessage ?? "")")
        let newPub = try #require(rekey.first.payload?.first(.publicKeyUniqueIdentifier)?.text)
        let np = await attrs(engine, newPriv)
        #expect(links(np, .publicKeyLink) == [newPub] && links(np, .replacedObjectLink) == [priv])
        #expect(np?.first(.name)?.first(.nameValue)?.text == "svc-key" && np?.first(.extractable)?.bool == false)
        #expect(links(await attrs(engine, newPub), .privateKeyLink) == [newPriv])
        #expect(links(await attrs(engine, pub), .replacementObjectLink) == [newPub])
    }
}
