import CPKCS11
import KMIP
import KMIPEngine
import PKCS11

/// What the token can do, as it says itself (C_GetMechanismList, read once when the token opens).
/// A request that needs a mechanism the token lacks is answered Feature Not Supported naming the
/// mechanism, before any call; Query's server information lists what is there.
public struct TokenMechanisms: Sendable {
    public let available: Set<UInt>
    /// The profile's name, for messages ("openCryptoki soft token has no CKM_AES_GCM").
    let tokenName: String
    /// C_Verify return codes that mean "does not verify" on this token besides the standard two
    /// (the profile's `signatureInvalidReturnCodes`, by name), read once.
    let invalidSignatureCodes: Set<UInt>

    public init(_ list: [UInt], tokenName: String, invalidSignatureCodes names: [String] = []) {
        available = Set(list); self.tokenName = tokenName
        invalidSignatureCodes = Set(names.compactMap(ReturnValue.value(named:)))
    }

    public func has(_ t: MechanismType) -> Bool { available.contains(t.rawValue) }

    /// `m` itself when the token has its mechanism.
    func require(_ m: Mechanism) throws(EngineError) -> Mechanism {
        guard has(m.type) else { throw EngineError(.featureNotSupported, "the token (\(tokenName)) has no \(m.type.name)") }
        return m
    }

    /// Kinds of work, each offered when the token has its mechanism: what Query's server information
    /// reports, so a client sees this token's abilities rather than another's.
    static let families: [(String, [MechanismType])] = [
        ("AES", [.aesKeyGen]), ("3DES", [.des3KeyGen]), ("HMAC-SHA2", [.sha256Hmac]),
        ("AES-ECB", [.aesEcb]), ("AES-CBC", [.aesCbc]), ("AES-CTR", [.aesCtr]), ("AES-GCM", [.aesGcm]),
        ("AES-CMAC", [.aesCmac]), ("AES key wrap", [.aesKeyWrap]), ("3DES-CBC", [.des3Cbc]),
        ("RSA PKCS#1 v1.5", [.rsaPkcs]), ("RSA-OAEP", [.rsaPkcsOaep]), ("RSA-PSS", [.rsaPkcsPss]),
        ("ECDSA", [.ecdsa]), ("ECDH", [.ecdh1Derive]), ("Ed25519", [.eddsa]),
    ]

    /// "AES, 3DES, …" for what the token has, and what it lacks.
    public var summary: (has: [String], lacks: [String]) {
        var has = [String](), lacks = [String]()
        for (name, needs) in Self.families { if needs.allSatisfy(self.has) { has.append(name) } else { lacks.append(name) } }
        return (has, lacks)
    }
}

extension PKCS11Token {
    /// The mechanism of a signature as this token can make it: the hash-and-sign mechanism when it has
    /// one; otherwise (openCryptoki lacks CKM_SHA256_RSA_PKCS and the SHA-2 PSS ones) the digest is made
    /// with C_Digest in the token and signed with CKM_RSA_PKCS over its DigestInfo, or CKM_RSA_PKCS_PSS.
    func signing(_ mechanism: SigningMechanism) throws(EngineError) -> (Mechanism, prehash: (Mechanism, prefix: [UInt8])?) {
        let m = try Self.plan(mechanism)
        if mechanisms.has(m.type) { return (m, nil) }
        switch mechanism {
        case .rsaPKCS1(let h) where mechanisms.has(.rsaPkcs):
            let digest = try mechanisms.require(Mechanism(try Self.hashMechanism(h)))
            return (Mechanism(.rsaPkcs), (digest, try DigestInfo.prefix(h)))
        case .rsaPSS(let h, _) where mechanisms.has(.rsaPkcsPss):
            let digest = try mechanisms.require(Mechanism(try Self.hashMechanism(h)))
            return (Mechanism(.rsaPkcsPss, m.parameter), (digest, []))
        default:
            return (try mechanisms.require(m), nil)
        }
    }

    public func sign(id: String, mechanism: SigningMechanism, data: [UInt8]) async throws(EngineError) -> [UInt8] {
        let (m, prehash) = try signing(mechanism)
        return try await call(objects: id) { (s, h) throws(PKCS11Error) in
            guard let prehash else { return try s.sign(m, key: h[0], data) }
            return try s.sign(m, key: h[0], prehash.prefix + s.digest(prehash.0, data))
        }
    }

    public func verify(id: String, mechanism: SigningMechanism, data: [UInt8], signature: [UInt8]) async throws(EngineError) -> Bool {
        let (m, prehash) = try signing(mechanism)
        let alsoInvalid = mechanisms.invalidSignatureCodes
        return try await call(objects: id) { (s, h) throws(PKCS11Error) in
            guard let prehash else { return try s.verify(m, key: h[0], data, signature: signature, alsoInvalid: alsoInvalid) }
            return try s.verify(m, key: h[0], prehash.prefix + s.digest(prehash.0, data), signature: signature, alsoInvalid: alsoInvalid)
        }
    }
}
