import KMIP

/// Register of what kmipd keeps but cannot use for cryptography: split-key shares, keys whose value lives
/// elsewhere (Key Value Location) and wrapped keys it cannot unwrap. Each is described by its Key Block
/// (algorithm, length, format) and returned by Get as it came.
extension RegisterHandler {
    /// A new object described by a registered Key Block, before the server's attributes.
    func described(_ type: ObjectType, by block: KeyBlock, secretDataType: SecretDataType?, _ attrs: [Attribute], tokenObject: TokenObjectKind?,
                   _ context: RequestContext, uid: String) throws(EngineError) -> ManagedObject {
        var object = try ObjectFactory.newObject(type, uid: uid, attributes: attrs, tokenObject: tokenObject, context)
        if let alg = block.algorithm { object.cryptographicAlgorithm = alg }
        if let length = block.length { object.cryptographicLength = length }
        object.set(.keyFormatType, .enumeration(block.formatType.rawValue))
        if let secretDataType { object.set(.secretDataType, .enumeration(secretDataType.rawValue)) }
        return object
    }

    /// Server attributes, then the bytes into the token as a data object.
    func keep(_ object: inout ManagedObject, bytes: [UInt8], _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        ObjectFactory.applyServerAttributes(&object, context)
        let uid = object.uid, label = ObjectFactory.label(object)
        try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
            try await token.storeData(id: uid, label: label, bytes: bytes)
        }
        return IdentifierResponse(uid)
    }

    /// One share of a split key (KMIP 2.1 §2.2.5): its bytes, plain or wrapped, in the token as a data
    /// object; its split fields and Key Block as a record. A share is not a key: it is returned by Get
    /// and used for nothing else (kmipd neither creates nor joins splits).
    func registerSplitKey(_ share: SplitKey, _ attrs: [Attribute], _ context: RequestContext, uid: String) async throws(EngineError) -> IdentifierResponse {
        var kept = share
        let bytes: [UInt8]
        switch share.keyBlock.value {
        case .plain(.bytes(let b), _): bytes = b; kept.keyBlock.value = .plain(.bytes([]), attributes: [])
        case .wrapped(let b): bytes = b; kept.keyBlock.value = .wrapped([])
        case .wrappedMaterial(let b): bytes = b; kept.keyBlock.value = .wrappedMaterial([])
        case .plain(.transparent, _): throw EngineError(.keyFormatNotSupported, "a Split Key share must be a Byte String")
        case .absent: throw EngineError(.invalidField, "a Split Key share needs its Key Value")
        }
        guard !bytes.isEmpty else { throw EngineError(.invalidField, "empty key material") }
        var object = try described(.splitKey, by: share.keyBlock, secretDataType: nil, attrs, tokenObject: .data, context, uid: uid)
        object.splitKeyRecord = kept
        return try await keep(&object, bytes: bytes, context)
    }

    /// A key whose value lives elsewhere (KMIP 1.2+ Key Value Location): a Key Block without a Key Value.
    /// Only its metadata is kept; Key Value Present says so, and nothing is put in the token.
    func registerMetadataOnly(_ value: ObjectValue, _ block: KeyBlock, _ attrs: [Attribute], _ context: RequestContext,
                              uid: String) async throws(EngineError) -> IdentifierResponse {
        guard attrs.contains(where: { $0.tag == .keyValueLocation }) else {
            throw EngineError(.invalidField, "a Key Block without a Key Value needs a Key Value Location saying where the key is")
        }
        var object = try described(value.objectType, by: block, secretDataType: value.secretDataType, attrs, tokenObject: nil, context, uid: uid)
        object.set(.keyValuePresent, .boolean(false))
        ObjectFactory.applyServerAttributes(&object, context)
        try await ObjectFactory.persist(object, context, generated: false) { _ async throws(EngineError) in }
        return IdentifierResponse(uid)
    }

    /// A wrapped key kept as it came (see `registerWrapped`).
    func keepWrapped(_ value: ObjectValue, _ block: KeyBlock, _ wrapped: [UInt8], _ attrs: [Attribute], _ context: RequestContext,
                     uid: String) async throws(EngineError) -> IdentifierResponse {
        var object = try described(value.objectType, by: block, secretDataType: value.secretDataType, attrs, tokenObject: .data, context, uid: uid)
        var kept = block
        if case .wrapped = block.value { kept.value = .wrapped([]) } else { kept.value = .wrappedMaterial([]) }
        object.storedWrappedBlock = kept
        return try await keep(&object, bytes: wrapped, context)
    }
}
