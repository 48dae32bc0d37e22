import CPKCS11
import KMIP
import KMIPEngine
import PKCS11

/// Key wrapping inside the token: C_WrapKey and C_UnwrapKey, so a key's plaintext never reaches the host.
extension PKCS11Token {
    static func plan(_ m: WrapMechanism) throws(EngineError) -> Mechanism {
        switch m {
        case .aesKeyWrap: return Mechanism(.aesKeyWrap)
        case .aesKeyWrapPad: return Mechanism(.aesKeyWrapPad)
        case .rsaPKCS1: return Mechanism(.rsaPkcs)
        case .rsaOAEP(let h): return Mechanism(.rsaPkcsOaep, .oaep(hash: try hashMechanism(h), mgf: try mgf(h), label: []))
        }
    }

    public func wrap(id: String, wrappingKeyID: String, mechanism: WrapMechanism) async throws(EngineError) -> [UInt8] {
        let m = try mechanisms.require(Self.plan(mechanism))
        return try await call(objects: id, wrappingKeyID) { (s, h) throws(PKCS11Error) in
            try s.wrapKey(m, wrappingKey: h[1], key: h[0])
        }
    }

    public func unwrapSecretKey(id: String, spec: SecretKeySpec, unwrappingKeyID: String, mechanism: WrapMechanism,
                                wrapped: [UInt8]) async throws(EngineError) {
        let m = try mechanisms.require(Self.plan(mechanism))
        let plan = KeyPlan(spec.algorithm, bits: spec.lengthBits, mechanisms: mechanisms)
        let template = Self.keyTemplate(id: id, spec: spec, keyType: plan.keyType) + [.cls(UInt(CKO_SECRET_KEY))]
        let h = try await call(objects: unwrappingKeyID) { (s, unwrapping) throws(PKCS11Error) in
            try s.unwrapKey(m, unwrappingKey: unwrapping[0], wrapped: wrapped, template: template)
        }
        cache.set(id, h)
    }

    /// KMIP's TTLV Encoding (2.1 §2.1.5) wraps the encoded Key Value structure, not a token object: the
    /// bytes become a session-only generic secret for the one C_WrapKey and are destroyed after it.
    public func wrapBytes(_ bytes: [UInt8], wrappingKeyID: String, mechanism: WrapMechanism) async throws(EngineError) -> [UInt8] {
        let m = try mechanisms.require(Self.plan(mechanism))
        let template: [ObjectAttribute] = Self.transient + [.value(bytes)]
        return try await call(objects: wrappingKeyID) { (s, h) throws(PKCS11Error) in
            let temp = try s.createObject(template)
            defer { try? s.destroyObject(temp) }
            return try s.wrapKey(m, wrappingKey: h[0], key: temp)
        }
    }

    /// The reverse: C_UnwrapKey into a session-only generic secret, its value read and the object destroyed.
    public func unwrapBytes(_ wrapped: [UInt8], unwrappingKeyID: String, mechanism: WrapMechanism) async throws(EngineError) -> [UInt8] {
        let m = try mechanisms.require(Self.plan(mechanism))
        let template = Self.transient
        return try await call(objects: unwrappingKeyID) { (s, h) throws(PKCS11Error) in
            let temp = try s.unwrapKey(m, unwrappingKey: h[0], wrapped: wrapped, template: template)
            defer { try? s.destroyObject(temp) }
            return try s.attribute(UInt(CKA_VALUE), of: temp)
        }
    }

    /// A generic secret that lives only in this session and may be read back.
    static let transient: [ObjectAttribute] = [.cls(UInt(CKO_SECRET_KEY)), .keyType(UInt(CKK_GENERIC_SECRET)), .token(false),
                                               .isPrivate(true), .sensitive(false), .extractable(true)]
}
