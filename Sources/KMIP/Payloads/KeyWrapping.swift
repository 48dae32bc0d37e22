/// Encryption Key Information and MAC/Signature Key Information (KMIP 2.1 §2.1.5).
public struct KeyInformation: Sendable, Hashable {
    public var uniqueIdentifier: String
    public var cryptographicParameters: CryptographicParameters?
    public init(uniqueIdentifier: String, cryptographicParameters: CryptographicParameters? = nil) {
        self.uniqueIdentifier = uniqueIdentifier; self.cryptographicParameters = cryptographicParameters
    }
    init(ttlv t: TTLV) throws(KMIPCodecError) {
        uniqueIdentifier = try t.requiredText(.uniqueIdentifier)
        cryptographicParameters = try CryptographicParameters(in: t)
    }
    func ttlv(_ tag: Tag) -> TTLV {
        var c = [TTLV(.uniqueIdentifier, .textString(uniqueIdentifier))]
        if let p = cryptographicParameters { c.append(p.ttlv) }
        return .structure(tag, c)
    }
}

/// Key Wrapping Specification (KMIP 2.1 §2.1.6): how Get should wrap the key it returns.
public struct KeyWrappingSpecification: Sendable, Hashable {
    public var wrappingMethod: WrappingMethod
    public var encryptionKey: KeyInformation?
    public var macSignatureKey: KeyInformation?
    public var attributeNames: [String]
    public var encodingOption: EncodingOption?

    public init(wrappingMethod: WrappingMethod, encryptionKey: KeyInformation?, encodingOption: EncodingOption?) {
        self.wrappingMethod = wrappingMethod; self.encryptionKey = encryptionKey; self.macSignatureKey = nil
        self.attributeNames = []; self.encodingOption = encodingOption
    }

    init(ttlv t: TTLV) throws(KMIPCodecError) {
        wrappingMethod = try t.required(.wrappingMethod, WrappingMethod.self)
        encryptionKey = try t.optionalStructure(.encryptionKeyInformation).map { (s: TTLV) throws(KMIPCodecError) in try KeyInformation(ttlv: s) }
        macSignatureKey = try t.optionalStructure(.macSignatureKeyInformation).map { (s: TTLV) throws(KMIPCodecError) in try KeyInformation(ttlv: s) }
        attributeNames = try t.texts(.attributeName)
        encodingOption = try t.optional(.encodingOption, EncodingOption.self)
    }

    public var ttlv: TTLV {
        var c = [TTLV(.wrappingMethod, .enumeration(wrappingMethod.rawValue))]
        if let k = encryptionKey { c.append(k.ttlv(.encryptionKeyInformation)) }
        if let k = macSignatureKey { c.append(k.ttlv(.macSignatureKeyInformation)) }
        c += attributeNames.map { TTLV(.attributeName, .textString($0)) }
        if let e = encodingOption { c.append(TTLV(.encodingOption, .enumeration(e.rawValue))) }
        return .structure(.keyWrappingSpecification, c)
    }
}

/// Key Wrapping Data (KMIP 2.1 §2.1.5): how a key block's value was wrapped.
public struct KeyWrappingData: Sendable, Hashable {
    public var wrappingMethod: WrappingMethod
    public var encryptionKey: KeyInformation?
    public var macSignatureKey: KeyInformation?
    public var macSignature: [UInt8]?
    public var ivCounterNonce: [UInt8]?
    public var encodingOption: EncodingOption?

    public init(wrappingMethod: WrappingMethod, encryptionKey: KeyInformation?, encodingOption: EncodingOption?) {
        self.wrappingMethod = wrappingMethod; self.encryptionKey = encryptionKey; self.encodingOption = encodingOption
    }

    init(ttlv t: TTLV) throws(KMIPCodecError) {
        wrappingMethod = try t.required(.wrappingMethod, WrappingMethod.self)
        encryptionKey = try t.optionalStructure(.encryptionKeyInformation).map { (s: TTLV) throws(KMIPCodecError) in try KeyInformation(ttlv: s) }
        macSignatureKey = try t.optionalStructure(.macSignatureKeyInformation).map { (s: TTLV) throws(KMIPCodecError) in try KeyInformation(ttlv: s) }
        macSignature = try t.optionalBytes(.macSignature)
        ivCounterNonce = try t.optionalBytes(.ivCounterNonce)
        encodingOption = try t.optional(.encodingOption, EncodingOption.self)
    }

    public var ttlv: TTLV {
        var c = [TTLV(.wrappingMethod, .enumeration(wrappingMethod.rawValue))]
        if let k = encryptionKey { c.append(k.ttlv(.encryptionKeyInformation)) }
        if let k = macSignatureKey { c.append(k.ttlv(.macSignatureKeyInformation)) }
        if let m = macSignature { c.append(TTLV(.macSignature, .byteString(m))) }
        if let iv = ivCounterNonce { c.append(TTLV(.ivCounterNonce, .byteString(iv))) }
        if let e = encodingOption { c.append(TTLV(.encodingOption, .enumeration(e.rawValue))) }
        return .structure(.keyWrappingData, c)
    }
}
