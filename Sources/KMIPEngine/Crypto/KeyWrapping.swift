import KMIP

/// Key Wrapping Specification (Get, KMIP 2.1 §2.1.6) and Key Wrapping Data (Register, §3.3) as
/// kmipd supports them: Wrapping Method Encrypt with a key held in the token, Encoding Option No
/// Encoding (the token wraps the key value itself with C_WrapKey; TTLV encoding would need the
/// plaintext Key Value on the host).
struct KeyWrapping {
    var wrappingKey: ManagedObject
    var mechanism: WrapMechanism
    var parameters: TTLV?

    static func read(_ t: TTLV, _ context: RequestContext, wrapping: Bool) async throws(EngineError) -> KeyWrapping {
        guard t.first(.wrappingMethod)?.enumValue == WrappingMethod.encrypt.rawValue else {
            throw EngineError(.featureNotSupported, "only Wrapping Method Encrypt is supported (not MAC/sign)")
        }
        if t.first(.macSignatureKeyInformation) != nil {
            throw EngineError(.featureNotSupported, "MAC/Signature Key Information is not supported")
        }
        guard t.first(.encodingOption)?.enumValue == EncodingOption.noEncoding.rawValue else {
            throw EngineError(.featureNotSupported,
                              "kmipd wraps inside the token (C_WrapKey), which wraps the key value itself: use Encoding Option No Encoding")
        }
        guard let info = t.first(.encryptionKeyInformation), let uid = info.first(.uniqueIdentifier)?.text else {
            throw EngineError(.invalidField, "Encryption Key Information with a Unique Identifier is required")
        }
        let key = try await context.fetch(uid)
        guard key.tokenObject != nil, !Lifecycle.isDestroyed(key.state) else { throw EngineError(.objectDestroyed, "wrapping key \(uid) is destroyed") }
        let need: CryptographicUsageMaskBits = wrapping ? .wrapKey : .unwrapKey
        guard need.rawValue & ~key.usageMask == 0 else {
            throw EngineError(.incompatibleUsageMask, "key \(uid) may not \(wrapping ? "wrap" : "unwrap") keys (Cryptographic Usage Mask)")
        }
        let allowed = wrapping ? Lifecycle.mayProtect(key, now: context.now) : Lifecycle.mayProcess(key, now: context.now)
        guard allowed else { throw EngineError(.wrongKeyLifecycleState, "wrapping key \(uid) is \(key.state)") }
        let params = try CryptoParameters(info.first(.cryptographicParameters) ?? key.first(.cryptographicParameters)?.value)
        let alg = CryptographicAlgorithm(rawValue: key.first(.cryptographicAlgorithm)?.value.enumValue ?? 0)
        let mechanism: WrapMechanism
        switch alg {
        case .aes:
            switch params.blockCipherMode {
            case nil, .nISTKeyWrap?: mechanism = .aesKeyWrap
            case .aESKeyWrapPadding?: mechanism = .aesKeyWrapPad
            case let m?: throw EngineError(.featureNotSupported, "wrapping with AES \(m) is not supported (NIST Key Wrap, AES Key Wrap Padding are)")
            }
        case .rsa:
            mechanism = params.padding == .oaep ? .rsaOAEP(hash: params.hashing ?? .sha1) : .rsaPKCS1
        default:
            throw EngineError(.featureNotSupported, "wrapping with a \(alg) key is not supported")
        }
        return KeyWrapping(wrappingKey: key, mechanism: mechanism, parameters: info.first(.cryptographicParameters))
    }

    /// The Key Wrapping Data that describes a wrapped Get response.
    var keyWrappingData: TTLV {
        var info = [TTLV(.uniqueIdentifier, .textString(wrappingKey.uid))]
        if let parameters { info.append(parameters) }
        return .structure(.keyWrappingData, [TTLV(.wrappingMethod, .enumeration(WrappingMethod.encrypt.rawValue)),
                                             .structure(.encryptionKeyInformation, info),
                                             TTLV(.encodingOption, .enumeration(EncodingOption.noEncoding.rawValue))])
    }
}
