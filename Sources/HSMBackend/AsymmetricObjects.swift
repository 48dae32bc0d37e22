import CPKCS11
import KMIP
import KMIPEngine
import PKCS11

/// Public keys, private keys and certificates as PKCS#11 objects (PKCS#11 v2.40 §2.1 RSA, §2.2 DSA,
/// §4.6 X.509 certificates), always with CKA_ID = the KMIP Unique Identifier.
extension PKCS11Token {
    public func importAsymmetricKey(id: String, label: String, key: AsymmetricKey, extractable: Bool,
                                    usage: CryptographicUsageMaskBits) async throws(EngineError) {
        var t: [ObjectAttribute] = [.token(true), .id(id), .label(label)]
        let sign = usage.contains(.sign), verify = usage.contains(.verify)
        switch key {
        case .rsaPublic(let n, let e):
            t += [.cls(UInt(CKO_PUBLIC_KEY)), .keyType(UInt(CKK_RSA)), .isPrivate(false), .bytes(UInt(CKA_MODULUS), n), .bytes(UInt(CKA_PUBLIC_EXPONENT), e),
                  .flag(Int32(CKA_ENCRYPT), usage.contains(.encrypt)), .flag(Int32(CKA_VERIFY), verify),
                  .flag(Int32(CKA_WRAP), usage.contains(.wrapKey))]
        case .dsaPublic(let p, let q, let g, let y):
            t += [.cls(UInt(CKO_PUBLIC_KEY)), .keyType(UInt(CKK_DSA)), .isPrivate(false), .bytes(UInt(CKA_PRIME), p), .bytes(UInt(CKA_SUBPRIME), q),
                  .bytes(UInt(CKA_BASE), g), .value(y), .flag(Int32(CKA_VERIFY), verify)]
        case .rsaPrivate(let k):
            t += [.cls(UInt(CKO_PRIVATE_KEY)), .keyType(UInt(CKK_RSA)), .isPrivate(true), .sensitive(!extractable), .extractable(extractable),
                  .bytes(UInt(CKA_MODULUS), k.modulus), .bytes(UInt(CKA_PUBLIC_EXPONENT), k.publicExponent),
                  .bytes(UInt(CKA_PRIVATE_EXPONENT), k.privateExponent), .bytes(UInt(CKA_PRIME_1), k.prime1),
                  .bytes(UInt(CKA_PRIME_2), k.prime2), .bytes(UInt(CKA_EXPONENT_1), k.exponent1), .bytes(UInt(CKA_EXPONENT_2), k.exponent2),
                  .bytes(UInt(CKA_COEFFICIENT), k.coefficient), .flag(Int32(CKA_DECRYPT), usage.contains(.decrypt)),
                  .flag(Int32(CKA_SIGN), sign), .flag(Int32(CKA_UNWRAP), usage.contains(.unwrapKey))]
        case .ecPublic(let curve, let point):
            t += [.cls(UInt(CKO_PUBLIC_KEY)), .keyType(UInt(CKK_EC)), .isPrivate(false), .bytes(UInt(CKA_EC_PARAMS), curve.parametersDER),
                  .bytes(UInt(CKA_EC_POINT), Self.octetString(point)), .flag(Int32(CKA_VERIFY), verify)]
        case .ecPrivate(let curve, let d, _):
            t += [.cls(UInt(CKO_PRIVATE_KEY)), .keyType(UInt(CKK_EC)), .isPrivate(true), .sensitive(!extractable), .extractable(extractable),
                  .bytes(UInt(CKA_EC_PARAMS), curve.parametersDER), .value(d), .flag(Int32(CKA_SIGN), sign),
                  .flag(Int32(CKA_DERIVE), usage.contains(.deriveKey))]
        case .ed25519Public(let point):
            t += [.cls(UInt(CKO_PUBLIC_KEY)), .keyType(UInt(CKK_EC_EDWARDS)), .isPrivate(false),
                  .bytes(UInt(CKA_EC_PARAMS), KeyDER.ed25519ParametersDER), .bytes(UInt(CKA_EC_POINT), Self.octetString(point)),
                  .flag(Int32(CKA_VERIFY), verify)]
        case .dsaPrivate(let p, let q, let g, let x):
            t += [.cls(UInt(CKO_PRIVATE_KEY)), .keyType(UInt(CKK_DSA)), .isPrivate(true), .sensitive(!extractable), .extractable(extractable),
                  .bytes(UInt(CKA_PRIME), p), .bytes(UInt(CKA_SUBPRIME), q), .bytes(UInt(CKA_BASE), g), .value(x), .flag(Int32(CKA_SIGN), sign)]
        }
        let template = t
        let h = try await call { (s) throws(PKCS11Error) in try s.createObject(template) }
        cache.set(id, h)
    }

