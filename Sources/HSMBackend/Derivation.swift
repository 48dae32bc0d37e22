import CPKCS11
import KMIP
import KMIPEngine
import PKCS11

/// Derive Key inside the token (C_DeriveKey): CKM_AES_ECB/CBC_ENCRYPT_DATA and CKM_ECDH1_DERIVE.
extension PKCS11Token {
    public func deriveSecretKey(id: String, spec: SecretKeySpec, baseKeyID: String, method: DerivationMechanism) async throws(EngineError) {
        let mechanism: Mechanism
        switch method {
        case .aesECBEncryptData(let data): mechanism = Mechanism(.aesEcbEncryptData, .derivationString(data))
        case .aesCBCEncryptData(let iv, let data): mechanism = Mechanism(.aesCbcEncryptData, .aesCBCEncryptData(iv: iv, data: data))
        case .ecdh(let point): mechanism = Mechanism(.ecdh1Derive, .ecdh1(publicData: point))
        }
        _ = try mechanisms.require(mechanism)
        let plan = KeyPlan(spec.algorithm, bits: spec.lengthBits, mechanisms: mechanisms)
        var template = Self.keyTemplate(id: id, spec: spec, keyType: plan.keyType) + [.cls(UInt(CKO_SECRET_KEY))]
        if plan.needsValueLen { template.append(.valueLen(spec.lengthBits / 8)) }
        let t = template
        let h = try await call(objects: baseKeyID) { (s, base) throws(PKCS11Error) in
            try s.deriveKey(mechanism, baseKey: base[0], template: t)
        }
        cache.set(id, h)
    }
}
