import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Create Key Pair (KMIP 2.1 §6.1.9) generated in a real SoftHSM2 token.
@Suite struct CreateKeyPairTests {
    let now = Int64(Date().timeIntervalSince1970)

    func createPair(_ engine: BatchExecutor, alg: CryptographicAlgorithm, length: Int32, _ v: ProtocolVersion = .v2_1,
                    privateExtra: [TTLV] = []) async -> ResponseMessage {
        let common: [TTLV] = [TTLV(.cryptographicAlgorithm, .enumeration(alg.rawValue)), TTLV(.cryptographicLength, .integer(length))]
        return await engine.execute(Req.message(v, [(.createKeyPair, [
            .structure(.commonAttributes, common),
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(1))] + privateExtra),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(2))])])]), identity: "a", now: now)
    }

    @Test(arguments: [(CryptographicAlgorithm.rsa, Int32(2048)), (.ec, 256), (.ec, 384), (.ecdsa, 521), (.ed25519, 256)])
    func pairsAreLinkedAndThePrivateHalfStaysInTheToken(alg: CryptographicAlgorithm, length: Int32) async throws {
        let (engine, token, _) = try TestHSM.makeExecutor()
        let r = await createPair(engine, alg: alg, length: length, privateExtra: [TTLV(.extractable, .boolean(false))])
        let priv = try #require(r.first.payload?.first(.privateKeyUniqueIdentifier)?.text, "\(r.first.resultMessage ?? "")")
        let pub = try #require(r.first.payload?.first(.publicKeyUniqueIdentifier)?.text)
        let attrs = await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, priv)]), identity: "a", now: now)
        let a = try #require(attrs.first.payload?.first(.attributes))
        #expect(a.first(.link)?.first(.linkedObjectIdentifier)?.text == pub)
        #expect(a.first(.extractable)?.bool == false && a.first(.sensitive)?.bool == true)
        #expect(a.first(.cryptographicLength)?.int32 == length)
        #expect(a.first(.digest)?.first(.digestValue) == nil)  // the server cannot see the material
        // Get of the private key is refused, Not Extractable before Sensitive; the token refuses to read it too.
        let get = await engine.execute(Req.message(.v2_1, [Req.uid(.get, priv)]), identity: "a", now: now)
        #expect(get.first.resultReason == .notExtractable)
        let get12 = await engine.execute(Req.message(.v1_2, [Req.uid(.get, priv)]), identity: "a", now: now)
        #expect(get12.first.resultReason == .permissionDenied)
        await #expect(throws: EngineError.self) { try await token.readValue(id: priv) }
        // The public half comes out in its formats.
        for format: KeyFormatType in (alg == .rsa ? [.pkcs1, .x509, .transparentRSAPublicKey] : alg == .ed25519 ? [.x509] : [.x509, .transparentECPublicKey]) {
            let g = await engine.execute(Req.message(.v2_1, [Req.uid(.get, pub, [TTLV(.keyFormatType, .enumeration(format.rawValue))])]),
                                         identity: "a", now: now)
            #expect(g.first.resultStatus == .success, "\(format): \(g.first.resultMessage ?? "")")
        }
        let pubAttrs = await engine.execute(Req.message(.v2_1, [Req.uid(.getAttributes, pub)]), identity: "a", now: now)
        #expect(pubAttrs.first.payload?.first(.attributes)?.first(.digest)?.first(.digestValue)?.bytes?.count == 32)
    }

    /// KMIP 2.1 §4.23: Extractable is True when the client does not say; the policy can keep
    /// generated private keys in the token instead.
    @Test(arguments: [true, false])
    func privateKeyExtractableDefaultFollowsThePolicy(extractable: Bool) async throws {
        var defaults = ServerDefaults()
        defaults.privateKeysExtractableByDefault = extractable
        let (engine, _, _) = try TestHSM.makeExecutor(defaults: defaults)
        let r = await createPair(engine, alg: .ec, length: 256)
        let priv = try #require(r.first.payload?.first(.privateKeyUniqueIdentifier)?.text)
        let get = await engine.execute(Req.message(.v1_2, [Req.uid(.get, priv)]), identity: "a", now: now)
        #expect(get.first.resultStatus == (extractable ? .success : .operationFailed), "\(get.first.resultMessage ?? "")")
    }

    @Test func extractableWhenAskedAndRefusedCurves() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let r = await createPair(engine, alg: .rsa, length: 2048, privateExtra: [TTLV(.extractable, .boolean(true))])
        let priv = try #require(r.first.payload?.first(.privateKeyUniqueIdentifier)?.text)
        let get = await engine.execute(Req.message(.v2_1, [Req.uid(.get, priv, [TTLV(.keyFormatType, .enumeration(KeyFormatType.pkcs8.rawValue))])]),
                                       identity: "a", now: now)
        #expect(get.first.resultStatus == .success)
        let bad = await createPair(engine, alg: .ec, length: 163)
        #expect(bad.first.resultReason == .featureNotSupported)
        let weak = await createPair(engine, alg: .rsa, length: 1024)
        #expect(weak.first.resultReason == .invalidField)
    }
}
