import KMIP
import Foundation

/// Register (KMIP 2.1 §6.1.41): symmetric keys are imported into the token; secret and opaque data are
/// stored in the token as private data objects. Nothing secret reaches the store.
struct RegisterHandler: OperationHandler {
    static let operation = Operation.register

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        try await register(payload, context, uid: UUID().uuidString.lowercased())
    }

    /// Register under `uid` (a new UUID, or the one Import names).
    func register(_ payload: TTLV, _ context: RequestContext, uid: String) async throws(EngineError) -> TTLV {
        let objectType: ObjectType
        var attributes: [Attribute]
        do {
            objectType = ObjectType(rawValue: try payload.requiredEnum(.objectType))
            attributes = try AttributeList.inRequest(payload)
        } catch { throw EngineError(error) }
        switch objectType {
        case .publicKey, .privateKey: return try await registerAsymmetric(objectType, payload, attributes, context, uid: uid)
        case .certificate: return try await registerCertificate(payload, attributes, context, uid: uid)
        case .symmetricKey:
            if let block = payload.first(.symmetricKey)?.first(.keyBlock), let wrapping = block.first(.keyWrappingData) {
                return try await registerWrapped(block, wrapping, attributes, context, uid: uid)
            }
        default: break
        }
        let parsed = try KeyBlockCodec.parse(objectType: objectType, payload: payload)
        attributes += parsed.embeddedAttributes
        try AttributeRules.validateClientAttributes(&attributes)
        attributes.removeAll { $0.name == "Object Type" }
        guard !parsed.material.isEmpty else { throw EngineError(.invalidField, "empty key material") }

        var object = ManagedObject(uid: uid, objectType: objectType, owner: context.identity, attributes: attributes,
                                   tokenObject: objectType == .symmetricKey ? .secretKey : .data)
        if objectType != .opaqueObject { object.set(.keyFormatType, .enumeration(parsed.formatType.rawValue)) }
        switch objectType {
        case .symmetricKey:
            guard let alg = parsed.algorithm ?? attributes.first(where: { $0.name == "Cryptographic Algorithm" })?.value.enumValue.map(CryptographicAlgorithm.init(rawValue:)) else {
                throw EngineError(.invalidField, "a symmetric key needs Cryptographic Algorithm")
            }
            let bits = parsed.material.count * 8
            if let l = parsed.lengthBits, l != bits, alg != ._3des {
                throw EngineError(.invalidField, "Cryptographic Length \(l) does not match \(bits) bits of key material")
            }
            object.set(.cryptographicAlgorithm, .enumeration(alg.rawValue))
            object.set(.cryptographicLength, .integer(Int32(parsed.lengthBits ?? bits)))
        case .secretData:
            object.set(.secretDataType, .enumeration((parsed.secretDataType ?? .password).rawValue))
        case .opaqueObject:
            object.set(.opaqueDataType, .enumeration((parsed.opaqueDataType ?? .unknown).rawValue))
        default:
            throw EngineError(.invalidObjectType, "Register of \(objectType) is not supported yet")
        }
        let extractable = NewObject.applyServerAttributes(&object, context)
        let label = NewObject.label(object)
        let material = parsed.material
        if objectType == .symmetricKey {
            let spec = SecretKeySpec(algorithm: CryptographicAlgorithm(rawValue: object.first(.cryptographicAlgorithm)!.value.enumValue!),
                                     lengthBits: material.count * 8, extractable: extractable,
                                     usage: CryptographicUsageMaskBits(rawValue: object.usageMask), label: label)
            try await NewObject.persist(object, context, generated: false) { token async throws(EngineError) in
                try await token.importSecretKey(id: uid, spec: spec, material: material)
            }
        } else {
            try await NewObject.persist(object, context, generated: false) { token async throws(EngineError) in
                try await token.storeData(id: uid, label: label, bytes: material)
            }
        }
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }

    /// Public and private keys: components into the token, the registered format remembered.
    func registerAsymmetric(_ type: ObjectType, _ payload: TTLV, _ attrs: [Attribute], _ context: RequestContext, uid: String) async throws(EngineError) -> TTLV {
        let block: TTLV
        do { block = try payload.required(type == .privateKey ? .privateKey : .publicKey).required(.keyBlock) } catch { throw EngineError(error) }
        let (key, format) = try AsymmetricKeyBlock.parse(block, objectType: type)
        var attributes = attrs
        try AttributeRules.validateClientAttributes(&attributes)
        attributes.removeAll { $0.name == "Object Type" }
        var object = ManagedObject(uid: uid, objectType: type, owner: context.identity, attributes: attributes,
                                   tokenObject: type == .privateKey ? .privateKey : .publicKey)
        object.set(.cryptographicAlgorithm, .enumeration(key.algorithm.rawValue))
        object.set(.cryptographicLength, .integer(Int32(key.lengthBits)))
        object.set(.keyFormatType, .enumeration(format.rawValue))
        let extractable = NewObject.applyServerAttributes(&object, context)
        let label = NewObject.label(object), usage = CryptographicUsageMaskBits(rawValue: object.usageMask)
        try await NewObject.persist(object, context, generated: false) { token async throws(EngineError) in
            try await token.importAsymmetricKey(id: uid, label: label, key: key, extractable: extractable || type == .publicKey, usage: usage)
        }
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }

    /// X.509 certificates: stored in the token, their fields derived as attributes.
    func registerCertificate(_ payload: TTLV, _ attrs: [Attribute], _ context: RequestContext, uid: String) async throws(EngineError) -> TTLV {
        let der: [UInt8]
        do {
            let c = try payload.required(.certificate)
            guard try c.requiredEnum(.certificateType) == CertificateType.x509.rawValue else {
                throw EngineError(.featureNotSupported, "only X.509 certificates are supported")
            }
            guard let v = try c.required(.certificateValue).bytes else { throw EngineError(.invalidField, "Certificate Value must be a Byte String") }
            der = v
        } catch { throw EngineError.from(error) }
        let parsed = try CertificateAttributes.parse(der)
        var attributes = attrs
        // A client may echo what the certificate says (e.g. Certificate Type); a contradiction is refused.
        for a in attrs where parsed.attributes.contains(where: { $0.name == a.name }) {
            guard parsed.attributes.contains(a) else { throw EngineError(.invalidField, "\(a.name) contradicts the certificate") }
            attributes.removeAll { $0 == a }
        }
        try AttributeRules.validateClientAttributes(&attributes)
        attributes.removeAll { $0.name == "Object Type" }
        var object = ManagedObject(uid: uid, objectType: .certificate, owner: context.identity,
                                   attributes: attributes + parsed.attributes, tokenObject: .certificate)
        NewObject.applyServerAttributes(&object, context)
        object.attributes.removeAll { ["Extractable", "Sensitive", "Always Sensitive", "Never Extractable", "Lease Time"].contains($0.name) }
        let label = NewObject.label(object), subject = parsed.subjectDER
        try await NewObject.persist(object, context, generated: false) { token async throws(EngineError) in
            try await token.storeCertificate(id: uid, label: label, der: der, subjectDER: subject)
        }
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }

    /// A wrapped symmetric key: C_UnwrapKey with the unwrapping key in the token, so the plaintext key
    /// never exists outside it (KMIP 2.1 §3.3 Key Wrapping Data).
    func registerWrapped(_ block: TTLV, _ wrappingData: TTLV, _ attrs: [Attribute], _ context: RequestContext, uid: String) async throws(EngineError) -> TTLV {
        let wrapping = try await KeyWrapping.read(wrappingData, context, wrapping: false)
        guard let wrapped = block.first(.keyValue)?.bytes ?? block.first(.keyValue)?.first(.keyMaterial)?.bytes, !wrapped.isEmpty else {
            throw EngineError(.invalidField, "a wrapped Key Value must be a Byte String")
        }
        guard let algValue = block.first(.cryptographicAlgorithm)?.enumValue, let length = block.first(.cryptographicLength)?.int32 else {
            throw EngineError(.invalidField, "a wrapped key block needs Cryptographic Algorithm and Cryptographic Length")
        }
        var attributes = attrs
        try AttributeRules.validateClientAttributes(&attributes)
        attributes.removeAll { $0.name == "Object Type" }
        var object = ManagedObject(uid: uid, objectType: .symmetricKey, owner: context.identity, attributes: attributes, tokenObject: .secretKey)
        object.set(.cryptographicAlgorithm, .enumeration(algValue))
        object.set(.cryptographicLength, .integer(length))
        object.set(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue))
        let extractable = NewObject.applyServerAttributes(&object, context)
        let spec = SecretKeySpec(algorithm: CryptographicAlgorithm(rawValue: algValue), lengthBits: Int(length), extractable: extractable,
                                 usage: CryptographicUsageMaskBits(rawValue: object.usageMask), label: NewObject.label(object))
        try await NewObject.persist(object, context, generated: false) { token async throws(EngineError) in
            try await token.unwrapSecretKey(id: uid, spec: spec, unwrappingKeyID: wrapping.wrappingKey.uid,
                                            mechanism: wrapping.mechanism, wrapped: wrapped)
        }
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }
}
