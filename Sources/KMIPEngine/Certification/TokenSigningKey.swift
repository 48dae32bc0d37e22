import Crypto
import Foundation
import KMIP
import SwiftASN1
import X509

/// A private key that stays in the token, as swift-certificates' `CustomPrivateKey`: the library hands
/// over the TBSCertificate bytes, the token signs them (RSA: hash-and-sign in the token; ECDSA: the
/// host hashes, CKM_ECDSA signs the digest, raw r‖s becomes a DER ECDSA-Sig-Value).
struct TokenSigningKey: CustomPrivateKey {
    let token: any Token
    let id: String
    let key: AsymmetricKey  // the public half, for the algorithm and curve
    let publicKey: Certificate.PublicKey

    init(token: any Token, id: String, publicHalf: AsymmetricKey) throws(EngineError) {
        self.token = token; self.id = id; self.key = publicHalf
        self.publicKey = try Self.certificatePublicKey(publicHalf)
    }

    static func certificatePublicKey(_ key: AsymmetricKey) throws(EngineError) -> Certificate.PublicKey {
        do { return try Certificate.PublicKey(derEncoded: try KeyDER.publicKeyInfo(key)) } catch {
            throw EngineError(.invalidField, "the public key cannot go into a certificate: \(error)")
        }
    }

    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm {
        switch key {
        case .ecPublic(let c, _), .ecPrivate(let c, _, _):
            switch c { case .p256: .ecdsaWithSHA256; case .p384: .ecdsaWithSHA384; case .p521: .ecdsaWithSHA512 }
        case .ed25519Public: .ed25519
        default: .sha256WithRSAEncryption
        }
    }
    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] {
        if key.algorithm == .rsa { return [.sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption] }
        if key.algorithm == .ed25519 { return [.ed25519] }
        return [.ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512]
    }

    func signSynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        throw EngineError(.generalFailure, "token keys sign asynchronously only")
    }

    func signAsynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) async throws -> Certificate.Signature {
        let data = Array(bytes)
        let signature: [UInt8]
        switch signatureAlgorithm {
        case .sha256WithRSAEncryption: signature = try await token.sign(id: id, mechanism: .rsaPKCS1(.sha256), data: data)
        case .sha384WithRSAEncryption: signature = try await token.sign(id: id, mechanism: .rsaPKCS1(.sha384), data: data)
        case .sha512WithRSAEncryption: signature = try await token.sign(id: id, mechanism: .rsaPKCS1(.sha512), data: data)
        case .ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512:
            let digest: [UInt8] = signatureAlgorithm == .ecdsaWithSHA256 ? Array(SHA256.hash(data: data))
                : signatureAlgorithm == .ecdsaWithSHA384 ? Array(SHA384.hash(data: data)) : Array(SHA512.hash(data: data))
            let raw = try await token.sign(id: id, mechanism: .ecdsaDigest, data: digest)
            signature = try Self.derECDSA(raw)
        case .ed25519:
            signature = try await token.sign(id: id, mechanism: .eddsa, data: data)
        default:
            throw EngineError(.featureNotSupported, "signature algorithm \(signatureAlgorithm) is not supported")
        }
        return try Certificate.Signature(signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: ArraySlice(signature)))
    }

    /// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } from the token's raw r‖s.
    static func derECDSA(_ raw: [UInt8]) throws -> [UInt8] {
        let half = raw.count / 2
        return try KeyDER.sequence([Array(raw[..<half]), Array(raw[half...])])
    }

    func serialize(into coder: inout DER.Serializer) throws { throw EngineError(.objectNotExtractable, "a token key cannot be exported") }
    static var defaultPEMDiscriminator: String { "PRIVATE KEY" }
    static func == (a: Self, b: Self) -> Bool { a.id == b.id }
    func hash(into h: inout Hasher) { h.combine(id) }
}

/// The DER form of a token's ECDSA signature, for code outside the engine (the TLS server key).
public enum ECDSASignature {
    public static func der(fromRaw raw: [UInt8]) throws -> [UInt8] { try TokenSigningKey.derECDSA(raw) }
}
