import CPKCS11
import KMIP
import KMIPEngine
import PKCS11

/// Cryptographic services on token keys: the engine chooses the cipher or signature, the token does
/// the work (C_Encrypt, C_Decrypt, C_Sign, C_Verify, C_Digest, C_SeedRandom).
extension PKCS11Token {
    static func hashMechanism(_ h: HashingAlgorithm) throws(EngineError) -> MechanismType {
        switch h {
        case .sha1: .sha1
        case .sha224: .sha224
        case .sha256: .sha256
        case .sha384: .sha384
        case .sha512: .sha512
        default: throw EngineError(.featureNotSupported, "hashing algorithm \(h) is not supported by the token")
        }
    }
    static func mgf(_ h: HashingAlgorithm) throws(EngineError) -> MaskGeneration {
        switch h {
        case .sha1: .mgf1sha1
        case .sha224: .mgf1sha224
        case .sha256: .mgf1sha256
        case .sha384: .mgf1sha384
        case .sha512: .mgf1sha512
        default: throw EngineError(.featureNotSupported, "MGF1 with \(h) is not supported")
        }
    }

    static func plan(_ cipher: Cipher) throws(EngineError) -> Mechanism {
        switch cipher {
        case .aesECB: return Mechanism(.aesEcb, .none)
        case .aesCBC(let iv, let pad): return Mechanism(pad ? .aesCbcPad : .aesCbc, .bytes(iv))
        case .aesCTR(let block, let bits): return Mechanism(.aesCtr, .ctr(counterBits: bits, counterBlock: block))
        case .aesGCM(let iv, let aad, let tagBits): return Mechanism(.aesGcm, .gcm(iv: iv, aad: aad, tagBits: tagBits))
        case .des3ECB: return Mechanism(.des3Ecb, .none)
        case .des3CBC(let iv, let pad): return Mechanism(pad ? .des3CbcPad : .des3Cbc, .bytes(iv))
        case .rsaPKCS1: return Mechanism(.rsaPkcs, .none)
        case .rsaOAEP(let hash, let mgfHash, let label):
            return Mechanism(.rsaPkcsOaep, .oaep(hash: try hashMechanism(hash), mgf: try mgf(mgfHash), label: label))
        }
    }

    static func plan(_ m: SigningMechanism) throws(EngineError) -> Mechanism {
        switch m {
        case .rsaPKCS1(let h):
            switch h {
            case .sha1: return Mechanism(.sha1RsaPkcs, .none)
            case .sha224: return Mechanism(.sha224RsaPkcs, .none)
            case .sha256: return Mechanism(.sha256RsaPkcs, .none)
            case .sha384: return Mechanism(.sha384RsaPkcs, .none)
            case .sha512: return Mechanism(.sha512RsaPkcs, .none)
            default: throw EngineError(.featureNotSupported, "RSA PKCS#1 v1.5 with \(h) is not supported")
            }
        case .rsaPSS(let h, let salt):
            let mech: MechanismType
            switch h {
            case .sha1: mech = .sha1RsaPkcsPss
            case .sha224: mech = .sha224RsaPkcsPss
            case .sha256: mech = .sha256RsaPkcsPss
            case .sha384: mech = .sha384RsaPkcsPss
            case .sha512: mech = .sha512RsaPkcsPss
            default: throw EngineError(.featureNotSupported, "RSA-PSS with \(h) is not supported")
            }
            return Mechanism(mech, .pss(hash: try hashMechanism(h), mgf: try mgf(h), saltLength: salt))
        case .rsaPKCS1Raw: return Mechanism(.rsaPkcs, .none)
        case .rsaRaw: return Mechanism(.rsaX509, .none)
        case .ecdsaDigest: return Mechanism(.ecdsa, .none)
        case .eddsa: return Mechanism(.eddsa, .none)
        case .hmac(let h):
            switch h {
            case .sha1: return Mechanism(.sha1Hmac, .none)
            case .sha224: return Mechanism(.sha224Hmac, .none)
            case .sha256: return Mechanism(.sha256Hmac, .none)
            case .sha384: return Mechanism(.sha384Hmac, .none)
            case .sha512: return Mechanism(.sha512Hmac, .none)
            default: throw EngineError(.featureNotSupported, "HMAC with \(h) is not supported")
            }
        case .cmac: return Mechanism(.aesCmac, .none)
        }
    }

    public func encrypt(id: String, cipher: Cipher, data: [UInt8]) async throws(EngineError) -> [UInt8] {
        let m = try mechanisms.require(Self.plan(cipher))
        return try await call(objects: id) { (s, h) throws(PKCS11Error) in try s.crypt(encrypt: true, m, key: h[0], data) }
    }

    public func decrypt(id: String, cipher: Cipher, data: [UInt8]) async throws(EngineError) -> [UInt8] {
        let m = try mechanisms.require(Self.plan(cipher))
        return try await call(objects: id) { (s, h) throws(PKCS11Error) in try s.crypt(encrypt: false, m, key: h[0], data) }
    }

    public func hash(_ algorithm: HashingAlgorithm, data: [UInt8]) async throws(EngineError) -> [UInt8] {
        let m = try mechanisms.require(Mechanism(try Self.hashMechanism(algorithm)))
        return try await call { (s) throws(PKCS11Error) in try s.digest(m, data) }
    }

    public func seedRandom(_ seed: [UInt8]) async throws(EngineError) -> Int {
        try await call { (s) throws(PKCS11Error) -> Int in
            do throws(PKCS11Error) { try s.seedRandom(seed) } catch where error.rv == UInt(CKR_RANDOM_SEED_NOT_SUPPORTED) { return 0 }
            return seed.count
        }
    }
}
