import KMIP
import Foundation

/// Register (KMIP 2.1 §6.1.43): symmetric keys are imported into the token; secret and opaque data are
/// stored in the token as private data objects. Nothing secret reaches the store.
struct RegisterHandler: OperationHandler {
    func handle(_ request: RegisterRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        try await register(request, context, uid: UUID().uuidString.lowercased())
    }

    /// What Register checks before it touches the token or the store: the attributes as a client may give
    /// them, and a plain value parsed as its Register path parses it. Import runs it before it replaces
    /// an object, so that a request refused for its own content leaves the old object in place. (A wrapped
    /// value is unwrapped in the token, so only the token can tell.)
    func check(_ request: RegisterRequest, _ context: RequestContext, uid: String) throws(EngineError) {
        guard let value = request.object else { throw EngineError(.invalidObjectType, "kmipd does not store \(request.objectType) objects") }
        let object = try ObjectFactory.newObject(request.objectType, uid: uid, attributes: request.attributes, tokenObject: nil, context)
        if case .splitKey = value { return }
        if let block = value.keyBlock, block.wrappingData != nil { return }
        if let block = value.keyBlock, case .absent = block.value { return }
        switch value {
        case .publicKey(let block), .privateKey(let block): _ = try AsymmetricKeyBlock.parse(block, objectType: request.objectType)
        case .certificate(_, let der): _ = try CertificateAttributes.parse(der)
        default:
            let parsed = try KeyBlockCodec.parse(value)
            guard !parsed.material.isEmpty else { throw EngineError(.invalidField, "empty key material") }
            if request.objectType == .symmetricKey { _ = try Self.symmetricKey(parsed, object) }
        }
    }

    /// A symmetric key's algorithm (the Key Block's, else the attribute's) and length, which must be the
    /// material's (3DES keys carry parity bits, so their length is left as given).
    static func symmetricKey(_ parsed: KeyBlockCodec.Parsed, _ object: ManagedObject) throws(EngineError) -> (CryptographicAlgorithm, Int) {
        guard let alg = parsed.algorithm ?? object.cryptographicAlgorithm else {
            throw EngineError(.invalidField, "a symmetric key needs Cryptographic Algorithm")
        }
        let bits = parsed.material.count * 8
        if let l = parsed.lengthBits, l != bits, alg != ._3des {
            throw EngineError(.invalidField, "Cryptographic Length \(l) does not match \(bits) bits of key material")
        }
        return (alg, parsed.lengthBits ?? bits)
    }

