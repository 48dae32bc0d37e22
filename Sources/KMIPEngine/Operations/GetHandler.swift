import KMIP

/// Get (KMIP 2.1 §6.1.19): key material leaves the token only for Extractable, non-Sensitive objects.
struct GetHandler: OperationHandler {
    func handle(_ request: GetRequest, _ context: RequestContext) async throws(EngineError) -> GetResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        let object = try await context.fetch(uid)
        if request.keyCompressionType != nil {
            throw EngineError(.featureNotSupported, "Key Compression Type applies to elliptic-curve points, which kmipd returns uncompressed")
        }
        let format = request.keyFormatType
        let body: ObjectValue
        if object.metadataOnly && !Lifecycle.isDestroyed(object.state) {
            // Key Value Location objects: their Key Block, without the value kmipd never had.
            let block = KeyBlock(formatType: object.defaultKeyFormat ?? .raw, value: .absent, algorithm: object.cryptographicAlgorithm,
                                 length: object.cryptographicLength)
            switch object.objectType {
            case .symmetricKey: body = .symmetricKey(block)
            case .privateKey: body = .privateKey(block)
            case .publicKey: body = .publicKey(block)
            default: body = .secretData(object.first(.secretDataType)?.value.enumValue.map(SecretDataType.init(rawValue:)) ?? .password, block)
            }
        } else if let kept = object.storedWrappedBlock {
            body = try await Self.asRegistered(object, kept, request, context)
        } else if let spec = request.keyWrappingSpecification {
            body = try await wrapped(object, spec, format, context)
        } else {
            try Self.checkRetrievable(object)
            body = try await value(object, format, context)
        }
        try await markRetrieved(object, context)
        context.idPlaceholder = uid
        return GetResponse(uid, object: body)
    }

    /// Destroyed objects have no value; Sensitive or non-Extractable ones never leave the token in
    /// plain. Not Extractable is the stronger reason and wins when both hold (KMIP 2.1 §4.23, §4.55).
    static func checkRetrievable(_ object: ManagedObject) throws(EngineError) {
        if Lifecycle.isDestroyed(object.state) || object.tokenObject == nil {
            throw EngineError(.objectDestroyed, "object \(object.uid) is destroyed; its key material is gone")
        }
        let isPublic = object.objectType == .publicKey || object.objectType == .certificate
        if !(isPublic || object.extractable) {
            throw EngineError(.objectNotExtractable, "object \(object.uid) is not extractable")
        }
        if object.sensitive {
            throw EngineError(.sensitive, "object \(object.uid) is sensitive: it leaves the token only wrapped")
        }
    }

    /// A key held wrapped as it was registered: returned as it came (its Key Block and Key Wrapping
    /// Data); kmipd can neither unwrap it nor wrap it again.
    static func asRegistered(_ object: ManagedObject, _ kept: KeyBlock, _ request: GetRequest, _ context: RequestContext) async throws(EngineError) -> ObjectValue {
        if Lifecycle.isDestroyed(object.state) || object.tokenObject == nil {
            throw EngineError(.objectDestroyed, "object \(object.uid) is destroyed; its key material is gone")
        }
        guard object.extractable else { throw EngineError(.objectNotExtractable, "object \(object.uid) is not extractable") }
        guard request.keyWrappingSpecification == nil, request.keyFormatType == nil || request.keyFormatType == kept.formatType else {
            throw EngineError(.keyValueNotPresent, "object \(object.uid) is held wrapped as registered; it is returned only as it came")
        }
        var block = kept
        let bytes = try await context.services.token.readValue(id: object.uid)
        if case .wrapped = kept.value { block.value = .wrapped(bytes) } else { block.value = .wrappedMaterial(bytes) }
        switch object.objectType {
        case .symmetricKey: return .symmetricKey(block)
        case .privateKey: return .privateKey(block)
        case .publicKey: return .publicKey(block)
        default:
            let type = object.first(.secretDataType)?.value.enumValue.map(SecretDataType.init(rawValue:)) ?? .password
            return .secretData(type, block)
        }
    }

    /// Get with a Key Wrapping Specification: C_WrapKey in the token. The key must be Extractable (a
    /// non-extractable key leaves the token in no form); Sensitive keys may leave only this way.
    func wrapped(_ object: ManagedObject, _ spec: KeyWrappingSpecification, _ format: KeyFormatType?,
                 _ context: RequestContext) async throws(EngineError) -> ObjectValue {
        // C_WrapKey wraps key objects: a symmetric key's value, a private key as PKCS#8. Secret Data is
        // a data object in the token, which C_WrapKey cannot take.
        guard object.objectType == .symmetricKey || object.objectType == .privateKey else {
            throw EngineError(.featureNotSupported, "wrapped Get is supported for symmetric and private keys, not \(object.objectType)")
        }
        if Lifecycle.isDestroyed(object.state) || object.tokenObject == nil {
            throw EngineError(.objectDestroyed, "object \(object.uid) is destroyed; its key material is gone")
        }
        guard object.extractable else { throw EngineError(.objectNotExtractable, "object \(object.uid) is not extractable, not even wrapped") }
        let isKey = object.objectType == .symmetricKey
        let wrappedFormat: KeyFormatType = isKey ? .raw : .pkcs8
        if let f = format, f != wrappedFormat { throw EngineError(.keyFormatNotSupported, "wrapped \(object.objectType)s are \(wrappedFormat)") }
        let wrapping = try await KeyWrapping.read(spec, context)
        let token = context.services.token
        let bytes: [UInt8]
        if wrapping.isTTLV {
            // The Key Value structure, TTLV-encoded, is what is wrapped: its plaintext is on the host, so
            // only for a symmetric key that may leave the token in plain anyway.
            guard isKey, !object.sensitive else {
                throw EngineError(.featureNotSupported, "TTLV Encoding wraps the Key Value on the host; a Sensitive key or a private key leaves only with No Encoding")
            }
            let keyValue = TTLV.structure(.keyValue, [TTLV(.keyMaterial, .byteString(try await token.readValue(id: object.uid)))])
            bytes = try await token.wrapBytes(TTLVEncoder.encode(keyValue), wrappingKeyID: wrapping.wrappingKey.uid, mechanism: wrapping.mechanism)
        } else {
            bytes = try await token.wrap(id: object.uid, wrappingKeyID: wrapping.wrappingKey.uid, mechanism: wrapping.mechanism)
        }
        let block = KeyBlock(formatType: wrappedFormat, value: .wrapped(bytes), algorithm: object.cryptographicAlgorithm,
                             length: object.cryptographicLength, wrappingData: wrapping.keyWrappingData)
        return isKey ? .symmetricKey(block) : .privateKey(block)
    }

    /// The managed-object structure of the response, converted to `format` where that applies.
    func value(_ object: ManagedObject, _ format: KeyFormatType?, _ context: RequestContext) async throws(EngineError) -> ObjectValue {
        switch object.objectType {
        case .publicKey, .privateKey: return try await keyPairHalf(object, format, context)
        case .certificate:
            let der = try await context.services.token.readValue(id: object.uid)
            return .certificate(.x509, der)
        case .splitKey:
            guard var share = object.splitKeyRecord else { throw EngineError(.generalFailure, "split key \(object.uid) has no record") }
            if let format, format != share.keyBlock.formatType { throw EngineError(.keyFormatNotSupported, "a Split Key share is returned as registered") }
            let bytes = try await context.services.token.readValue(id: object.uid)
            switch share.keyBlock.value {
            case .wrapped: share.keyBlock.value = .wrapped(bytes)
            case .wrappedMaterial: share.keyBlock.value = .wrappedMaterial(bytes)
            case .plain, .absent: share.keyBlock.value = .plain(.bytes(bytes), attributes: [])
            }
            return .splitKey(share)
        default: return try await secretBody(object, format, context)
        }
    }

    func keyPairHalf(_ object: ManagedObject, _ format: KeyFormatType?, _ context: RequestContext) async throws(EngineError) -> ObjectValue {
        let algorithm = object.cryptographicAlgorithm ?? CryptographicAlgorithm(rawValue: 0)
        let key = try await context.services.token.readAsymmetricKey(id: object.uid, algorithm: algorithm,
                                                                     isPrivate: object.objectType == .privateKey)
        // Asked for nothing: the key as it was registered, its Key Format Type and its bytes, even when
        // the two did not agree (see AsymmetricKeyBlock.parse).
        if format == nil, let encoding = object.keyEncoding {
            return try AsymmetricKeyBlock.encode(key, format: encoding, label: object.defaultKeyFormat, object: object)
        }
        let chosen = format ?? object.defaultKeyFormat ?? AsymmetricKeyBlock.defaultFormat(key)
        return try AsymmetricKeyBlock.encode(key, format: chosen, object: object)
    }

    func secretBody(_ object: ManagedObject, _ format: KeyFormatType?, _ context: RequestContext) async throws(EngineError) -> ObjectValue {
        let material = try await context.services.token.readValue(id: object.uid)
        let chosen: KeyFormatType = format ?? object.defaultKeyFormat ?? (object.objectType == .symmetricKey ? .raw : .opaque)
        return try KeyBlockCodec.encode(object, material: material, format: chosen)
    }

    /// Fresh (KMIP 2.1 §4.24): true until the object's value has been handed to a client.
    func markRetrieved(_ object: ManagedObject, _ context: RequestContext) async throws(EngineError) {
        guard object.fresh == true else { return }
        // Only the first retrieval writes, under the object's lock and from the stored value.
        try await context.services.locks.withLock(object.uid) { () async throws(EngineError) in
            guard var current = try await context.services.store.fetch(uid: object.uid), current.fresh == true else { return }
            current.set(.fresh, .boolean(false))
            try await context.services.store.save(current)
        }
    }
}
