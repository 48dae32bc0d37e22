import KMIP

/// Key Wrapping Specification (Get, KMIP 2.1 §2.1.6) and Key Wrapping Data (Register, §2.1.5) as
/// kmipd supports them: Wrapping Method Encrypt with a key held in the token. No Encoding: the token
/// wraps the key value itself (C_WrapKey). TTLV Encoding, the default when none is given: the encoded
/// Key Value structure is wrapped, so the key's value is on the host for a moment (only for keys that
/// may leave the token in plain anyway).
struct KeyWrapping {
    var wrappingKey: ManagedObject
    var mechanism: WrapMechanism
    var parameters: CryptographicParameters?
    /// As the client gave it; nil means TTLV Encoding.
    var encoding: EncodingOption?
    var isTTLV: Bool { encoding != .noEncoding }

    static func read(method: WrappingMethod, encryptionKey: KeyInformation?, macSignatureKey: KeyInformation?,
                     encoding: EncodingOption?, _ context: RequestContext, wrapping: Bool) async throws(EngineError) -> KeyWrapping {
        guard method == .encrypt else {
            throw EngineError(.featureNotSupported, "only Wrapping Method Encrypt is supported (not MAC/sign)")
        }
        if macSignatureKey != nil {
            throw EngineError(.featureNotSupported, "MAC/Signature Key Information is not supported")
        }
        guard encoding == nil || encoding == .noEncoding || encoding == .ttlvEncoding else {
            throw EngineError(.featureNotSupported, "Encoding Option \(encoding!) is not supported (No Encoding, TTLV Encoding are)")
        }
        guard let info = encryptionKey else {
            throw EngineError(.invalidField, "Encryption Key Information with a Unique Identifier is required")
        }
        let uid = info.uniqueIdentifier
        let key = try await context.fetch(uid)
        guard !Lifecycle.isDestroyed(key.state) else { throw EngineError(.objectDestroyed, "wrapping key \(uid) is destroyed") }
        guard key.keyValueUsable else { throw EngineError(.keyValueNotPresent, "wrapping key \(uid) cannot be used: \(key.unusableValueReason)") }
        let need: CryptographicUsageMaskBits = wrapping ? .wrapKey : .unwrapKey
        guard need.rawValue & ~key.usageMask == 0 else {
            throw EngineError(.incompatibleUsageMask, "key \(uid) may not \(wrapping ? "wrap" : "unwrap") keys (Cryptographic Usage Mask)")
        }
        let allowed = wrapping ? Lifecycle.mayProtect(key, now: context.now) : Lifecycle.mayProcess(key, now: context.now)
        guard allowed else { throw EngineError(.wrongKeyLifecycleState, "wrapping key \(uid) is \(key.state)") }
        let params = try CryptographicParameters.given(info.cryptographicParameters, orStoredOn: key)
        let mechanism: WrapMechanism
        switch key.cryptographicAlgorithm {
        case .aes?:
            switch params.blockCipherMode {
            case nil, .nISTKeyWrap?: mechanism = .aesKeyWrap
            case .aESKeyWrapPadding?: mechanism = .aesKeyWrapPad
            case let m?: throw EngineError(.featureNotSupported, "wrapping with AES \(m) is not supported (NIST Key Wrap, AES Key Wrap Padding are)")
            }
        case .rsa?:
            mechanism = params.padding == .oaep ? .rsaOAEP(hash: params.hashing ?? .sha1) : .rsaPKCS1
        case let alg:
            throw EngineError(.featureNotSupported, "wrapping with a \(alg.map(\.name) ?? "keyless") key is not supported")
        }
        return KeyWrapping(wrappingKey: key, mechanism: mechanism, parameters: info.cryptographicParameters, encoding: encoding)
    }

    static func read(_ spec: KeyWrappingSpecification, _ context: RequestContext) async throws(EngineError) -> KeyWrapping {
        try await read(method: spec.wrappingMethod, encryptionKey: spec.encryptionKey, macSignatureKey: spec.macSignatureKey,
                       encoding: spec.encodingOption, context, wrapping: true)
    }

    static func read(_ data: KeyWrappingData, _ context: RequestContext) async throws(EngineError) -> KeyWrapping {
        try await read(method: data.wrappingMethod, encryptionKey: data.encryptionKey, macSignatureKey: data.macSignatureKey,
                       encoding: data.encodingOption, context, wrapping: false)
    }

    /// The Key Wrapping Data that describes a wrapped Get response.
    var keyWrappingData: KeyWrappingData {
        KeyWrappingData(wrappingMethod: .encrypt,
                        encryptionKey: KeyInformation(uniqueIdentifier: wrappingKey.uid, cryptographicParameters: parameters),
                        encodingOption: encoding)
    }
}