    /// Register under `uid` (a new UUID, or the one Import names).
    func register(_ request: RegisterRequest, _ context: RequestContext, uid: String) async throws(EngineError) -> IdentifierResponse {
        let objectType = request.objectType
        guard let value = request.object else {
            // Templates (deprecated in 1.3, gone in 2.0), PGP Keys and Certificate Requests (README).
            throw EngineError(.invalidObjectType, "kmipd does not store \(objectType) objects")
        }
        if case .splitKey(let share) = value { return try await registerSplitKey(share, request.attributes, context, uid: uid) }
        if let block = value.keyBlock, case .absent = block.value { return try await registerMetadataOnly(value, block, request.attributes, context, uid: uid) }
        if let block = value.keyBlock, let wrapping = block.wrappingData {
            return try await registerWrapped(value, block, wrapping, request.attributes, context, uid: uid)
        }
        switch value {
        case .publicKey(let block), .privateKey(let block):
            return try await registerAsymmetric(objectType, block, request.attributes, context, uid: uid)
        case .certificate(let type, let der):
            guard type == .x509 else { throw EngineError(.featureNotSupported, "only X.509 certificates are supported") }
            return try await registerCertificate(der, request.attributes, context, uid: uid)
        default: break
        }
        let parsed = try KeyBlockCodec.parse(value)
        guard !parsed.material.isEmpty else { throw EngineError(.invalidField, "empty key material") }
        var object = try ObjectFactory.newObject(objectType, uid: uid, attributes: request.attributes + parsed.embeddedAttributes,
                                                 tokenObject: objectType == .symmetricKey ? .secretKey : .data, context)
        if objectType != .opaqueObject { object.set(.keyFormatType, .enumeration(parsed.formatType.rawValue)) }
        switch objectType {
        case .symmetricKey:
            let (alg, length) = try Self.symmetricKey(parsed, object)
            object.cryptographicAlgorithm = alg
            object.cryptographicLength = length
        case .secretData:
            object.set(.secretDataType, .enumeration((parsed.secretDataType ?? .password).rawValue))
        case .opaqueObject:
            object.set(.opaqueDataType, .enumeration((parsed.opaqueDataType ?? .unknown).rawValue))
        default:
            throw EngineError(.invalidObjectType, "Register of \(objectType) is not supported yet")
        }
        let extractable = ObjectFactory.applyServerAttributes(&object, context)
        let label = ObjectFactory.label(object)
        let material = parsed.material
        if objectType == .symmetricKey {
            let spec = SecretKeySpec(algorithm: object.cryptographicAlgorithm ?? CryptographicAlgorithm(rawValue: 0),
                                     lengthBits: material.count * 8, extractable: extractable,
                                     usage: CryptographicUsageMaskBits(rawValue: object.usageMask), label: label)
            try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
                try await token.importSecretKey(id: uid, spec: spec, material: material)
            }
        } else {
            try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
                try await token.storeData(id: uid, label: label, bytes: material)
            }
        }
        return IdentifierResponse(uid)
    }

    /// Public and private keys: components into the token, the registered format remembered.
    func registerAsymmetric(_ type: ObjectType, _ block: KeyBlock, _ attrs: [Attribute], _ context: RequestContext,
                            uid: String) async throws(EngineError) -> IdentifierResponse {
        let (key, encoding) = try AsymmetricKeyBlock.parse(block, objectType: type)
        var object = try ObjectFactory.newObject(type, uid: uid, attributes: attrs, tokenObject: type == .privateKey ? .privateKey : .publicKey,
                                                 context)
        object.cryptographicAlgorithm = key.algorithm
        object.cryptographicLength = key.lengthBits
        object.set(.keyFormatType, .enumeration(block.formatType.rawValue))
        if let encoding { object.keyEncoding = encoding }
        let extractable = ObjectFactory.applyServerAttributes(&object, context)
        let label = ObjectFactory.label(object), usage = CryptographicUsageMaskBits(rawValue: object.usageMask)
        try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
            try await token.importAsymmetricKey(id: uid, label: label, key: key, extractable: extractable || type == .publicKey, usage: usage)
        }
        return IdentifierResponse(uid)
    }

    /// X.509 certificates: stored in the token, their fields derived as attributes.
    func registerCertificate(_ der: [UInt8], _ attrs: [Attribute], _ context: RequestContext, uid: String) async throws(EngineError) -> IdentifierResponse {
        let parsed = try CertificateAttributes.parse(der)
        var attributes = attrs
        // A client may echo what the certificate says (e.g. Certificate Type); a contradiction is refused.
        for a in attrs where parsed.attributes.contains(where: { $0.key == a.key }) {
            guard parsed.attributes.contains(a) else { throw EngineError(.invalidField, "\(a.name) contradicts the certificate") }
            attributes.removeAll { $0 == a }
        }
        var object = try ObjectFactory.newObject(.certificate, uid: uid, attributes: attributes, tokenObject: .certificate, context)
        object.attributes += parsed.attributes
        ObjectFactory.applyServerAttributes(&object, context)
        object.attributes.remove(.extractable, .sensitive, .alwaysSensitive, .neverExtractable, .leaseTime)
        let label = ObjectFactory.label(object), subject = parsed.subjectDER
        try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
            try await token.storeCertificate(id: uid, label: label, der: der, subjectDER: subject)
        }
        return IdentifierResponse(uid)
    }

    /// A wrapped key (KMIP 2.1 §2.1.5 Key Wrapping Data). A symmetric key whose wrapping key kmipd
    /// holds is unwrapped by C_UnwrapKey, so the plaintext key never exists outside the token. Any other
    /// — the wrapping key is not here, the encoding needs the plain key on the host, or it is not a
    /// symmetric key — is kept as it came: its wrapped bytes in the token, its Key Block as a record,
    /// returned by Get as registered and never used for cryptography. Either way the Wrapping Key Link
    /// names the key the client wrapped it with.
    func registerWrapped(_ value: ObjectValue, _ block: KeyBlock, _ wrappingData: KeyWrappingData, _ attrs: [Attribute],
                         _ context: RequestContext, uid: String) async throws(EngineError) -> IdentifierResponse {
        guard let wrapped = block.value.wrappedBytes, !wrapped.isEmpty else {
            throw EngineError(.invalidField, "a wrapped Key Value must carry the wrapped bytes")
        }
        var attributes = attrs
        if let by = wrappingData.encryptionKey?.uniqueIdentifier { attributes.append(Replacement.link(.wrappingKeyLink, by)) }
        var wrapping: KeyWrapping?
        if value.objectType == .symmetricKey {
            do { wrapping = try await KeyWrapping.read(wrappingData, context) } catch where [.itemNotFound, .featureNotSupported].contains(error.code) {
                wrapping = nil
            }
        }
        guard let wrapping else { return try await keepWrapped(value, block, wrapped, attributes, context, uid: uid) }
        guard let alg = block.algorithm, let length = block.length else {
            throw EngineError(.invalidField, "a wrapped key block needs Cryptographic Algorithm and Cryptographic Length")
        }
        var object = try ObjectFactory.newObject(.symmetricKey, uid: uid, attributes: attributes, tokenObject: .secretKey, context)
        object.cryptographicAlgorithm = alg
        object.cryptographicLength = length
        object.set(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue))
        let extractable = ObjectFactory.applyServerAttributes(&object, context)
        let spec = ObjectFactory.secretKeySpec(object, algorithm: alg, lengthBits: length, extractable: extractable)
        if wrapping.isTTLV {
            // A wrapped TTLV-encoded Key Value: unwrapped, read and imported, as a plain Register is.
            let encoded = try await context.services.token.unwrapBytes(wrapped, unwrappingKeyID: wrapping.wrappingKey.uid, mechanism: wrapping.mechanism)
            let material: [UInt8]
            do {
                let keyValue = try TTLVDecoder(limits: TTLVLimits()).decode(encoded)
                guard keyValue.tag == .keyValue, let m = keyValue.first(.keyMaterial)?.bytes, m.count * 8 == length else {
                    throw KMIPCodecError(.invalidValue, "the unwrapped Key Value holds no Key Material of \(length) bits", tag: .keyValue)
                }
                material = m
            } catch { throw EngineError(.invalidField, "the unwrapped value is not a TTLV Key Value: \(error)") }
            try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
                try await token.importSecretKey(id: uid, spec: spec, material: material)
            }
            return IdentifierResponse(uid)
        }
        try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
            try await token.unwrapSecretKey(id: uid, spec: spec, unwrappingKeyID: wrapping.wrappingKey.uid,
                                            mechanism: wrapping.mechanism, wrapped: wrapped)
        }
        return IdentifierResponse(uid)
    }
}
