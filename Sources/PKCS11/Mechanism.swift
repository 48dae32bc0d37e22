import CPKCS11

/// A token object's handle in one session's view (PKCS#11 v2.40 §2.7 CK_OBJECT_HANDLE).
public struct ObjectHandle: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    init(_ h: CK_OBJECT_HANDLE) { rawValue = UInt(h) }
    var c: CK_OBJECT_HANDLE { CK_OBJECT_HANDLE(rawValue) }
}

/// A mechanism type (CKM_*), by name.
public struct MechanismType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    init(_ v: UInt) { rawValue = v }
    public static let aesCbc = MechanismType(UInt(CKM_AES_CBC))
    public static let aesCbcEncryptData = MechanismType(UInt(CKM_AES_CBC_ENCRYPT_DATA))
    public static let aesCbcPad = MechanismType(UInt(CKM_AES_CBC_PAD))
    public static let aesCmac = MechanismType(UInt(CKM_AES_CMAC))
    public static let aesCtr = MechanismType(UInt(CKM_AES_CTR))
    public static let aesEcb = MechanismType(UInt(CKM_AES_ECB))
    public static let aesEcbEncryptData = MechanismType(UInt(CKM_AES_ECB_ENCRYPT_DATA))
    public static let aesGcm = MechanismType(UInt(CKM_AES_GCM))
    public static let aesKeyGen = MechanismType(UInt(CKM_AES_KEY_GEN))
    public static let aesKeyWrap = MechanismType(UInt(CKM_AES_KEY_WRAP))
    public static let aesKeyWrapPad = MechanismType(UInt(CKM_AES_KEY_WRAP_PAD))
    public static let des3Cbc = MechanismType(UInt(CKM_DES3_CBC))
    public static let des3CbcPad = MechanismType(UInt(CKM_DES3_CBC_PAD))
    public static let des3Ecb = MechanismType(UInt(CKM_DES3_ECB))
    public static let des3KeyGen = MechanismType(UInt(CKM_DES3_KEY_GEN))
    public static let ecdh1Derive = MechanismType(UInt(CKM_ECDH1_DERIVE))
    public static let ecdsa = MechanismType(UInt(CKM_ECDSA))
    public static let ecEdwardsKeyPairGen = MechanismType(UInt(CKM_EC_EDWARDS_KEY_PAIR_GEN))
    public static let ecKeyPairGen = MechanismType(UInt(CKM_EC_KEY_PAIR_GEN))
    public static let eddsa = MechanismType(UInt(CKM_EDDSA))
    public static let genericSecretKeyGen = MechanismType(UInt(CKM_GENERIC_SECRET_KEY_GEN))
    public static let rsaPkcs = MechanismType(UInt(CKM_RSA_PKCS))
    public static let rsaPkcsKeyPairGen = MechanismType(UInt(CKM_RSA_PKCS_KEY_PAIR_GEN))
    public static let rsaPkcsOaep = MechanismType(UInt(CKM_RSA_PKCS_OAEP))
    public static let rsaX509 = MechanismType(UInt(CKM_RSA_X_509))
    public static let sha1RsaPkcs = MechanismType(UInt(CKM_SHA1_RSA_PKCS))
    public static let sha1RsaPkcsPss = MechanismType(UInt(CKM_SHA1_RSA_PKCS_PSS))
    public static let sha224 = MechanismType(UInt(CKM_SHA224))
    public static let sha224Hmac = MechanismType(UInt(CKM_SHA224_HMAC))
    public static let sha224RsaPkcs = MechanismType(UInt(CKM_SHA224_RSA_PKCS))
    public static let sha224RsaPkcsPss = MechanismType(UInt(CKM_SHA224_RSA_PKCS_PSS))
    public static let sha256 = MechanismType(UInt(CKM_SHA256))
    public static let sha256Hmac = MechanismType(UInt(CKM_SHA256_HMAC))
    public static let sha256RsaPkcs = MechanismType(UInt(CKM_SHA256_RSA_PKCS))
    public static let sha256RsaPkcsPss = MechanismType(UInt(CKM_SHA256_RSA_PKCS_PSS))
    public static let sha384 = MechanismType(UInt(CKM_SHA384))
    public static let sha384Hmac = MechanismType(UInt(CKM_SHA384_HMAC))
    public static let sha384RsaPkcs = MechanismType(UInt(CKM_SHA384_RSA_PKCS))
    public static let sha384RsaPkcsPss = MechanismType(UInt(CKM_SHA384_RSA_PKCS_PSS))
    public static let sha512 = MechanismType(UInt(CKM_SHA512))
    public static let sha512Hmac = MechanismType(UInt(CKM_SHA512_HMAC))
    public static let sha512RsaPkcs = MechanismType(UInt(CKM_SHA512_RSA_PKCS))
    public static let sha512RsaPkcsPss = MechanismType(UInt(CKM_SHA512_RSA_PKCS_PSS))
    public static let sha1 = MechanismType(UInt(CKM_SHA_1))
    public static let sha1Hmac = MechanismType(UInt(CKM_SHA_1_HMAC))
    public static let rsaPkcsPss = MechanismType(UInt(CKM_RSA_PKCS_PSS))
}

extension MechanismType {
    /// The CKM_ name, for messages ("the token has no CKM_AES_GCM"); hexadecimal for others.
    public var name: String { Self.names[rawValue] ?? "CKM 0x" + String(rawValue, radix: 16) }

