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
            throw EngineError(.wrongKeyLifecycleState, "object \(uid) is destroyed; its key material is gone")
        }
        let sensitive = object.first(.sensitive)?.value.bool ?? false
        guard object.extractable, !sensitive || object.objectType != .symmetricKey else {
            throw EngineError(.objectNotExtractable, "object \(uid) is not extractable")
        }
        let material = try await context.services.token.readValue(id: uid)
        let chosen: KeyFormatType = format ?? object.defaultKeyFormat ?? (object.objectType == .symmetricKey ? .raw : .opaque)
        let body = try KeyBlockCodec.encode(object, material: material, format: chosen)
        if object.first(.fresh)?.value.bool == true {
            // Fresh (KMIP 2.1 §4.22): true until the key material has been handed to a client.
            var retrieved = object
            retrieved.set(.fresh, .boolean(false))
            try await context.services.store.save(retrieved)
        }
        context.idPlaceholder = uid
        return response([TTLV(.objectType, .enumeration(object.objectType.rawValue)), TTLV(.uniqueIdentifier, .textString(uid)), body])
    }
}
