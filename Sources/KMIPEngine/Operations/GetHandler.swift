import KMIP

/// Get (KMIP 2.1 §6.1.22): key material leaves the token only for Extractable, non-Sensitive objects.
struct GetHandler: OperationHandler {
    static let operation = Operation.get

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        let object = try await context.fetch(uid)
        let format: KeyFormatType?
        do { format = try payload.optionalEnum(.keyFormatType).map(KeyFormatType.init(rawValue:)) } catch { throw EngineError(error) }
        if payload.first(.keyWrappingSpecification) != nil {
            throw EngineError(.featureNotSupported, "wrapped Get is not supported yet")
        }
        if let c = payload.first(.keyCompressionType), c.enumValue != nil {
            throw EngineError(.featureNotSupported, "Key Compression Type applies to elliptic-curve keys only")
        }
        guard !Lifecycle.isDestroyed(object.state), object.tokenObject != nil else {
            throw EngineError(.objectDestroyed, "object \(uid) is destroyed; its key material is gone")
        }
        let sensitive = object.first(.sensitive)?.value.bool ?? false
        let isPublic = object.objectType == .publicKey || object.objectType == .certificate
        guard !sensitive && (isPublic || object.extractable) else {
            throw EngineError(.objectNotExtractable, "object \(uid) is not extractable")
        }
        let body: TTLV
        switch object.objectType {
        case .publicKey, .privateKey:
            guard let alg = object.first(.cryptographicAlgorithm)?.value.enumValue.map(CryptographicAlgorithm.init(rawValue:)) else {
                throw EngineError(.generalFailure, "object \(uid) has no Cryptographic Algorithm")
            }
            let key = try await context.services.token.readAsymmetricKey(id: uid, algorithm: alg, isPrivate: object.objectType == .privateKey)
            body = try AsymmetricKeyBlock.encode(key, format: format ?? object.defaultKeyFormat ?? AsymmetricKeyBlock.defaultFormat(key), object: object)
        case .certificate:
            let der = try await context.services.token.readValue(id: uid)
            body = .structure(.certificate, [TTLV(.certificateType, .enumeration(CertificateType.x509.rawValue)),
                                             TTLV(.certificateValue, .byteString(der))])
        default:
            body = try await secretBody(object, format, context)
        }
        try await markRetrieved(object, context)
        context.idPlaceholder = uid
        return response([TTLV(.objectType, .enumeration(object.objectType.rawValue)), TTLV(.uniqueIdentifier, .textString(uid)), body])
    }

    func secretBody(_ object: ManagedObject, _ format: KeyFormatType?, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let material = try await context.services.token.readValue(id: object.uid)
        let chosen: KeyFormatType = format ?? object.defaultKeyFormat ?? (object.objectType == .symmetricKey ? .raw : .opaque)
        return try KeyBlockCodec.encode(object, material: material, format: chosen)
    }

    /// Fresh (KMIP 2.1 §4.22): true until the object's value has been handed to a client.
    func markRetrieved(_ object: ManagedObject, _ context: RequestContext) async throws(EngineError) {
        guard object.first(.fresh)?.value.bool == true else { return }
        var retrieved = object
        retrieved.set(.fresh, .boolean(false))
        try await context.services.store.save(retrieved)
    }
}
