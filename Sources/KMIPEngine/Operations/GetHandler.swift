import KMIP

/// Get (KMIP 2.1 §6.1.22): key material leaves the token only for Extractable, non-Sensitive objects.
struct GetHandler: OperationHandler {
    static let operation = Operation.get

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        let object = try await context.fetch(uid)
        let format = try Self.requestedFormat(payload)
        let body: TTLV
        if let spec = payload.first(.keyWrappingSpecification) {
            body = try await wrapped(object, spec, format, context)
        } else {
            try Self.checkRetrievable(object)
            body = try await value(object, format, context)
        }
        try await markRetrieved(object, context)
        context.idPlaceholder = uid
        return response([TTLV(.objectType, .enumeration(object.objectType.rawValue)), TTLV(.uniqueIdentifier, .textString(uid)), body])
    }

    /// The Key Format Type asked for; wrapping and compression are refused for now.
    static func requestedFormat(_ payload: TTLV) throws(EngineError) -> KeyFormatType? {
        if payload.first(.keyCompressionType)?.enumValue != nil {
            throw EngineError(.featureNotSupported, "Key Compression Type applies to elliptic-curve points, which kmipd returns uncompressed")
        }
        guard let raw = payload.first(.keyFormatType) else { return nil }
        guard let v = raw.enumValue else { throw EngineError(.invalidField, "Key Format Type must be an Enumeration") }
        return KeyFormatType(rawValue: v)
    }

    /// Destroyed objects have no value; Sensitive or non-Extractable ones never leave the token.
    static func checkRetrievable(_ object: ManagedObject) throws(EngineError) {
        if Lifecycle.isDestroyed(object.state) || object.tokenObject == nil {
            throw EngineError(.objectDestroyed, "object \(object.uid) is destroyed; its key material is gone")
        }
        let sensitive = object.first(.sensitive)?.value.bool ?? false
        let isPublic = object.objectType == .publicKey || object.objectType == .certificate
        if sensitive || !(isPublic || object.extractable) {
            throw EngineError(.objectNotExtractable, "object \(object.uid) is not extractable")
        }
    }

    /// Get with a Key Wrapping Specification: C_WrapKey in the token. The key must be Extractable (a
    /// non-extractable key leaves the token in no form); Sensitive keys may leave only this way.
    func wrapped(_ object: ManagedObject, _ spec: TTLV, _ format: KeyFormatType?, _ context: RequestContext) async throws(EngineError) -> TTLV {
        guard object.objectType == .symmetricKey else {
            throw EngineError(.featureNotSupported, "wrapped Get is supported for symmetric keys")
        }
        if Lifecycle.isDestroyed(object.state) || object.tokenObject == nil {
            throw EngineError(.objectDestroyed, "object \(object.uid) is destroyed; its key material is gone")
        }
        guard object.extractable else { throw EngineError(.objectNotExtractable, "object \(object.uid) is not extractable, not even wrapped") }
        if let f = format, f != .raw { throw EngineError(.keyFormatNotSupported, "wrapped symmetric keys are Raw") }
        let wrapping = try await KeyWrapping.read(spec, context, wrapping: true)
        let bytes = try await context.services.token.wrap(id: object.uid, wrappingKeyID: wrapping.wrappingKey.uid, mechanism: wrapping.mechanism)
        var block = [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)), TTLV(.keyValue, .byteString(bytes))]
        if let alg = object.first(.cryptographicAlgorithm)?.value.enumValue { block.append(TTLV(.cryptographicAlgorithm, .enumeration(alg))) }
        if let len = object.first(.cryptographicLength)?.value.int32 { block.append(TTLV(.cryptographicLength, .integer(len))) }
        block.append(wrapping.keyWrappingData)
        return .structure(.symmetricKey, [.structure(.keyBlock, block)])
    }

    /// The managed-object structure of the response, converted to `format` where that applies.
    func value(_ object: ManagedObject, _ format: KeyFormatType?, _ context: RequestContext) async throws(EngineError) -> TTLV {
        switch object.objectType {
        case .publicKey, .privateKey: return try await keyPairHalf(object, format, context)
        case .certificate:
            let der = try await context.services.token.readValue(id: object.uid)
            return .structure(.certificate, [TTLV(.certificateType, .enumeration(CertificateType.x509.rawValue)),
                                             TTLV(.certificateValue, .byteString(der))])
        default: return try await secretBody(object, format, context)
        }
    }

    func keyPairHalf(_ object: ManagedObject, _ format: KeyFormatType?, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let algorithm = CryptographicAlgorithm(rawValue: object.first(.cryptographicAlgorithm)?.value.enumValue ?? 0)
        let key = try await context.services.token.readAsymmetricKey(id: object.uid, algorithm: algorithm,
                                                                     isPrivate: object.objectType == .privateKey)
        let chosen = format ?? object.defaultKeyFormat ?? AsymmetricKeyBlock.defaultFormat(key)
        return try AsymmetricKeyBlock.encode(key, format: chosen, object: object)
    }

    func secretBody(_ object: ManagedObject, _ format: KeyFormatType?, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let material = try await context.services.token.readValue(id: object.uid)
        let chosen: KeyFormatType = format ?? object.defaultKeyFormat ?? (object.objectType == .symmetricKey ? .raw : .opaque)
        return try KeyBlockCodec.encode(object, material: material, format: chosen)
    }

    /// Fresh (KMIP 2.1 §4.22): true until the object's value has been handed to a client.
    func markRetrieved(_ object: ManagedObject, _ context: RequestContext) async throws(EngineError) {
        guard object.first(.fresh)?.value.bool == true else { return }
        // Only the first retrieval writes, under the object's lock and from the stored value.
        try await context.services.locks.withLock(object.uid) { () async throws(EngineError) in
            guard var current = try await context.services.store.fetch(uid: object.uid), current.first(.fresh)?.value.bool == true else { return }
            current.set(.fresh, .boolean(false))
            try await context.services.store.save(current)
        }
    }
}
