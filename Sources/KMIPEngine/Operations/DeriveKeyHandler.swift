import Foundation
import KMIP

/// Derive Key (KMIP 2.1 §6.1.14): a Symmetric Key or Secret Data from a key or Secret Data object.
/// ENCRYPT and Asymmetric Key (ECDH) into a symmetric key run in the token (C_DeriveKey), so the
/// derived key never reaches the host. The hash-based methods (HASH, HMAC, HKDF, PBKDF2, NIST SP
/// 800-108 counter mode; `DerivedSecret`) compute the derived value, which is then imported into the
/// token as Register does; their base stays in the token unless it may leave it anyway.
struct DeriveKeyHandler: OperationHandler {
    func handle(_ request: DeriveKeyRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let type = request.objectType
        guard type == .symmetricKey || type == .secretData else {
            throw EngineError(.invalidObjectType, "Derive Key makes Symmetric Keys and Secret Data, not \(type)")
        }
        var object = try ObjectFactory.newObject(type, attributes: request.attributes, tokenObject: type == .symmetricKey ? .secretKey : .data, context)
        guard let length = object.cryptographicLength else { throw EngineError(.invalidField, "Derive Key needs the Cryptographic Length to derive") }
        guard length > 0, length % 8 == 0, length / 8 <= KeyDerivationFunctions.maximumOutputBytes else {
            throw EngineError(.invalidField, "Cryptographic Length \(length) is not a whole number of bytes up to \(KeyDerivationFunctions.maximumOutputBytes * 8) bits")
        }
        if type == .symmetricKey && object.cryptographicAlgorithm == nil {
            throw EngineError(.invalidField, "a derived key needs Cryptographic Algorithm")
        }
        let uids = request.uniqueIdentifiers
        let baseUID = try context.uid(uids.first)
        let base = try await context.fetch(baseUID)
        guard Lifecycle.mayDerive(base, now: context.now) else {
            throw EngineError(.wrongKeyLifecycleState, "base object \(baseUID) is \(base.state)")
        }
        guard base.keyValueUsable else { throw EngineError(.keyValueNotPresent, "base object \(baseUID) cannot be used: \(base.unusableValueReason)") }
        guard base.usageMask & CryptographicUsageMaskBits.deriveKey.rawValue != 0 else {
            throw EngineError(.incompatibleUsageMask, "base object \(baseUID) may not derive keys (Cryptographic Usage Mask)")
        }
        // The derived value is a function of the base (ENCRYPT: AES(base, data)): were it readable
        // while the base is not, Derive Key would be an oracle on the base.
        try Protection.checkRequested(object.attributes, source: base)

        let uid = object.uid
        if type == .symmetricKey { object.set(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)) }
        else { object.set(.secretDataType, .enumeration(SecretDataType.seed.rawValue)) }
        object.attributes.append(Replacement.link(.derivationBaseObjectLink, baseUID))
        Protection.inherit(&object, from: base)
        if type == .symmetricKey, let mechanism = try await Self.tokenMechanism(request, base, bytes: length / 8, context) {
            let extractable = ObjectFactory.applyServerAttributes(&object, context)
            let spec = ObjectFactory.secretKeySpec(object, algorithm: object.cryptographicAlgorithm!, lengthBits: length, extractable: extractable)
            try await ObjectFactory.persist(object, context, generated: true) { token async throws(EngineError) in
                try await token.deriveSecretKey(id: uid, spec: spec, baseKeyID: baseUID, method: mechanism)
            }
        } else {
            let material = try await DerivedSecret.compute(request, base: base, bytes: length / 8, context)
            let extractable = ObjectFactory.applyServerAttributes(&object, context)
            let label = ObjectFactory.label(object)
            if type == .symmetricKey {
                let spec = ObjectFactory.secretKeySpec(object, algorithm: object.cryptographicAlgorithm!, lengthBits: length, extractable: extractable)
                try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
                    try await token.importSecretKey(id: uid, spec: spec, material: material)
                }
            } else {
                try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
                    try await token.storeData(id: uid, label: label, bytes: material)
                }
            }
        }
        var updatedBase = base
        updatedBase.attributes.append(Replacement.link(.derivedKeyLink, uid))
        try await context.saveChange(updatedBase)
        return IdentifierResponse(uid)
    }

    /// The C_DeriveKey mechanism for ENCRYPT with an AES base and for ECDH; nil for the methods
    /// `DerivedSecret` computes.
    static func tokenMechanism(_ request: DeriveKeyRequest, _ base: ManagedObject, bytes: Int,
                               _ context: RequestContext) async throws(EngineError) -> DerivationMechanism? {
        let dp = request.parameters
        switch request.method {
        case .encrypt:
            guard let data = dp.derivationData, !data.isEmpty else { throw EngineError(.invalidField, "ENCRYPT derivation needs Derivation Data") }
            // The derived value is the encrypted data, unpadded (CKM_AES_*_ENCRYPT_DATA): whole blocks,
            // and at least as long as the key asked for — else the token fails with CKR_FUNCTION_FAILED.
            guard data.count % 16 == 0, data.count >= bytes else {
                throw EngineError(.invalidField, "ENCRYPT derivation encrypts the Derivation Data: give whole 16-byte blocks, at least \(bytes) bytes for a \(bytes * 8)-bit key (got \(data.count))")
            }
            try DerivedSecret.checkAES(base, dp)
            switch dp.cryptographicParameters?.blockCipherMode {
            case nil, .ecb?: return .aesECBEncryptData(data)
            case .cbc?:
                guard let iv = dp.initializationVector, iv.count == 16 else {
                    throw EngineError(.invalidField, "CBC derivation needs a 16-byte Initialization Vector")
                }
                return .aesCBCEncryptData(iv: iv, data: data)
            case let m?: throw EngineError(.featureNotSupported, "ENCRYPT derivation with \(m) is not supported (ECB, CBC are)")
            }
        case .asymmetricKey:
            // The peer's public key: a second Unique Identifier, or its point as Derivation Data.
            var point = dp.derivationData
            let uids = request.uniqueIdentifiers
            if point == nil, uids.count > 1 {
                let peer = try await context.fetch(uids[1])
                let alg = peer.cryptographicAlgorithm ?? CryptographicAlgorithm(rawValue: 0)
                if case .ecPublic(_, let p) = try await context.services.token.readAsymmetricKey(id: peer.uid, algorithm: alg, isPrivate: false) {
                    point = p
                }
            }
            guard let point else { throw EngineError(.invalidField, "ECDH needs the peer's public key (a second Unique Identifier or Derivation Data)") }
            return .ecdh(peerPoint: point)
        default:
            return nil
        }
    }
}
