import KMIP

/// What a symmetric key in the token is made of and may do.
public struct SecretKeySpec: Sendable, Hashable {
    public var algorithm: CryptographicAlgorithm
    public var lengthBits: Int
    public var extractable: Bool
    public var usage: CryptographicUsageMaskBits
    public var label: String
    public init(algorithm: CryptographicAlgorithm, lengthBits: Int, extractable: Bool, usage: CryptographicUsageMaskBits, label: String) {
        self.algorithm = algorithm; self.lengthBits = lengthBits; self.extractable = extractable; self.usage = usage; self.label = label
    }
}

/// Cryptographic Usage Mask bits (KMIP 2.1 §12.1) as an option set.
public struct CryptographicUsageMaskBits: OptionSet, Sendable, Hashable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let sign = Self(rawValue: 0x1), verify = Self(rawValue: 0x2), encrypt = Self(rawValue: 0x4)
    public static let decrypt = Self(rawValue: 0x8), wrapKey = Self(rawValue: 0x10), unwrapKey = Self(rawValue: 0x20)
    public static let macGenerate = Self(rawValue: 0x80), macVerify = Self(rawValue: 0x100), deriveKey = Self(rawValue: 0x200)
}

/// The engine's port to the HSM. Every object is addressed by its KMIP Unique Identifier, which the
/// token stores as CKA_ID; implementations keep their own CKA_ID → handle cache.
public protocol Token: Sendable {
    /// Generates a secret key inside the token (C_GenerateKey). Throws `.featureNotSupported` /
    /// `.invalidField` when the token cannot make that algorithm and length.
    func generateSecretKey(id: String, spec: SecretKeySpec) async throws(EngineError)
    /// Imports key bytes as a token secret key (C_CreateObject).
    func importSecretKey(id: String, spec: SecretKeySpec, material: [UInt8]) async throws(EngineError)
    /// Stores opaque or secret bytes as a private CKO_DATA object.
    func storeData(id: String, label: String, bytes: [UInt8]) async throws(EngineError)
    /// Imports an RSA/DSA public or private key (C_CreateObject with its components). A private key
    /// is CKA_SENSITIVE unless extractable.
    func importAsymmetricKey(id: String, label: String, key: AsymmetricKey, extractable: Bool,
                             usage: CryptographicUsageMaskBits) async throws(EngineError)
    /// The components of a public key, or of an extractable private key.
    func readAsymmetricKey(id: String, algorithm: CryptographicAlgorithm, isPrivate: Bool) async throws(EngineError) -> AsymmetricKey
    /// Generates a key pair inside the token (C_GenerateKeyPair) and returns its public half.
    func generateKeyPair(privateID: String, publicID: String, spec: KeyPairSpec) async throws(EngineError) -> AsymmetricKey
    /// Signs with a private key that stays in the token (C_Sign). For ECDSA `data` is the digest the
    /// host computed (tokens like SoftHSM2 have no hash-and-sign ECDSA); the result is raw r‖s.
    func sign(id: String, mechanism: SigningMechanism, data: [UInt8]) async throws(EngineError) -> [UInt8]
    /// C_WrapKey: the value of `id` encrypted under `wrappingKeyID`, both in the token.
    func wrap(id: String, wrappingKeyID: String, mechanism: WrapMechanism) async throws(EngineError) -> [UInt8]
    /// Wraps bytes that are no token object (a TTLV-encoded Key Value) with a token key.
    func wrapBytes(_ bytes: [UInt8], wrappingKeyID: String, mechanism: WrapMechanism) async throws(EngineError) -> [UInt8]
    /// Unwraps bytes with a token key and returns them (a TTLV-encoded Key Value to import).
    func unwrapBytes(_ wrapped: [UInt8], unwrappingKeyID: String, mechanism: WrapMechanism) async throws(EngineError) -> [UInt8]
    /// C_UnwrapKey into a new secret key with CKA_ID = `id`.
    func unwrapSecretKey(id: String, spec: SecretKeySpec, unwrappingKeyID: String, mechanism: WrapMechanism,
                         wrapped: [UInt8]) async throws(EngineError)
    /// A multi-part C_Encrypt*/C_Decrypt* operation on a session of its own (KMIP streaming).
    func beginStream(id: String, cipher: Cipher, encrypt: Bool) async throws(EngineError) -> any TokenStream
    /// C_DeriveKey into a new secret key with CKA_ID = `id`.
    func deriveSecretKey(id: String, spec: SecretKeySpec, baseKeyID: String, method: DerivationMechanism) async throws(EngineError)
    /// C_Encrypt / C_Decrypt with a key in the token.
    func encrypt(id: String, cipher: Cipher, data: [UInt8]) async throws(EngineError) -> [UInt8]
    func decrypt(id: String, cipher: Cipher, data: [UInt8]) async throws(EngineError) -> [UInt8]
    /// C_Verify: whether the signature (or MAC) is valid.
    func verify(id: String, mechanism: SigningMechanism, data: [UInt8], signature: [UInt8]) async throws(EngineError) -> Bool
    /// C_Digest.
    func hash(_ algorithm: HashingAlgorithm, data: [UInt8]) async throws(EngineError) -> [UInt8]
    /// C_SeedRandom; answers how many bytes the token took (0 from a token whose RNG takes no seed).
    func seedRandom(_ seed: [UInt8]) async throws(EngineError) -> Int
    /// Stores an X.509 certificate (CKO_CERTIFICATE, CKC_X_509).
    func storeCertificate(id: String, label: String, der: [UInt8], subjectDER: [UInt8]) async throws(EngineError)
    /// The value of an extractable key, a data object or a certificate (C_GetAttributeValue CKA_VALUE).
    func readValue(id: String) async throws(EngineError) -> [UInt8]
    /// C_DestroyObject; destroying a missing object is not an error (crash recovery may repeat it).
    func destroy(id: String) async throws(EngineError)
    /// Every CKA_ID the token holds (for reconciliation with the store).
    func allIDs() async throws(EngineError) -> Set<String>
    /// Serial and label (C_GetTokenInfo).
    var identity: TokenIdentity { get }
    /// The token's binding object, if it has one (`Binding.swift`).
    func readBinding() async throws(EngineError) -> TokenBinding?
    /// Replaces the token's binding object.
    func writeBinding(_ binding: TokenBinding) async throws(EngineError)
    /// What can be read of a token object without its value (for `kmipd store adopt`); nil when the
    /// token has no object with that CKA_ID.
    func describe(id: String) async throws(EngineError) -> TokenObjectDescription?
    /// Random bytes from the token's RNG (C_GenerateRandom).
    func random(count: Int) async throws(EngineError) -> [UInt8]
    /// SHA-256 of a token object's value, computed in the token; nil when the token will not digest it.
    func sha256(id: String) async throws(EngineError) -> [UInt8]?
    /// The token's random number generator, for the Random Number Generator attribute (KMIP 1.3+).
    var randomNumberGenerator: RNGDescription? { get }
    /// Key pair kinds the token can generate (for Query and for refusing early).
    var keyPairKinds: [String] { get }
    /// What the token's mechanisms allow, in words, for Query's server information ("AES, AES-CBC, …;
    /// lacks AES-GCM, …"): a client sees this token's abilities, not another token's.
    var abilities: String { get }
    /// How the token protects what it stores, as a Protection Storage Mask (KMIP 2.0+, §4.47): for
    /// example Software for SoftHSM2, Hardware for an HSM.
    var protectionStorageMask: UInt32? { get }
}