    public func readAsymmetricKey(id: String, algorithm: CryptographicAlgorithm, isPrivate: Bool) async throws(EngineError) -> AsymmetricKey {
        return try await call(objects: id) { (s, handles) throws(PKCS11Error) -> AsymmetricKey in
            let h = handles[0]
            func a(_ t: Int32) throws(PKCS11Error) -> [UInt8] { try s.attribute(UInt(t), of: h) }
            switch (algorithm, isPrivate) {
            case (.rsa, false): return .rsaPublic(modulus: try a(Int32(CKA_MODULUS)), publicExponent: try a(Int32(CKA_PUBLIC_EXPONENT)))
            case (.rsa, true):
                return .rsaPrivate(.init(modulus: try a(Int32(CKA_MODULUS)), publicExponent: try a(Int32(CKA_PUBLIC_EXPONENT)),
                                         privateExponent: try a(Int32(CKA_PRIVATE_EXPONENT)), prime1: try a(Int32(CKA_PRIME_1)),
                                         prime2: try a(Int32(CKA_PRIME_2)), exponent1: try a(Int32(CKA_EXPONENT_1)),
                                         exponent2: try a(Int32(CKA_EXPONENT_2)), coefficient: try a(Int32(CKA_COEFFICIENT))))
            case (.dsa, false):
                return .dsaPublic(p: try a(Int32(CKA_PRIME)), q: try a(Int32(CKA_SUBPRIME)), g: try a(Int32(CKA_BASE)), y: try a(Int32(CKA_VALUE)))
            case (.dsa, true):
                return .dsaPrivate(p: try a(Int32(CKA_PRIME)), q: try a(Int32(CKA_SUBPRIME)), g: try a(Int32(CKA_BASE)), x: try a(Int32(CKA_VALUE)))
            case (.ed25519, false):
                return .ed25519Public(Self.unwrapOctetString(try a(Int32(CKA_EC_POINT))))
            case (.ec, _), (.ecdsa, _):
                guard let curve = ECCurve(parametersDER: try a(Int32(CKA_EC_PARAMS))) else {
                    throw PKCS11Error(.invalidArgument, function: "CKA_EC_PARAMS names an unsupported curve")
                }
                if isPrivate { return .ecPrivate(curve: curve, d: try a(Int32(CKA_VALUE)), point: nil) }
                return .ecPublic(curve: curve, point: Self.unwrapOctetString(try a(Int32(CKA_EC_POINT))))
            default:
                throw PKCS11Error(.invalidArgument, function: "read \(algorithm) key")
            }
        }
    }

    public func storeCertificate(id: String, label: String, der: [UInt8], subjectDER: [UInt8]) async throws(EngineError) {
        let template: [ObjectAttribute] = [.cls(UInt(CKO_CERTIFICATE)), .ulong(UInt(CKA_CERTIFICATE_TYPE), UInt(CKC_X_509)),
                                           .token(true), .isPrivate(false), .id(id), .label(label), .value(der),
                                           .bytes(UInt(CKA_SUBJECT), subjectDER)]
        let h = try await call { (s) throws(PKCS11Error) in try s.createObject(template) }
        cache.set(id, h)
    }

