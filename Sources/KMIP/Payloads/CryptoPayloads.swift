/// The streaming fields of the cryptographic operations (KMIP 2.1 §6.1.17 and siblings): Init begins a
/// stream, later parts carry its Correlation Value, Final ends it.
public struct StreamFields: Sendable, Hashable {
    public var correlationValue: [UInt8]?
    public var initIndicator: Bool
    public var finalIndicator: Bool?
    public init() { initIndicator = false }
    init(_ p: TTLV) throws(KMIPCodecError) {
        correlationValue = try p.optionalBytes(.correlationValue)
        initIndicator = try p.optionalBool(.initIndicator) ?? false
        finalIndicator = try p.optionalBool(.finalIndicator)
    }
    /// Whether this request is a step of a stream.
    public var isStreaming: Bool { initIndicator || correlationValue != nil }
    /// Any streaming field at all (refused by operations that cannot stream).
    public var mentionsStreaming: Bool { initIndicator || correlationValue != nil || finalIndicator != nil }
    public var isFinal: Bool { finalIndicator == true }
}

/// What every cryptographic request names: a key, its parameters, the data, the stream (the first
/// rows of each payload table of KMIP 2.1 §6.1.11, .17, .32, .33, .55, .56).
public struct CryptographicFields: Sendable, Hashable {
    public var uniqueIdentifier: String?
    public var cryptographicParameters: CryptographicParameters?
    public var data: [UInt8]?
    public var stream: StreamFields
    init(_ p: TTLV) throws(KMIPCodecError) {
        uniqueIdentifier = try p.optionalIdentifier()
        cryptographicParameters = try CryptographicParameters(in: p)
        data = try p.optionalBytes(.data)
        stream = try StreamFields(p)
    }
}

public protocol CryptographicRequest: RequestPayload {
    var fields: CryptographicFields { get }
}

extension CryptographicRequest {
    public var uniqueIdentifier: String? { fields.uniqueIdentifier }
    public var cryptographicParameters: CryptographicParameters? { fields.cryptographicParameters }
    public var data: [UInt8]? { fields.data }
    public var stream: StreamFields { fields.stream }
    public var target: String? { fields.uniqueIdentifier }
}

/// Encrypt (KMIP 2.1 §6.1.17).
public struct EncryptRequest: CryptographicRequest, Hashable {
    public static let operation = Operation.encrypt
    public var fields: CryptographicFields
    public var ivCounterNonce: [UInt8]?
    public var additionalData: [UInt8]?
    public init(payload p: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        fields = try CryptographicFields(p)
        ivCounterNonce = try p.optionalBytes(.ivCounterNonce)
        additionalData = try p.optionalBytes(.authenticatedEncryptionAdditionalData)
    }
}

public struct EncryptResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    public var data: [UInt8]?
    public var ivCounterNonce: [UInt8]?
    public var correlationValue: [UInt8]?
    public var tag: [UInt8]?
    public init(_ uid: String, data: [UInt8]?, ivCounterNonce: [UInt8]? = nil, correlationValue: [UInt8]? = nil, tag: [UInt8]? = nil) {
        uniqueIdentifier = uid; self.data = data; self.ivCounterNonce = ivCounterNonce; self.correlationValue = correlationValue; self.tag = tag
    }
    public func payload(version: ProtocolVersion) -> TTLV {
        var b = PayloadBuilder()
        b.add(.uniqueIdentifier, text: uniqueIdentifier)
        b.add(.data, bytes: data)
        b.add(.ivCounterNonce, bytes: ivCounterNonce)
        b.add(.correlationValue, bytes: correlationValue)
        b.add(.authenticatedEncryptionTag, bytes: tag)
        return b.payload
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

/// Decrypt (KMIP 2.1 §6.1.11).
public struct DecryptRequest: CryptographicRequest, Hashable {
    public static let operation = Operation.decrypt
    public var fields: CryptographicFields
    public var ivCounterNonce: [UInt8]?
    public var additionalData: [UInt8]?
    public var tag: [UInt8]?
    public init(payload p: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        fields = try CryptographicFields(p)
        ivCounterNonce = try p.optionalBytes(.ivCounterNonce)
        additionalData = try p.optionalBytes(.authenticatedEncryptionAdditionalData)
        tag = try p.optionalBytes(.authenticatedEncryptionTag)
    }
}

/// The response of Decrypt, MAC's streamed steps and the other operations that answer data.
public struct DataResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String?
    public var data: [UInt8]?
    public var correlationValue: [UInt8]?
    public init(_ uid: String?, data: [UInt8]?, correlationValue: [UInt8]? = nil) {
        uniqueIdentifier = uid; self.data = data; self.correlationValue = correlationValue
    }
    public func payload(version: ProtocolVersion) -> TTLV {
        var b = PayloadBuilder()
        b.add(.uniqueIdentifier, text: uniqueIdentifier)
        b.add(.data, bytes: data)
        b.add(.correlationValue, bytes: correlationValue)
        return b.payload
    }
    public var identifiers: [String] { uniqueIdentifier.map { [$0] } ?? [] }
}

