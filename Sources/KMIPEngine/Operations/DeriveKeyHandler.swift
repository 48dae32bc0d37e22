import Foundation
import KMIP

/// Derive Key (KMIP 2.1 §6.1.13) with the methods the token performs itself, so neither the base
/// secret nor the derived one reaches the host: ENCRYPT (CKM_AES_ECB/CBC_ENCRYPT_DATA) and Asymmetric
/// Key (ECDH, CKM_ECDH1_DERIVE). PBKDF2, HASH, HMAC, NIST SP 800-108 and HKDF are refused: this token has
/// no derive mechanism for them, and doing them on the host would expose the secret.
struct DeriveKeyHandler: OperationHandler {
    func handle(_ request: DeriveKeyRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let method = request.method
        guard request.objectType == .symmetricKey else { throw EngineError(.invalidObjectType, "Derive Key makes symmetric keys") }
        var object = try ObjectFactory.newObject(.symmetricKey, attributes: request.attributes, tokenObject: .secretKey, context)
        guard let algorithm = object.cryptographicAlgorithm, let length = object.cryptographicLength else {
            throw EngineError(.invalidField, "the derived key needs Cryptographic Algorithm and Cryptographic Length")
        }
        let uids = request.uniqueIdentifiers
        let baseUID = try context.uid(uids.first)
        let base = try await context.fetch(baseUID)
        guard base.tokenObject != nil, Lifecycle.mayProtect(base, now: context.now) else {
            throw EngineError(.wrongKeyLifecycleState, "base object \(baseUID) is \(base.state)")
        }
        guard base.usageMask & CryptographicUsageMaskBits.deriveKey.rawValue != 0 else {
            throw EngineError(.incompatibleUsageMask, "base object \(baseUID) may not derive keys (Cryptographic Usage Mask)")
        }
        // The derived value is a function of the base key (ENCRYPT: AES(base, data)): were it readable
        // while the base is not, Derive Key would be an encryption oracle on the base.
        try Protection.checkRequested(object.attributes, source: base)
        let dp = request.parameters
        let data = dp.derivationData
        let mechanism: DerivationMechanism
        switch method {
        case .encrypt:
            guard let data, !data.isEmpty else { throw EngineError(.invalidField, "ENCRYPT derivation needs Derivation Data") }
            let params = dp.cryptographicParameters ?? CryptographicParameters()
            switch params.blockCipherMode {
            case nil, .ecb?: mechanism = .aesECBEncryptData(data)
            case .cbc?:
                guard let iv = dp.initializationVector, iv.count == 16 else {
                    throw EngineError(.invalidField, "CBC derivation needs a 16-byte Initialization Vector")
                }
                mechanism = .aesCBCEncryptData(iv: iv, data: data)
            case let m?: throw EngineError(.featureNotSupported, "ENCRYPT derivation with \(m) is not supported (ECB, CBC are)")
            }
        case .asymmetricKey:
            // The peer's public key: a second Unique Identifier, or its point as Derivation Data.
            var point = data
            if point == nil, uids.count > 1 {
                let peer = try await context.fetch(uids[1])
                let alg = peer.cryptographicAlgorithm ?? CryptographicAlgorithm(rawValue: 0)
                if case .ecPublic(_, let p) = try await context.services.token.readAsymmetricKey(id: peer.uid, algorithm: alg, isPrivate: false) {
                    point = p
                }
            }
            guard let point else { throw EngineError(.invalidField, "ECDH needs the peer's public key (a second Unique Identifier or Derivation Data)") }
            mechanism = .ecdh(peerPoint: point)
        default:
            throw EngineError(.featureNotSupported,
                              "Derivation Method \(method) is not supported: the token has no derive mechanism for it and the secret may not leave it")
        }
        let uid = object.uid
        object.set(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue))
        object.attributes.append(Replacement.link(.derivationBaseObjectLink, baseUID))
        Protection.inherit(&object, from: base)
        let extractable = ObjectFactory.applyServerAttributes(&object, context)
        let spec = ObjectFactory.secretKeySpec(object, algorithm: algorithm, lengthBits: length, extractable: extractable)
        try await ObjectFactory.persist(object, context, generated: true) { token async throws(EngineError) in
            try await token.deriveSecretKey(id: uid, spec: spec, baseKeyID: baseUID, method: mechanism)
        }
        var updatedBase = base
        updatedBase.attributes.append(Replacement.link(.derivedKeyLink, uid))
        try await context.saveChange(updatedBase)
        return IdentifierResponse(uid)
    }
}
