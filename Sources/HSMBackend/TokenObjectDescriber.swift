import CPKCS11
import KMIP
import KMIPEngine
import PKCS11

/// `Token.describe(id:)`: the public attributes of a token object, for `kmipd store adopt`. Values
/// are never read (CKA_VALUE of a sensitive key is refused by the token anyway).
extension PKCS11Token {
    public func describe(id: String) async throws(EngineError) -> TokenObjectDescription? {
        guard await has(id) else { return nil }
        return try await call(objects: id) { (s, h) throws(PKCS11Error) in try Self.describe(s, h[0]) }
    }

    static func describe(_ s: Session, _ h: ObjectHandle) throws(PKCS11Error) -> TokenObjectDescription {
        func ulong(_ type: UInt) -> UInt? {
            guard let b = try? s.attribute(type, of: h), b.count == MemoryLayout<CK_ULONG>.size else { return nil }
            return UInt(b.withUnsafeBytes { $0.loadUnaligned(as: CK_ULONG.self) })
        }
        func flag(_ type: UInt) -> Bool { (try? s.attribute(type, of: h)).map { $0.first == 1 } ?? false }
        let label = (try? s.attribute(UInt(CKA_LABEL), of: h)).map { String(decoding: $0, as: UTF8.self) }
        var d = TokenObjectDescription(kind: .data, label: label)
        switch ulong(UInt(CKA_CLASS)) {
        case UInt(CKO_SECRET_KEY): d.kind = .secretKey
        case UInt(CKO_PRIVATE_KEY): d.kind = .privateKey
        case UInt(CKO_PUBLIC_KEY): d.kind = .publicKey
        case UInt(CKO_CERTIFICATE): d.kind = .certificate
        default:
            // A data object: opaque bytes, which PKCS#11 never makes sensitive.
            d.extractable = true
            d.sensitive = false
            return d
        }
        guard d.kind != .certificate else { return d }
        var usage: CryptographicUsageMaskBits = []
        let flags: [(UInt, CryptographicUsageMaskBits)] = [(UInt(CKA_ENCRYPT), .encrypt), (UInt(CKA_DECRYPT), .decrypt), (UInt(CKA_SIGN), .sign),
            (UInt(CKA_VERIFY), .verify), (UInt(CKA_WRAP), .wrapKey), (UInt(CKA_UNWRAP), .unwrapKey), (UInt(CKA_DERIVE), .deriveKey)]
        for (attribute, bit) in flags where flag(attribute) { usage.insert(bit) }
        let keyType = ulong(UInt(CKA_KEY_TYPE))
        switch keyType {
        case UInt(CKK_AES): d.algorithm = .aes
        case UInt(CKK_DES3): d.algorithm = ._3des
        case UInt(CKK_RSA): d.algorithm = .rsa
        case UInt(CKK_EC): d.algorithm = .ec
        case UInt(CKK_EC_EDWARDS): d.algorithm = .ed25519
        case UInt(CKK_GENERIC_SECRET):
            // HMAC keys are generic secrets; the token does not record the hash, so none is claimed.
            if usage.contains(.sign) { usage.insert(.macGenerate) }
            if usage.contains(.verify) { usage.insert(.macVerify) }
            usage.subtract([.sign, .verify])
        default: break
        }
        if let bytes = ulong(UInt(CKA_VALUE_LEN)) { d.lengthBits = Int(bytes) * 8 }
        if let bits = ulong(UInt(CKA_MODULUS_BITS)) { d.lengthBits = Int(bits) }
        if d.lengthBits == nil, keyType == UInt(CKK_RSA), let n = try? s.attribute(UInt(CKA_MODULUS), of: h) {
            d.lengthBits = n.drop { $0 == 0 }.count * 8
        }
        if keyType == UInt(CKK_EC), let params = try? s.attribute(UInt(CKA_EC_PARAMS), of: h),
           let curve = ECCurve.allCases.first(where: { $0.parametersDER == params }) {
            d.lengthBits = curve.bits
        }
        if keyType == UInt(CKK_DES3) { d.lengthBits = 168 }
        if keyType == UInt(CKK_EC_EDWARDS) { d.lengthBits = 256 }
        d.usage = usage
        d.extractable = flag(UInt(CKA_EXTRACTABLE))
        d.sensitive = d.kind == .publicKey ? false : flag(UInt(CKA_SENSITIVE))
        return d
    }
}