/// Sign (KMIP 2.1 §6.1.55).
public struct SignRequest: CryptographicRequest, Hashable {
    public static let operation = Operation.sign
    public var fields: CryptographicFields
    public var digestedData: [UInt8]?
    public init(payload p: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        fields = try CryptographicFields(p)
        digestedData = try p.optionalBytes(.digestedData)
    }
}

/// Signature Verify (KMIP 2.1 §6.1.56).
public struct SignatureVerifyRequest: CryptographicRequest, Hashable {
    public static let operation = Operation.signatureVerify
    public var fields: CryptographicFields
    public var digestedData: [UInt8]?
    public var signatureData: [UInt8]?
    public init(payload p: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        fields = try CryptographicFields(p)
        digestedData = try p.optionalBytes(.digestedData)
        signatureData = try p.optionalBytes(.signatureData)
    }
}

/// MAC (KMIP 2.1 §6.1.32).
public struct MACRequest: CryptographicRequest, Hashable {
    public static let operation = Operation.mac
    public var fields: CryptographicFields
    public init(payload p: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        fields = try CryptographicFields(p)
    }
}

/// MAC Verify (KMIP 2.1 §6.1.33).
public struct MACVerifyRequest: CryptographicRequest, Hashable {
    public static let operation = Operation.macVerify
    public var fields: CryptographicFields
    public var macData: [UInt8]?
    public init(payload p: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        fields = try CryptographicFields(p)
        macData = try p.optionalBytes(.macData)
    }
}

/// Sign's, MAC's and their steps' response: a signature or MAC once the message is whole, a Correlation
/// Value while it is not.
public struct SignatureResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    /// Signature Data (Sign) or MAC Data (MAC).
    public var field: Tag
    public var value: [UInt8]?
    public var correlationValue: [UInt8]?
    public init(_ uid: String, field: Tag, value: [UInt8]?, correlationValue: [UInt8]? = nil) {
        uniqueIdentifier = uid; self.field = field; self.value = value; self.correlationValue = correlationValue
    }
    public func payload(version: ProtocolVersion) -> TTLV {
        var b = PayloadBuilder()
        b.add(.uniqueIdentifier, text: uniqueIdentifier)
        b.add(field, bytes: value)
        b.add(.correlationValue, bytes: correlationValue)
        return b.payload
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

/// Signature Verify's and MAC Verify's response.
public struct VerifyResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    public var validity: ValidityIndicator?
    public var correlationValue: [UInt8]?
    public init(_ uid: String, validity: ValidityIndicator?, correlationValue: [UInt8]? = nil) {
        uniqueIdentifier = uid; self.validity = validity; self.correlationValue = correlationValue
    }
    public func payload(version: ProtocolVersion) -> TTLV {
        var b = PayloadBuilder()
        b.add(.uniqueIdentifier, text: uniqueIdentifier)
        b.add(.validityIndicator, validity)
        b.add(.correlationValue, bytes: correlationValue)
        return b.payload
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

/// Hash (KMIP 2.0+, §6.1.24).
public struct HashRequest: RequestPayload, Hashable {
    public static let operation = Operation.hash
    public var cryptographicParameters: CryptographicParameters?
    public var data: [UInt8]?
    public var stream: StreamFields
    public init(payload p: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        cryptographicParameters = try CryptographicParameters(in: p)
        data = try p.optionalBytes(.data)
        stream = try StreamFields(p)
    }
}

/// RNG Retrieve (KMIP 2.1 §6.1.49): at most 64 KiB per request.
public struct RNGRetrieveRequest: RequestPayload, Hashable {
    public static let operation = Operation.rngRetrieve
    public var dataLength: Int
    public init(payload p: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        dataLength = try p.requiredInt(.dataLength, in: 1...65536)
    }
}

/// RNG Seed (KMIP 2.1 §6.1.50).
public struct RNGSeedRequest: RequestPayload, Hashable {
    public static let operation = Operation.rngSeed
    public var data: [UInt8]
    public init(payload p: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        data = try p.requiredBytes(.data)
    }
}

public struct RNGSeedResponse: ResponsePayload, Hashable {
    public var dataLength: Int
    public init(dataLength: Int) { self.dataLength = dataLength }
    public func payload(version: ProtocolVersion) -> TTLV {
        .structure(.responsePayload, [TTLV(.dataLength, .integer(Int32(clamping: dataLength)))])
    }
}
