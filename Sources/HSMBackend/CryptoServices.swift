import CPKCS11
import KMIP
import KMIPEngine
import PKCS11

/// Cryptographic services on token keys: the engine chooses the cipher or signature, the token does
/// the work (C_Encrypt, C_Decrypt, C_Sign, C_Verify, C_Digest, C_SeedRandom).
extension PKCS11Token {
    static func hashMechanism(_ h: HashingAlgorithm) throws(EngineError) -> UInt {
        switch h {
        case .sha1: UInt(CKM_SHA_1)
        case .sha224: UInt(CKM_SHA224)
        case .sha256: UInt(CKM_SHA256)
        case .sha384: UInt(CKM_SHA384)
        case .sha512: UInt(CKM_SHA512)
        default: throw EngineError(.featureNotSupported, "hashing algorithm \(h) is not supported by the token")
        }
    }
    static func mgf(_ h: HashingAlgorithm) throws(EngineError) -> UInt {
        switch h {
        case .sha1: UInt(CKG_MGF1_SHA1)
        case .sha224: UInt(CKG_MGF1_SHA224)
        case .sha256: UInt(CKG_MGF1_SHA256)
        case .sha384: UInt(CKG_MGF1_SHA384)
        case .sha512: UInt(CKG_MGF1_SHA512)
        default: throw EngineError(.featureNotSupported, "MGF1 with \(h) is not supported")
        }
    }

    static func plan(_ cipher: Cipher) throws(EngineError) -> (UInt, MechanismParameter) {
        switch cipher {
        case .aesECB: return (UInt(CKM_AES_ECB), .none)
        case .aesCBC(let iv, let pad): return (UInt(pad ? CKM_AES_CBC_PAD : CKM_AES_CBC), .bytes(iv))
        case .aesCTR(let block, let bits): return (UInt(CKM_AES_CTR), .ctr(counterBits: bits, counterBlock: block))
        case .aesGCM(let iv, let aad, let tagBits): return (UInt(CKM_AES_GCM), .gcm(iv: iv, aad: aad, tagBits: tagBits))
        case .des3ECB: return (UInt(CKM_DES3_ECB), .none)
        case .des3CBC(let iv, let pad): return (UInt(pad ? CKM_DES3_CBC_PAD : CKM_DES3_CBC), .bytes(iv))
        case .rsaPKCS1: return (UInt(CKM_RSA_PKCS), .none)
        case .rsaOAEP(let hash, let mgfHash, let label):
            return (UInt(CKM_RSA_PKCS_OAEP), .oaep(hash: try hashMechanism(hash), mgf: try mgf(mgfHash), label: label))
        }
    }

    static func plan(_ m: SigningMechanism) throws(EngineError) -> (UInt, MechanismParameter) {
        switch m {
        case .rsaPKCS1(let h):
            switch h {
            case .sha1: return (UInt(CKM_SHA1_RSA_PKCS), .none)
            case .sha224: return (UInt(CKM_SHA224_RSA_PKCS), .none)
            case .sha256: return (UInt(CKM_SHA256_RSA_PKCS), .none)
            case .sha384: return (UInt(CKM_SHA384_RSA_PKCS), .none)
            case .sha512: return (UInt(CKM_SHA512_RSA_PKCS), .none)
            default: throw EngineError(.featureNotSupported, "RSA PKCS#1 v1.5 with \(h) is not supported")
            }
        case .rsaPSS(let h, let salt):
            let mech: UInt
            switch h {
            case .sha1: mech = UInt(CKM_SHA1_RSA_PKCS_PSS)
            case .sha224: mech = UInt(CKM_SHA224_RSA_PKCS_PSS)
            case .sha256: mech = UInt(CKM_SHA256_RSA_PKCS_PSS)
            case .sha384: mech = UInt(CKM_SHA384_RSA_PKCS_PSS)
            case .sha512: mech = UInt(CKM_SHA512_RSA_PKCS_PSS)
            default: throw EngineError(.featureNotSupported, "RSA-PSS with \(h) is not supported")
            }
            return (mech, .pss(hash: try hashMechanism(h), mgf: try mgf(h), saltLength: salt))
        case .rsaPKCS1Raw: return (UInt(CKM_RSA_PKCS), .none)
        case .rsaRaw: return (UInt(CKM_RSA_X_509), .none)
        case .ecdsaDigest: return (UInt(CKM_ECDSA), .none)
        case .eddsa: return (UInt(CKM_EDDSA), .none)
        case .hmac(let h):
            switch h {
            case .sha1: return (UInt(CKM_SHA_1_HMAC), .none)
            case .sha224: return (UInt(CKM_SHA224_HMAC), .none)
            case .sha256: return (UInt(CKM_SHA256_HMAC), .none)
            case .sha384: return (UInt(CKM_SHA384_HMAC), .none)
            case .sha512: return (UInt(CKM_SHA512_HMAC), .none)
            default: throw EngineError(.featureNotSupported, "HMAC with \(h) is not supported")
            }
        case .cmac: return (UInt(CKM_AES_CMAC), .none)
        }
    }

    public func encrypt(id: String, cipher: Cipher, data: [UInt8]) async throws(EngineError) -> [UInt8] {
        let (m, p) = try Self.plan(cipher)
        return try await call(objects: id) { (s, h) throws(PKCS11Error) in try s.crypt(encrypt: true, mechanism: m, parameter: p, key: h[0], data) }
    }

    public func decrypt(id: String, cipher: Cipher, data: [UInt8]) async throws(EngineError) -> [UInt8] {
        let (m, p) = try Self.plan(cipher)
        return try await call(objects: id) { (s, h) throws(PKCS11Error) in try s.crypt(encrypt: false, mechanism: m, parameter: p, key: h[0], data) }
    }

    public func verify(id: String, mechanism: SigningMechanism, data: [UInt8], signature: [UInt8]) async throws(EngineError) -> Bool {
        let (m, p) = try Self.plan(mechanism)
        return try await call(objects: id) { (s, h) throws(PKCS11Error) in try s.verify(mechanism: m, parameter: p, key: h[0], data, signature: signature) }
    }

    public func hash(_ algorithm: HashingAlgorithm, data: [UInt8]) async throws(EngineError) -> [UInt8] {
        let m = try Self.hashMechanism(algorithm)
        return try await call { (s) throws(PKCS11Error) in try s.digest(mechanism: m, data) }
    }

    public func seedRandom(_ seed: [UInt8]) async throws(EngineError) {
        try await call { (s) throws(PKCS11Error) in try s.seedRandom(seed) }
    }
}