    /// Every mechanism this module names, by value.
    public static let names: [UInt: String] = [
        UInt(CKM_AES_CBC): "CKM_AES_CBC",
        UInt(CKM_AES_CBC_ENCRYPT_DATA): "CKM_AES_CBC_ENCRYPT_DATA",
        UInt(CKM_AES_CBC_PAD): "CKM_AES_CBC_PAD",
        UInt(CKM_AES_CMAC): "CKM_AES_CMAC",
        UInt(CKM_AES_CTR): "CKM_AES_CTR",
        UInt(CKM_AES_ECB): "CKM_AES_ECB",
        UInt(CKM_AES_ECB_ENCRYPT_DATA): "CKM_AES_ECB_ENCRYPT_DATA",
        UInt(CKM_AES_GCM): "CKM_AES_GCM",
        UInt(CKM_AES_KEY_GEN): "CKM_AES_KEY_GEN",
        UInt(CKM_AES_KEY_WRAP): "CKM_AES_KEY_WRAP",
        UInt(CKM_AES_KEY_WRAP_PAD): "CKM_AES_KEY_WRAP_PAD",
        UInt(CKM_DES3_CBC): "CKM_DES3_CBC",
        UInt(CKM_DES3_CBC_PAD): "CKM_DES3_CBC_PAD",
        UInt(CKM_DES3_ECB): "CKM_DES3_ECB",
        UInt(CKM_DES3_KEY_GEN): "CKM_DES3_KEY_GEN",
        UInt(CKM_ECDH1_DERIVE): "CKM_ECDH1_DERIVE",
        UInt(CKM_ECDSA): "CKM_ECDSA",
        UInt(CKM_EC_EDWARDS_KEY_PAIR_GEN): "CKM_EC_EDWARDS_KEY_PAIR_GEN",
        UInt(CKM_EC_KEY_PAIR_GEN): "CKM_EC_KEY_PAIR_GEN",
        UInt(CKM_EDDSA): "CKM_EDDSA",
        UInt(CKM_GENERIC_SECRET_KEY_GEN): "CKM_GENERIC_SECRET_KEY_GEN",
        UInt(CKM_RSA_PKCS): "CKM_RSA_PKCS",
        UInt(CKM_RSA_PKCS_KEY_PAIR_GEN): "CKM_RSA_PKCS_KEY_PAIR_GEN",
        UInt(CKM_RSA_PKCS_OAEP): "CKM_RSA_PKCS_OAEP",
        UInt(CKM_RSA_X_509): "CKM_RSA_X_509",
        UInt(CKM_SHA1_RSA_PKCS): "CKM_SHA1_RSA_PKCS",
        UInt(CKM_SHA1_RSA_PKCS_PSS): "CKM_SHA1_RSA_PKCS_PSS",
        UInt(CKM_SHA224): "CKM_SHA224",
        UInt(CKM_SHA224_HMAC): "CKM_SHA224_HMAC",
        UInt(CKM_SHA224_RSA_PKCS): "CKM_SHA224_RSA_PKCS",
        UInt(CKM_SHA224_RSA_PKCS_PSS): "CKM_SHA224_RSA_PKCS_PSS",
        UInt(CKM_SHA256): "CKM_SHA256",
        UInt(CKM_SHA256_HMAC): "CKM_SHA256_HMAC",
        UInt(CKM_SHA256_RSA_PKCS): "CKM_SHA256_RSA_PKCS",
        UInt(CKM_SHA256_RSA_PKCS_PSS): "CKM_SHA256_RSA_PKCS_PSS",
        UInt(CKM_SHA384): "CKM_SHA384",
        UInt(CKM_SHA384_HMAC): "CKM_SHA384_HMAC",
        UInt(CKM_SHA384_RSA_PKCS): "CKM_SHA384_RSA_PKCS",
        UInt(CKM_SHA384_RSA_PKCS_PSS): "CKM_SHA384_RSA_PKCS_PSS",
        UInt(CKM_SHA512): "CKM_SHA512",
        UInt(CKM_SHA512_HMAC): "CKM_SHA512_HMAC",
        UInt(CKM_SHA512_RSA_PKCS): "CKM_SHA512_RSA_PKCS",
        UInt(CKM_SHA512_RSA_PKCS_PSS): "CKM_SHA512_RSA_PKCS_PSS",
        UInt(CKM_SHA_1): "CKM_SHA_1",
        UInt(CKM_SHA_1_HMAC): "CKM_SHA_1_HMAC",
        UInt(CKM_RSA_PKCS_PSS): "CKM_RSA_PKCS_PSS",
    ]
}

/// A mask generation function for OAEP and PSS (CKG_*).
public struct MaskGeneration: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    init(_ v: UInt) { rawValue = v }
    public static let mgf1sha1 = MaskGeneration(UInt(CKG_MGF1_SHA1))
    public static let mgf1sha224 = MaskGeneration(UInt(CKG_MGF1_SHA224))
    public static let mgf1sha256 = MaskGeneration(UInt(CKG_MGF1_SHA256))
    public static let mgf1sha384 = MaskGeneration(UInt(CKG_MGF1_SHA384))
    public static let mgf1sha512 = MaskGeneration(UInt(CKG_MGF1_SHA512))
}

/// A mechanism and its parameter (PKCS#11 v2.40 §2.1 CK_MECHANISM); the C structure is built for the
/// duration of a call only.
public struct Mechanism: Sendable, Hashable {
    public var type: MechanismType
    public var parameter: MechanismParameter
    public init(_ type: MechanismType, _ parameter: MechanismParameter = .none) { self.type = type; self.parameter = parameter }

    /// Calls `body` with the CK_MECHANISM.
    func withC(_ body: (inout CK_MECHANISM) -> CK_RV) -> CK_RV { parameter.withMechanism(type.rawValue, body) }
}
