import Foundation
import HSMBackend
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Certify with the issuer key in the token (C_Sign), checked by openssl.
@Suite struct CertifyTests {
    let now = Int64(Date().timeIntervalSince1970)
    let dir = TestHSM.stateDir + "/certify-" + UUID().uuidString.prefix(6)

    @discardableResult
    static func run(_ args: [String], input: [UInt8]? = nil) throws -> (status: Int32, out: [UInt8]) {
        try OpenSSLCLI.run(args, input: input)
    }

    func keyPair(_ engine: BatchExecutor, alg: CryptographicAlgorithm, length: Int32, name: String) async throws -> (priv: String, pub: String) {
        let r = await engine.execute(Req.message(.v2_1, [(.createKeyPair, [
            .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(alg.rawValue)), TTLV(.cryptographicLength, .integer(length))]),
            // An issuer key that never leaves the token, as a CA's should.
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(1)), TTLV(.extractable, .boolean(false)), Req.name(name + "-key").value]),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(2)), Req.name(name).value])])]), identity: "a", now: now)
        let p = try #require(r.first.payload, "\(r.first.resultMessage ?? "")")
        return (try #require(p.first(.privateKeyUniqueIdentifier)?.text), try #require(p.first(.publicKeyUniqueIdentifier)?.text))
    }

    func certify(_ engine: BatchExecutor, _ payload: [TTLV], links: [(LinkType, String)], extra: [TTLV] = []) async -> ResponseMessage {
        let attrs = links.map { TTLV.structure(.link, [TTLV(.linkType, .enumeration($0.0.rawValue)), TTLV(.linkedObjectIdentifier, .textString($0.1))]) }
        return await engine.execute(Req.message(.v2_1, [(.certify, payload + [.structure(.attributes, attrs + extra)])]), identity: "a", now: now)
    }

    func activate(_ engine: BatchExecutor, _ uids: String...) async {
        for uid in uids { _ = await engine.execute(Req.message(.v2_1, [Req.uid(.activate, uid)]), identity: "a", now: now) }
    }

    func pem(_ engine: BatchExecutor, _ uid: String, _ file: String) async throws -> String {
        let g = await engine.execute(Req.message(.v2_1, [Req.uid(.get, uid)]), identity: "a", now: now)
        let der = try #require(g.first.payload?.first(.certificate)?.first(.certificateValue)?.bytes)
        let path = dir + "/" + file
        FileManager.default.createFile(atPath: path + ".der", contents: Data(der))
        try Self.run(["x509", "-inform", "DER", "-in", path + ".der", "-out", path])
        return path
    }

    @Test(arguments: [(CryptographicAlgorithm.ec, Int32(256)), (.rsa, 2048), (.ed25519, 256)])
    func caAndLeavesSignedInTheToken(alg: CryptographicAlgorithm, length: Int32) async throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (engine, token, _) = try TestHSM.makeExecutor()
        // A self-signed CA: the subject's own private key signs.
        let ca = try await keyPair(engine, alg: alg, length: length, name: "Test CA")
        let caCert = await certify(engine, [TTLV(.uniqueIdentifier, .textString(ca.pub))], links: [(.privateKeyLink, ca.priv)])
        let caUID = try #require(caCert.first.uid, "\(caCert.first.resultMessage ?? "")")
        let flags = try await token.protectionFlags(id: ca.priv)
        #expect(flags.sensitive && !flags.extractable && flags.neverExtractable)

        // A leaf for a key pair in the token, with a DNS and an IP Subject Alternative Name.
        let leaf = try await keyPair(engine, alg: alg, length: length, name: "kmip-client")
        let san = [TTLV.structure(.alternativeName, [TTLV(.alternativeNameValue, .textString("kmip.example")),
                                                     TTLV(.alternativeNameType, .enumeration(AlternativeNameType.dnsName.rawValue))]),
                   TTLV.structure(.alternativeName, [TTLV(.alternativeNameValue, .textString("10.0.0.7")),
                                                     TTLV(.alternativeNameType, .enumeration(AlternativeNameType.ipAddress.rawValue))])]
        // A CA issues only once it is Active, its certificate and its key (KMIP 2.1 §3.x: Pre-Active
        // material may not protect).
        let early = await certify(engine, [TTLV(.uniqueIdentifier, .textString(leaf.pub))], links: [(.parentLink, caUID)], extra: san)
        #expect(early.first.resultReason == .wrongKeyLifecycleState, "\(early.first.resultMessage ?? "")")
        await activate(engine, caUID)
        let keyEarly = await certify(engine, [TTLV(.uniqueIdentifier, .textString(leaf.pub))], links: [(.parentLink, caUID)], extra: san)
        #expect(keyEarly.first.resultReason == .wrongKeyLifecycleState && keyEarly.first.resultMessage?.contains("issuer key") == true)
        await activate(engine, ca.priv)
        let leafCert = await certify(engine, [TTLV(.uniqueIdentifier, .textString(leaf.pub))], links: [(.parentLink, caUID)], extra: san)
        let leafUID = try #require(leafCert.first.uid, "\(leafCert.first.resultMessage ?? "")")

        // A leaf from a PKCS#10 request made by openssl.
        try Self.run(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=storage-array/O=Example", "-addext",
                      "subjectAltName=DNS:array.example", "-keyout", dir + "/csr.key", "-out", dir + "/req.pem"])
        let csr = try Self.run(["req", "-in", dir + "/req.pem", "-outform", "DER"]).out
        let fromCSR = await certify(engine, [TTLV(.certificateRequestType, .enumeration(CertificateRequestType.pkcs10.rawValue)),
                                             TTLV(.certificateRequestValue, .byteString(csr))], links: [(.parentLink, caUID)])
        let csrUID = try #require(fromCSR.first.uid, "\(fromCSR.first.resultMessage ?? "")")

        let caPEM = try await pem(engine, caUID, "ca-\(alg).pem")
        for (uid, name) in [(leafUID, "leaf"), (csrUID, "csr")] {
            let path = try await pem(engine, uid, "\(name)-\(alg).pem")
            let verify = try Self.run(["verify", "-CAfile", caPEM, path])
            #expect(verify.status == 0, "\(String(decoding: verify.out, as: UTF8.self))")
            let text = String(decoding: try Self.run(["x509", "-in", path, "-noout", "-text"]).out, as: UTF8.self)
            #expect(text.contains("TLS Web Server Authentication") && text.contains("TLS Web Client Authentication"), "\(text)")
            #expect(text.contains("X509v3 Subject Key Identifier") && text.contains("X509v3 Authority Key Identifier"))
            #expect(text.contains(name == "leaf" ? "DNS:kmip.example, IP Address:10.0.0.7" : "DNS:array.example"), "\(text)")
        }
        // The public key links to its certificate, the certificate to its key and issuer.
        let attrs = await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, leafUID)]), identity: "a", now: now)
        let links = attrs.first.payload?.first(.attributes)?.all(.link).compactMap { $0.first(.linkedObjectIdentifier)?.text } ?? []
        #expect(Set(links) == [leaf.pub, caUID])
        let keyAttrs = await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, leaf.pub)]), identity: "a", now: now)
        #expect(keyAttrs.first.payload?.first(.attributes)?.all(.link).compactMap { $0.first(.linkedObjectIdentifier)?.text }.contains(leafUID) == true)
    }

    @Test func badRequestsLeaveNothingBehind() async throws {
        let (engine, token, store) = try TestHSM.makeExecutor()
        let ca = try await keyPair(engine, alg: .ec, length: 256, name: "CA")
        let caUID = try #require(await certify(engine, [TTLV(.uniqueIdentifier, .textString(ca.pub))], links: [(.privateKeyLink, ca.priv)]).first.uid)
        await activate(engine, caUID, ca.priv)
        let leaf = try await keyPair(engine, alg: .ec, length: 256, name: "leaf")
        let before = try await token.allIDs()

        let garbage = await certify(engine, [TTLV(.certificateRequestType, .enumeration(CertificateRequestType.pkcs10.rawValue)),
                                             TTLV(.certificateRequestValue, .byteString([0x30, 0x03, 1, 2, 3]))], links: [(.parentLink, caUID)])
        #expect(garbage.first.resultReason == .invalidCSR)
        let noIssuer = await certify(engine, [TTLV(.uniqueIdentifier, .textString(leaf.pub))], links: [])
        #expect(noIssuer.first.resultReason == .invalidField)
        let notOwnKey = await certify(engine, [TTLV(.uniqueIdentifier, .textString(leaf.pub))], links: [(.privateKeyLink, ca.priv)])
        #expect(notOwnKey.first.resultReason == .invalidField)
        // A revoked issuer key may not sign any more.
        _ = await engine.execute(Req.message(.v2_1, [Req.uid(.revoke, ca.priv, [.structure(.revocationReason, [
            TTLV(.revocationReasonCode, .enumeration(RevocationReasonCode.keyCompromise.rawValue))])])]), identity: "a", now: now)
        let revoked = await certify(engine, [TTLV(.uniqueIdentifier, .textString(leaf.pub))], links: [(.parentLink, caUID)])
        #expect(revoked.first.resultReason == .wrongKeyLifecycleState, "\(revoked.first.resultMessage ?? "")")
        #expect(revoked.first.resultMessage?.contains("Compromised") == true)
        #expect(try await token.allIDs() == before)
        #expect(try await store.pendingUIDs().isEmpty)
    }

    @Test func anIssuerWithoutItsKeyInTheTokenIsRefused() async throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (engine, token, _) = try TestHSM.makeExecutor()
        // A CA certificate registered on its own: its private key is a file somewhere, not in the token.
        try Self.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
                      "-subj", "/CN=Outside CA", "-keyout", dir + "/outside.key", "-outform", "DER", "-out", dir + "/outside.der"])
        let der = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/outside.der")))
        let reg = await engine.execute(Req.message(.v2_1, [(.register, [TTLV(.objectType, .enumeration(ObjectType.certificate.rawValue)),
            .structure(.attributes, []), .structure(.certificate, [TTLV(.certificateType, .enumeration(CertificateType.x509.rawValue)),
                                                                   TTLV(.certificateValue, .byteString(der))])])]), identity: "a", now: now)
        let outside = try #require(reg.first.uid)
        await activate(engine, outside)
        let attrs = await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, outside)]), identity: "a", now: now)
        #expect(attrs.first.payload?.first(.attributes)?.first(.x509CertificateIdentifier)?.first(.certificateSerialNumber) != nil)
        let leaf = try await keyPair(engine, alg: .ec, length: 256, name: "orphan")
        let before = try await token.allIDs()
        let r = await certify(engine, [TTLV(.uniqueIdentifier, .textString(leaf.pub))], links: [(.parentLink, outside)])
        #expect(r.first.resultReason == .invalidField && r.first.resultMessage?.contains("no private key in the token") == true,
                "\(r.first.resultMessage ?? "")")
        #expect(try await token.allIDs() == before)
    }

    @Test func anExpiredIssuerMayNotSign() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let ca = try await keyPair(engine, alg: .ec, length: 256, name: "Old CA")
        let caUID = try #require(await certify(engine, [TTLV(.uniqueIdentifier, .textString(ca.pub))], links: [(.privateKeyLink, ca.priv)]).first.uid)
        await activate(engine, caUID, ca.priv)
        let leaf = try await keyPair(engine, alg: .ec, length: 256, name: "late")
        // Twenty years on, the CA certificate (ten years) has expired.
        let later = now + 20 * 365 * 86400
        let r = await engine.execute(Req.message(.v2_1, [(.certify, [TTLV(.uniqueIdentifier, .textString(leaf.pub)), .structure(.attributes, [
            .structure(.link, [TTLV(.linkType, .enumeration(LinkType.parentLink.rawValue)), TTLV(.linkedObjectIdentifier, .textString(caUID))])])])]),
            identity: "a", now: later)
        #expect(r.first.resultReason == .wrongKeyLifecycleState && r.first.resultMessage?.contains("expired") == true, "\(r.first.resultMessage ?? "")")
    }

    /// The issuer key must allow signing and be before its Protect Stop Date.
    @Test func anIssuerKeyThatMayNotSignIsRefused() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let ca = try await keyPair(engine, alg: .ec, length: 256, name: "Stopping CA")
        let caUID = try #require(await certify(engine, [TTLV(.uniqueIdentifier, .textString(ca.pub))], links: [(.privateKeyLink, ca.priv)]).first.uid)
        await activate(engine, caUID, ca.priv)
        let leaf = try await keyPair(engine, alg: .ec, length: 256, name: "leaf")
        _ = await engine.execute(Req.message(.v2_1, [Req.uid(.setAttribute, ca.priv, [.structure(.newAttribute, [TTLV(.protectStopDate, .dateTime(now + 10))])])]),
                                 identity: "a", now: now)
        let r = await engine.execute(Req.message(.v2_1, [(.certify, [TTLV(.uniqueIdentifier, .textString(leaf.pub)), .structure(.attributes, [
            .structure(.link, [TTLV(.linkType, .enumeration(LinkType.parentLink.rawValue)), TTLV(.linkedObjectIdentifier, .textString(caUID))])])])]),
            identity: "a", now: now + 60)
        #expect(r.first.resultReason == .wrongKeyLifecycleState && r.first.resultMessage?.contains("Protect Stop Date") == true, "\(r.first.resultMessage ?? "")")
        // A key whose usage mask does not allow signing may not certify itself either.
        let noSign = await engine.execute(Req.message(.v2_1, [(.createKeyPair, [
            .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.ec.rawValue)), TTLV(.cryptographicLength, .integer(256))]),
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMaskBits.decrypt.rawValue)))]),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(2)), Req.name("no-sign").value])])]), identity: "a", now: now).first.payload
        let priv = try #require(noSign?.first(.privateKeyUniqueIdentifier)?.text), pub = try #require(noSign?.first(.publicKeyUniqueIdentifier)?.text)
        let selfSigned = await certify(engine, [TTLV(.uniqueIdentifier, .textString(pub))], links: [(.privateKeyLink, priv)])
        #expect(selfSigned.first.resultReason == .incompatibleCryptographicUsageMask, "\(selfSigned.first.resultMessage ?? "") \(selfSigned.first.resultReason?.name ?? "")")
    }

    @Test func formatsAnObjectCannotTakeAreRefused() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let pair = try await keyPair(engine, alg: .rsa, length: 2048, name: "fmt")
        for format: KeyFormatType in [.pkcs8, .transparentECPublicKey, .raw] {
            let r = await engine.execute(Req.message(.v2_1, [Req.uid(.get, pair.pub, [TTLV(.keyFormatType, .enumeration(format.rawValue))])]),
                                         identity: "a", now: now)
            #expect(r.first.resultReason == .keyFormatTypeNotSupported, "\(format)")
        }
    }
}
