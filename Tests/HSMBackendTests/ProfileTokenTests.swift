import Foundation
@testable import HSMBackend
import KMIP
import KMIPEngine
import KMIPTestSupport
import PKCS11
import Testing

/// What a tested HSM profile promises, checked on its token (`TestHSM.profiles`): the mechanisms it
/// lacks are the ones measured, its PINs were set as it demands, data objects and signatures behave,
/// and Query tells clients this token's abilities.
@Suite struct ProfileTokenTests {
    /// Mechanisms kmipd uses; a tested token has each unless `TestHSM.lacking` says it was measured absent.
    static let used: [MechanismType] = [.aesKeyGen, .des3KeyGen, .genericSecretKeyGen, .rsaPkcsKeyPairGen, .aesEcb, .aesCbc, .aesCbcPad,
                                        .des3Cbc, .rsaPkcs, .rsaPkcsOaep, .rsaPkcsPss, .sha256, .sha256Hmac, .aesGcm, .aesCtr, .aesCmac,
                                        .aesKeyWrap, .ecKeyPairGen, .ecEdwardsKeyPairGen, .ecdsa, .eddsa, .ecdh1Derive]

    @Test(arguments: TestHSM.profiles) func theTokenHasWhatTheProfileSays(profile: String) throws {
        let token = try TestHSM.makeToken(profile: profile)
        for m in Self.used {
            #expect(token.mechanisms.has(m) == !TestHSM.lacks(profile, m.name), "\(profile): \(m.name)")
        }
        // The profile's key generation list is the token's.
        for name in token.profile.mechanisms.keyGeneration {
            #expect(token.mechanisms.available.contains { MechanismType(rawValue: $0).name == name }, "\(profile) lists \(name)")
        }
        // PINs were set the way the token wants: nothing is left "to be changed".
        let info = try #require(try token.module.tokens().first { $0.slot == token.slot })
        #expect(!info.userPINToBeChanged && !info.soPINToBeChanged, "\(profile): a PIN still to be changed")
    }

    /// Secret Data and Opaque Objects are CKO_DATA objects; openCryptoki, like SoftHSM2, refuses
    /// CKA_ID on them (CKR_TEMPLATE_INCONSISTENT), so the UID goes in CKA_LABEL and is found after a restart.
    @Test(arguments: TestHSM.profiles) func dataObjectsRoundTripAndAreFoundAgain(profile: String) async throws {
        let token = try TestHSM.makeToken(profile: profile)
        let id = UUID().uuidString.lowercased()
        try await token.storeData(id: id, label: "data \(id)", bytes: Array("opaque".utf8))
        #expect(try await token.readValue(id: id) == Array("opaque".utf8))
        let again = try PKCS11Token(profile: token.profile, pin: profile == "softhsm2" ? TestHSM.pin : "t3st-pin")
        #expect(try await again.readValue(id: id) == Array("opaque".utf8))
        try await token.destroy(id: id)
    }

    /// A signature that cannot verify is Invalid, never an error: openCryptoki answers C_Verify with
    /// CKR_FUNCTION_FAILED for a signature whose value is not below the modulus.
    @Test(arguments: TestHSM.profiles) func badSignaturesAreInvalid(profile: String) async throws {
        let token = try TestHSM.makeToken(profile: profile)
        let priv = UUID().uuidString.lowercased(), pub = UUID().uuidString.lowercased()
        _ = try await token.generateKeyPair(privateID: priv, publicID: pub, spec: KeyPairSpec(
            kind: .rsa(bits: 2048, publicExponent: [1, 0, 1]), privateExtractable: false, privateUsage: [.sign], publicUsage: [.verify],
            privateLabel: "p", publicLabel: "q"))
        let data = Array("message".utf8)
        for mechanism in [SigningMechanism.rsaPKCS1(.sha256), .rsaPSS(.sha256, saltLength: 32)] {
            let signature = try await token.sign(id: priv, mechanism: mechanism, data: data)
            #expect(try await token.verify(id: pub, mechanism: mechanism, data: data, signature: signature), "\(mechanism)")
            var flipped = signature; flipped[10] ^= 1
            #expect(try await !token.verify(id: pub, mechanism: mechanism, data: data, signature: flipped), "\(mechanism)")
            let huge = [UInt8](repeating: 0xFF, count: signature.count)
            #expect(try await !token.verify(id: pub, mechanism: mechanism, data: data, signature: huge), "\(mechanism), above the modulus")
        }
        for id in [priv, pub] { try await token.destroy(id: id) }
    }

    /// Query's server information reports this token's abilities, not another token's.
    @Test(arguments: TestHSM.profiles) func queryReportsTheTokensMechanisms(profile: String) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor(profile: profile)
        let r = await engine.execute(Req.message(.v2_1, [(.query, [TTLV(.queryFunction, .enumeration(QueryFunction.queryServerInformation.rawValue))])]),
                                     identity: "a", now: Int64(Date().timeIntervalSince1970))
        let info = try #require(r.first.payload?.first(.serverInformation)?.first(.serverName)?.text, "\(r.first.resultMessage ?? "")")
        let lacks = info.components(separatedBy: "; lacks ").dropFirst().first ?? ""
        #expect(lacks.contains("AES-GCM") == TestHSM.lacks(profile, "CKM_AES_GCM"), "\(info)")
        #expect(lacks.contains("ECDSA") == TestHSM.lacks(profile, "CKM_ECDSA"), "\(info)")
        #expect(info.contains("RSA-OAEP") && info.contains("AES-CBC"), "\(info)")
        #expect(info.contains("EC P-256") == !TestHSM.lacks(profile, "CKM_EC_KEY_PAIR_GEN"), "\(info)")
    }

    /// Without the mechanism, the refusal names it (and nothing reaches the token).
    @Test func aMissingMechanismIsNamed() throws {
        let none = TokenMechanisms([], tokenName: "a token")
        #expect(!none.has(.aesGcm))
        #expect(none.summary.has.isEmpty && none.summary.lacks.contains("AES-GCM"))
        #expect(MechanismType.aesGcm.name == "CKM_AES_GCM" && MechanismType(rawValue: 0x8000_1234).name == "CKM 0x80001234")
        #expect(throws: EngineError.self) { try none.require(Mechanism(.aesGcm)) }
        do { _ = try none.require(Mechanism(.aesGcm)) } catch {
            #expect(error.code == .featureNotSupported && "\(error)".contains("a token") && "\(error)".contains("CKM_AES_GCM"), "\(error)")
        }
    }
}