    public func generateKeyPair(privateID: String, publicID: String, spec: KeyPairSpec) async throws(EngineError) -> AsymmetricKey {
        let pu = spec.publicUsage, pr = spec.privateUsage
        var pub: [ObjectAttribute] = [.token(true), .isPrivate(false), .id(publicID), .label(spec.publicLabel),
                                      .flag(Int32(CKA_VERIFY), pu.contains(.verify)), .flag(Int32(CKA_ENCRYPT), pu.contains(.encrypt)),
                                      .flag(Int32(CKA_WRAP), pu.contains(.wrapKey))]
        var priv: [ObjectAttribute] = [.token(true), .isPrivate(true), .id(privateID), .label(spec.privateLabel),
                                       .sensitive(!spec.privateExtractable), .extractable(spec.privateExtractable),
                                       .flag(Int32(CKA_SIGN), pr.contains(.sign)), .flag(Int32(CKA_DECRYPT), pr.contains(.decrypt)),
                                       .flag(Int32(CKA_UNWRAP), pr.contains(.unwrapKey))]
        let mechanism: MechanismType
        switch spec.kind {
        case .rsa(let bits, let exponent):
            mechanism = .rsaPkcsKeyPairGen
            pub += [.ulong(UInt(CKA_MODULUS_BITS), UInt(bits)), .bytes(UInt(CKA_PUBLIC_EXPONENT), exponent)]
        case .ec(let curve):
            mechanism = .ecKeyPairGen
            pub = pub.filter { $0.type != UInt(CKA_ENCRYPT) && $0.type != UInt(CKA_WRAP) } + [.bytes(UInt(CKA_EC_PARAMS), curve.parametersDER)]
            priv = priv.filter { $0.type != UInt(CKA_DECRYPT) && $0.type != UInt(CKA_UNWRAP) } + [.flag(Int32(CKA_DERIVE), pr.contains(.deriveKey))]
        case .ed25519:
            mechanism = .ecEdwardsKeyPairGen
            pub = pub.filter { $0.type != UInt(CKA_ENCRYPT) && $0.type != UInt(CKA_WRAP) } + [.bytes(UInt(CKA_EC_PARAMS), KeyDER.ed25519ParametersDER)]
            priv = priv.filter { $0.type != UInt(CKA_DECRYPT) && $0.type != UInt(CKA_UNWRAP) }
        }
        let (pt, vt) = (pub, priv)
        let m = try mechanisms.require(Mechanism(mechanism))
        let (pubHandle, privHandle) = try await call { (s) throws(PKCS11Error) in
            try s.generateKeyPair(m, publicTemplate: pt, privateTemplate: vt)
        }
        cache.set(publicID, pubHandle)
        cache.set(privateID, privHandle)
        let algorithm: CryptographicAlgorithm
        switch spec.kind {
        case .rsa: algorithm = .rsa
        case .ec: algorithm = .ec
        case .ed25519: algorithm = .ed25519
        }
        return try await readAsymmetricKey(id: publicID, algorithm: algorithm, isPrivate: false)
    }

    /// CKA_EC_POINT holds the point as a DER OCTET STRING.
    static func octetString(_ bytes: [UInt8]) -> [UInt8] {
        let n = bytes.count
        let length: [UInt8] = n < 0x80 ? [UInt8(n)] : n < 0x100 ? [0x81, UInt8(n)] : [0x82, UInt8(n >> 8), UInt8(n & 0xFF)]
        return [0x04] + length + bytes
    }

    static func unwrapOctetString(_ der: [UInt8]) -> [UInt8] {
        guard der.count > 2, der[0] == 0x04 else { return der }
        let first = Int(der[1])
        if first < 0x80 { return Array(der.dropFirst(2)) }
        let lengthBytes = first & 0x7F
        return Array(der.dropFirst(2 + lengthBytes))
    }

}

extension PKCS11Token {
    /// CKA_SENSITIVE, CKA_EXTRACTABLE and CKA_NEVER_EXTRACTABLE of an object, read back through
    /// PKCS#11 (for `kmipd token status`-style inspection and tests).
    public func protectionFlags(id: String) async throws(EngineError) -> (sensitive: Bool, extractable: Bool, neverExtractable: Bool) {
        return try await call(objects: id) { (s, handles) throws(PKCS11Error) in
            let h = handles[0]
            return (try s.attribute(UInt(CKA_SENSITIVE), of: h) == [1], try s.attribute(UInt(CKA_EXTRACTABLE), of: h) == [1],
                    try s.attribute(UInt(CKA_NEVER_EXTRACTABLE), of: h) == [1])
        }
    }
}