/// Random Number Generator attribute contents (KMIP 2.1 §4.46).
public struct RNGDescription: Sendable, Codable, Hashable {
    public var rngAlgorithm: String
    public var drbgAlgorithm: String?
    public var cryptographicAlgorithm: String?
    public var cryptographicLength: Int32?
    public init(rngAlgorithm: String, drbgAlgorithm: String? = nil, cryptographicAlgorithm: String? = nil, cryptographicLength: Int32? = nil) {
        self.rngAlgorithm = rngAlgorithm; self.drbgAlgorithm = drbgAlgorithm
        self.cryptographicAlgorithm = cryptographicAlgorithm; self.cryptographicLength = cryptographicLength
    }

    /// As Query's RNG Parameters (KMIP 2.1 §2.1.19).
    public var parameters: RNGParameters {
        RNGParameters(algorithm: RNGAlgorithm(named: rngAlgorithm) ?? .unspecified,
                      cryptographicAlgorithm: cryptographicAlgorithm.flatMap(CryptographicAlgorithm.init(named:)),
                      cryptographicLength: cryptographicLength.map(Int.init), drbgAlgorithm: drbgAlgorithm.flatMap(DRBGAlgorithm.init(named:)))
    }

    public var ttlv: TTLV {
        var c = [TTLV(.rngAlgorithm, .enumeration(RNGAlgorithm(named: rngAlgorithm)?.rawValue ?? RNGAlgorithm.unspecified.rawValue))]
        if let a = cryptographicAlgorithm.flatMap(CryptographicAlgorithm.init(named:)) { c.append(TTLV(.cryptographicAlgorithm, .enumeration(a.rawValue))) }
        if let l = cryptographicLength { c.append(TTLV(.cryptographicLength, .integer(l))) }
        if let d = drbgAlgorithm.flatMap(DRBGAlgorithm.init(named:)) { c.append(TTLV(.drbgAlgorithm, .enumeration(d.rawValue))) }
        return .structure(.randomNumberGenerator, c)
    }
}

