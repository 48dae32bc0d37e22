import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Register and Get of RSA keys and X.509 certificates, checked against keys and certificates the
/// openssl command line made (an independent implementation of the DER formats).
@Suite struct AsymmetricObjectTests {
    let now = Int64(Date().timeIntervalSince1970)

    static func openssl(_ args: [String], input: [UInt8]? = nil) throws -> [UInt8] {
        try OpenSSLCLI.output(args, input: input)
    }

    func register(_ engine: BatchExecutor, _ type: ObjectType, _ tag: KMIP.Tag, format: KeyFormatType, material: [UInt8]) async -> ResponseMessage {
        let block = TTLV.structure(tag, [.structure(.keyBlock, [
            TTLV(.keyFormatType, .enumeration(format.rawValue)), .structure(.keyValue, [TTLV(.keyMaterial, .byteString(material))]),
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.rsa.rawValue)), TTLV(.cryptographicLength, .integer(2048))])])
        return await engine.execute(Req.message(.v2_1, [(.register, [TTLV(.objectType, .enumeration(type.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(1))]), block])]), identity: "a", now: now)
    }

    func get(_ engine: BatchExecutor, _ uid: String, _ format: KeyFormatType) async -> TTLV? {
        let r = await engine.execute(Req.message(.v2_1, [Req.uid(.get, uid, [TTLV(.keyFormatType, .enumeration(format.rawValue))])]),
                                     identity: "a", now: now)
        return r.first.payload?.children.last?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)
    }

    @Test func rsaPrivateKeyRoundTripsThroughEveryFormat() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let generated = try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-outform", "DER"])
        let pkcs8 = try Self.openssl(["pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-outform", "DER"], input: generated)
        let pkcs1 = try Self.openssl(["rsa", "-inform", "DER", "-outform", "DER", "-traditional"], input: pkcs8)
        #expect(pkcs8 != pkcs1)
        let r = await register(engine, .privateKey, .privateKey, format: .pkcs8, material: pkcs8)
        let uid = try #require(r.first.uid, "\(r.first.resultMessage ?? "")")
        #expect(await get(engine, uid, .pkcs8)?.bytes == pkcs8)
        #expect(await get(engine, uid, .pkcs1)?.bytes == pkcs1)
        let transparent = try #require(await get(engine, uid, .transparentRSAPrivateKey))
        let modulusHex = String(decoding: try Self.openssl(["rsa", "-inform", "DER", "-noout", "-modulus"], input: pkcs8), as: UTF8.self)
            .replacingOccurrences(of: "Modulus=", with: "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let modulus = AsymmetricKey.magnitude(try #require(transparent.first(.modulus)?.bytes))
        #expect(modulus.map { String(format: "%02x", $0) }.joined() == modulusHex)
    }

    /// Real clients label PKCS#1 bytes PKCS#8 and DER Raw: the bytes are accepted when one DER form of
    /// the key parses whole, and a Get naming no format returns what was registered, label and bytes.
    @Test func mislabelledDERIsAcceptedAndReturnedAsRegistered() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let generated = try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-outform", "DER"])
        let pkcs8 = try Self.openssl(["pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-outform", "DER"], input: generated)
        let pkcs1 = try Self.openssl(["rsa", "-inform", "DER", "-outform", "DER", "-traditional"], input: pkcs8)
        let spki = try Self.openssl(["pkey", "-inform", "DER", "-pubout", "-outform", "DER"], input: generated)
        for (type, tag, label, bytes) in [(ObjectType.privateKey, KMIP.Tag.privateKey, KeyFormatType.pkcs8, pkcs1),
                                          (.privateKey, .privateKey, .raw, pkcs8), (.publicKey, .publicKey, .raw, spki)] {
            let r = await register(engine, type, tag, format: label, material: bytes)
            let uid = try #require(r.first.uid, "\(label): \(r.first.resultMessage ?? "")")
            let got = await engine.execute(Req.message(.v1_2, [Req.uid(.get, uid)]), identity: "a", now: now)
            let block = got.first.payload?.children.last?.first(.keyBlock)
            #expect(block?.first(.keyFormatType)?.enumValue == label.rawValue)
            #expect(block?.first(.keyValue)?.first(.keyMaterial)?.bytes == bytes)
            if type == .privateKey { #expect(await get(engine, uid, .pkcs8)?.bytes == pkcs8) }
            // The record of the real encoding is the server's: a client cannot change or delete it.
            let modify = await engine.execute(Req.message(.v1_4, [(.modifyAttribute, [TTLV(.uniqueIdentifier, .textString(uid)),
                Req.attr("x-kmipd-key-encoding", .textString("PKCS_1")).v1])]), identity: "a", now: now)
            #expect(modify.first.resultStatus == .operationFailed)
        }
        // Bytes that are no DER form of a key are still refused.
        var broken = pkcs1
        broken.append(0)
        let refused = await register(engine, .privateKey, .privateKey, format: .pkcs8, material: broken)
        #expect(refused.first.resultReason == .invalidField)
    }

    /// Elliptic-curve keys in every form a client registers them (PKCS#8, SEC1 ECPrivateKey, X.509
    /// SubjectPublicKeyInfo, Transparent EC) on the NIST curves, returned in each form on Get.
    @Test(arguments: ["P-256", "P-384", "P-521"])
    func ecKeysRoundTrip(curve: String) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let generated = try Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-outform", "DER"])
        let pkcs8 = try Self.openssl(["pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-outform", "DER"], input: generated)
        let sec1 = try Self.openssl(["ec", "-inform", "DER", "-outform", "DER"], input: pkcs8)
        let spki = try Self.openssl(["pkey", "-inform", "DER", "-pubout", "-outform", "DER"], input: pkcs8)
        func reg(_ type: ObjectType, _ tag: KMIP.Tag, _ format: KeyFormatType, _ bytes: [UInt8]) async throws -> String {
            let block = TTLV.structure(tag, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(format.rawValue)),
                .structure(.keyValue, [TTLV(.keyMaterial, .byteString(bytes))]),
                TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.ec.rawValue))])])
            let r = await engine.execute(Req.message(.v2_1, [(.register, [TTLV(.objectType, .enumeration(type.rawValue)),
                .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(type == .privateKey ? 1 : 2))]), block])]), identity: "a", now: now)
            return try #require(r.first.uid, "\(curve) \(format): \(r.first.resultMessage ?? "")")
        }
        let p8 = try await reg(.privateKey, .privateKey, .pkcs8, pkcs8)
        #expect(await get(engine, p8, .pkcs8)?.bytes == pkcs8)
        #expect(await get(engine, p8, .eCPrivateKey)?.bytes != nil)
        let s1 = try await reg(.privateKey, .privateKey, .eCPrivateKey, sec1)
        #expect(await get(engine, s1, .pkcs8)?.bytes == pkcs8)
        let pub = try await reg(.publicKey, .publicKey, .x509, spki)
        #expect(await get(engine, pub, .x509)?.bytes == spki)
        let transparent = try #require(await get(engine, pub, .transparentECPublicKey))
        let q = try #require(transparent.first(.qString)?.bytes)
        let t = TTLV.structure(.publicKey, [.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.transparentECPublicKey.rawValue)),
            .structure(.keyValue, [transparent]), TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.ec.rawValue))])])
        let r = await engine.execute(Req.message(.v2_1, [(.register, [TTLV(.objectType, .enumeration(ObjectType.publicKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(2))]), t])]), identity: "a", now: now)
        let tuid = try #require(r.first.uid, "\(r.first.resultMessage ?? "")")
        #expect(await get(engine, tuid, .x509)?.bytes == spki)
        #expect(q.first == 4)
    }

    @Test func rsaPublicKeyAsSPKIAndPKCS1() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let key = try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-outform", "DER"])
        let spki = try Self.openssl(["pkey", "-inform", "DER", "-pubout", "-outform", "DER"], input: key)
        let r = await register(engine, .publicKey, .publicKey, format: .x509, material: spki)
        let uid = try #require(r.first.uid, "\(r.first.resultMessage ?? "")")
        #expect(await get(engine, uid, .x509)?.bytes == spki)
        let pkcs1 = try Self.openssl(["rsa", "-pubin", "-inform", "DER", "-RSAPublicKey_out", "-outform", "DER"], input: spki)
        #expect(await get(engine, uid, .pkcs1)?.bytes == pkcs1)
        // Garbage is Invalid Field, not a crash.
        let bad = await register(engine, .publicKey, .publicKey, format: .x509, material: [0x30, 0x03, 0x02, 0x01])
        #expect(bad.first.resultReason == .invalidField)
    }

    @Test func certificatesAreStoredWithTheirFieldsAsAttributes() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let dir = TestHSM.stateDir + "/cert-" + UUID().uuidString.prefix(6)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Tape Library/O=Example",
                              "-keyout", dir + "/k.pem", "-out", dir + "/c.pem"])
        let der = try Self.openssl(["x509", "-in", dir + "/c.pem", "-outform", "DER"])
        let r = await engine.execute(Req.message(.v2_1, [(.register, [TTLV(.objectType, .enumeration(ObjectType.certificate.rawValue)),
            .structure(.attributes, []), .structure(.certificate, [TTLV(.certificateType, .enumeration(CertificateType.x509.rawValue)),
                                                                   TTLV(.certificateValue, .byteString(der))])])]), identity: "a", now: now)
        let uid = try #require(r.first.uid, "\(r.first.resultMessage ?? "")")
        let got = await engine.execute(Req.message(.v2_1, [Req.uid(.get, uid)]), identity: "a", now: now)
        #expect(got.first.payload?.first(.certificate)?.first(.certificateValue)?.bytes == der)
        let attrs = await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, uid)]), identity: "a", now: now)
        let a = try #require(attrs.first.payload?.first(.attributes))
        #expect(a.first(.certificateSubjectCN)?.text == "Tape Library")
        #expect(a.first(.certificateSubjectO)?.text == "Example")
        #expect(a.first(.certificateLength)?.int32 == Int32(der.count))
        #expect(a.first(.digitalSignatureAlgorithm)?.enumValue == DigitalSignatureAlgorithm.sha256WithRSAEncryption.rawValue)
        let modify = await engine.execute(Req.message(.v2_1, [Req.uid(.modifyAttribute, uid, [.structure(.newAttribute, [
            TTLV(.certificateLength, .integer(1))])])]), identity: "a", now: now)
        #expect(modify.first.resultReason == .attributeReadOnly)
    }

    /// A certificate swift-certificates cannot parse whole (here: two Subject Key Identifier extensions,
    /// the Authority Key Identifier's OID rewritten) is still stored and returned byte for byte, with the
    /// attributes its outline gives; garbage is refused.
    @Test func anUnusualCertificateIsKeptByteExact() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let dir = TestHSM.stateDir + "/cert-" + UUID().uuidString.prefix(6)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                              "-subj", "/CN=Odd", "-keyout", dir + "/k.pem", "-out", dir + "/c.pem"])
        var der = try Self.openssl(["x509", "-in", dir + "/c.pem", "-outform", "DER"])
        let aki: [UInt8] = [0x06, 0x03, 0x55, 0x1D, 0x23]
        let at = try #require((0...(der.count - 5)).first { Array(der[$0..<$0 + 5]) == aki })
        der[at + 4] = 0x0E
        func register(_ bytes: [UInt8]) async -> ResponseBatchItem {
            await engine.execute(Req.message(.v2_1, [(.register, [TTLV(.objectType, .enumeration(ObjectType.certificate.rawValue)),
                .structure(.attributes, []), .structure(.certificate, [TTLV(.certificateType, .enumeration(CertificateType.x509.rawValue)),
                                                                       TTLV(.certificateValue, .byteString(bytes))])])]), identity: "a", now: now).first
        }
        let r = await register(der)
        let uid = try #require(r.uid, "\(r.resultMessage ?? "")")
        let got = await engine.execute(Req.message(.v2_1, [Req.uid(.get, uid)]), identity: "a", now: now)
        #expect(got.first.payload?.first(.certificate)?.first(.certificateValue)?.bytes == der)
        let attrs = await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, uid)]), identity: "a", now: now)
        let a = try #require(attrs.first.payload?.first(.attributes))
        #expect(a.first(.x509CertificateIdentifier)?.first(.certificateSerialNumber)?.bytes?.isEmpty == false)
        #expect(a.first(.certificateLength)?.int32 == Int32(der.count))
        #expect(a.first(.x509CertificateSubject)?.first(.subjectDistinguishedName)?.bytes?.isEmpty == false)
        #expect(a.first(.certificateSubjectCN) == nil, "the outline reads no name fields")
        #expect(await register(Array("not a certificate".utf8)).resultReason == .invalidField)
    }
}