/// What Create Key Pair asks the token for (KMIP 2.1 §6.1.9).
public struct KeyPairSpec: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case rsa(bits: Int, publicExponent: [UInt8])
        case ec(ECCurve)
        case ed25519
    }
    public var kind: Kind
    public var privateExtractable: Bool
    public var privateUsage: CryptographicUsageMaskBits
    public var publicUsage: CryptographicUsageMaskBits
    public var privateLabel: String
    public var publicLabel: String
    public init(kind: Kind, privateExtractable: Bool, privateUsage: CryptographicUsageMaskBits, publicUsage: CryptographicUsageMaskBits,
                privateLabel: String, publicLabel: String) {
        self.kind = kind; self.privateExtractable = privateExtractable; self.privateUsage = privateUsage
        self.publicUsage = publicUsage; self.privateLabel = privateLabel; self.publicLabel = publicLabel
    }
}

/// Signature mechanisms the engine asks the token for.
public enum SigningMechanism: Sendable, Hashable {
    /// RSASSA-PKCS1-v1_5 with SHA-256/384/512, hashed in the token.
    case rsaPKCS1(HashingAlgorithm)
    /// RSASSA-PSS with SHA-2 (MGF1 with the same hash), hashed in the token.
    case rsaPSS(HashingAlgorithm, saltLength: Int)
    /// RSASSA-PKCS1-v1_5 over an already digested message (the DigestInfo is built on the host).
    case rsaPKCS1Raw
    /// Raw RSA on a block the host already padded (PSS in TLS 1.3 with a token-held server key).
    case rsaRaw
    /// ECDSA over a digest computed on the host.
    case ecdsaDigest
    /// Ed25519 (PureEdDSA) over the message itself.
    case eddsa
    /// HMAC with the key's hash (MAC / MAC Verify).
    case hmac(HashingAlgorithm)
    /// AES-CMAC.
    case cmac
}

/// Symmetric and RSA ciphers the engine asks the token for (KMIP Cryptographic Parameters resolved).
public enum Cipher: Sendable, Hashable {
    case aesECB
    case aesCBC(iv: [UInt8], pad: Bool)
    case aesCTR(counterBlock: [UInt8], counterBits: Int)
    case aesGCM(iv: [UInt8], aad: [UInt8], tagBits: Int)
    case des3ECB
    case des3CBC(iv: [UInt8], pad: Bool)
    case rsaPKCS1
    case rsaOAEP(hash: HashingAlgorithm, mgfHash: HashingAlgorithm, label: [UInt8])
}

/// Key wrapping mechanisms (KMIP Key Wrapping Specification / Key Wrapping Data, 2.1 §2.1.6, §3.3).
public enum WrapMechanism: Sendable, Hashable {
    /// RFC 3394 (NIST AES Key Wrap).
    case aesKeyWrap
    /// RFC 5649 (AES Key Wrap with Padding).
    case aesKeyWrapPad
    case rsaOAEP(hash: HashingAlgorithm)
    case rsaPKCS1
}

/// One streaming operation in the token. `finish` or `cancel` ends it and frees its session.
public protocol TokenStream: Sendable {
    func update(_ data: [UInt8]) async throws(EngineError) -> [UInt8]
    func finish() async throws(EngineError) -> [UInt8]
    func cancel() async
}

/// Key derivations the token performs itself (KMIP Derive Key, 2.1 §6.1.14).
public enum DerivationMechanism: Sendable, Hashable {
    case aesECBEncryptData([UInt8])
    case aesCBCEncryptData(iv: [UInt8], data: [UInt8])
    /// ECDH with the peer's public point (uncompressed); the raw shared secret becomes the key.
    case ecdh(peerPoint: [UInt8])
}
