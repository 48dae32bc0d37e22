/// Create (KMIP 2.1 §6.1.8; 1.4 §4.1).
public struct CreateRequest: RequestPayload, Hashable {
    public static let operation = Operation.create
    public var objectType: ObjectType
    /// 2.x Attributes or the 1.x Template-Attribute's attributes.
    public var attributes: [Attribute]
    public init(objectType: ObjectType, attributes: [Attribute]) { self.objectType = objectType; self.attributes = attributes }
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        objectType = try payload.required(.objectType, ObjectType.self)
        attributes = try AttributeList.inRequest(payload)
    }
}

/// Create's response: the Object Type and the Unique Identifier.
public struct CreateResponse: ResponsePayload, Hashable {
    public var objectType: ObjectType
    public var uniqueIdentifier: String
    public init(objectType: ObjectType, uniqueIdentifier: String) { self.objectType = objectType; self.uniqueIdentifier = uniqueIdentifier }
    public func payload(version: ProtocolVersion) -> TTLV {
        .structure(.responsePayload, [TTLV(.objectType, .enumeration(objectType.rawValue)), TTLV(.uniqueIdentifier, .textString(uniqueIdentifier))])
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

/// The three attribute lists of Create Key Pair and Re-key Key Pair (KMIP 2.1 §6.1.9, §6.1.47): 2.x Common /
/// Private Key / Public Key Attributes, or the 1.x Template-Attribute forms.
public struct KeyPairAttributes: Sendable, Hashable {
    public var common: [Attribute]
    public var privateKey: [Attribute]
    public var publicKey: [Attribute]
    public init(common: [Attribute] = [], privateKey: [Attribute] = [], publicKey: [Attribute] = []) {
        self.common = common; self.privateKey = privateKey; self.publicKey = publicKey
    }
    init(_ payload: TTLV) throws(KMIPCodecError) {
        func list(_ v2: Tag, _ v1: Tag) throws(KMIPCodecError) -> [Attribute] {
            guard let c = payload.first(v2) ?? payload.first(v1) else { return [] }
            return try AttributeList.read(c)
        }
        common = try list(.commonAttributes, .commonTemplateAttribute)
        privateKey = try list(.privateKeyAttributes, .privateKeyTemplateAttribute)
        publicKey = try list(.publicKeyAttributes, .publicKeyTemplateAttribute)
    }
    public var all: [Attribute] { common + privateKey + publicKey }
}

/// Create Key Pair (KMIP 2.1 §6.1.9; 1.4 §4.2).
public struct CreateKeyPairRequest: RequestPayload, Hashable {
    public static let operation = Operation.createKeyPair
    public var attributes: KeyPairAttributes
    public init(attributes: KeyPairAttributes) { self.attributes = attributes }
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) { attributes = try KeyPairAttributes(payload) }
}

/// Create Key Pair's and Re-key Key Pair's response.
public struct KeyPairResponse: ResponsePayload, Hashable {
    public var privateKeyUniqueIdentifier: String
    public var publicKeyUniqueIdentifier: String
    public init(privateKey: String, publicKey: String) { privateKeyUniqueIdentifier = privateKey; publicKeyUniqueIdentifier = publicKey }
    public func payload(version: ProtocolVersion) -> TTLV {
        .structure(.responsePayload, [TTLV(.privateKeyUniqueIdentifier, .textString(privateKeyUniqueIdentifier)),
                                      TTLV(.publicKeyUniqueIdentifier, .textString(publicKeyUniqueIdentifier))])
    }
    public var identifiers: [String] { [privateKeyUniqueIdentifier, publicKeyUniqueIdentifier] }
}

/// Register (KMIP 2.1 §6.1.43; 1.4 §4.3).
public struct RegisterRequest: RequestPayload, Hashable {
    public static let operation = Operation.register
    public var objectType: ObjectType
    public var attributes: [Attribute]
    /// nil for object types kmipd does not hold.
    public var object: ObjectValue?
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        objectType = try payload.required(.objectType, ObjectType.self)
        attributes = try AttributeList.inRequest(payload)
        object = try ObjectValue(type: objectType, in: payload)
    }
}

/// Import (KMIP 2.1 §6.1.25; 1.4 §4.41): Register under the client's Unique Identifier.
public struct ImportRequest: RequestPayload, Hashable {
    public static let operation = Operation.import
    public var uniqueIdentifier: String
    public var replaceExisting: Bool
    public var keyWrapType: KeyWrapType?
    public var register: RegisterRequest
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.requiredText(.uniqueIdentifier)
        guard !uniqueIdentifier.isEmpty else {
            throw KMIPCodecError(.invalidValue, "Import needs the Unique Identifier to import under", tag: .uniqueIdentifier)
        }
        replaceExisting = try payload.optionalBool(.replaceExisting) ?? false
        keyWrapType = try payload.optional(.keyWrapType, KeyWrapType.self)
        register = try RegisterRequest(payload: payload, version: version)
        // KMIP 1.4 §4.41 carries "all of the object's Attributes" as bare Attribute items (as Export
        // answers them), not in a Template-Attribute.
        if !version.isV2 {
            for a in payload.all(.attribute) { register.attributes.append(try Attribute(v1: a)) }
        }
    }
    public var target: String? { uniqueIdentifier }
}

/// Derivation Parameters (KMIP 2.1 §2.1.22 / 6.1.13).
public struct DerivationParameters: Sendable, Hashable {
    public var cryptographicParameters: CryptographicParameters?
    public var initializationVector: [UInt8]?
    public var derivationData: [UInt8]?
    public var salt: [UInt8]?
    public var iterationCount: Int?
    public init() {}
    init(ttlv t: TTLV) throws(KMIPCodecError) {
        cryptographicParameters = try CryptographicParameters(in: t)
        initializationVector = try t.optionalBytes(.initializationVector)
        derivationData = try t.optionalBytes(.derivationData)
        salt = try t.optionalBytes(.salt)
        iterationCount = try t.optionalInt(.iterationCount, in: 1...Int32.max)
    }
}

/// Derive Key (KMIP 2.1 §6.1.14).
public struct DeriveKeyRequest: RequestPayload, Hashable {
    public static let operation = Operation.deriveKey
    public var objectType: ObjectType
    /// The base object first, then any others the method uses (the peer's public key for ECDH).
    public var uniqueIdentifiers: [String]
    public var method: DerivationMethod
    public var parameters: DerivationParameters
    public var attributes: [Attribute]
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        objectType = try payload.required(.objectType, ObjectType.self)
        uniqueIdentifiers = try payload.texts(.uniqueIdentifier)
        method = try payload.required(.derivationMethod, DerivationMethod.self)
        parameters = try payload.optionalStructure(.derivationParameters).map { (t: TTLV) throws(KMIPCodecError) in try DerivationParameters(ttlv: t) }
            ?? DerivationParameters()
        attributes = try AttributeList.inRequest(payload)
    }
    public var target: String? { uniqueIdentifiers.first }
    public var identifiers: [String] { uniqueIdentifiers }
}

/// Re-key (KMIP 2.1 §6.1.46; 1.4 §4.4).
public struct ReKeyRequest: RequestPayload, Hashable {
    public static let operation = Operation.reKey
    public var uniqueIdentifier: String?
    /// Seconds from now to the replacement's Activation Date.
    public var offset: Int64?
    public var attributes: [Attribute]
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        offset = try payload.optionalInterval(.offset).map(Int64.init)
        attributes = try AttributeList.inRequest(payload)
    }
    public var target: String? { uniqueIdentifier }
}

/// Re-key Key Pair (KMIP 2.1 §6.1.47; 1.4 §4.5).
public struct ReKeyKeyPairRequest: RequestPayload, Hashable {
    public static let operation = Operation.reKeyKeyPair
    public var privateKeyUniqueIdentifier: String?
    public var offset: Int64?
    public var attributes: KeyPairAttributes
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        privateKeyUniqueIdentifier = try payload.optionalText(.privateKeyUniqueIdentifier)
        offset = try payload.optionalInterval(.offset).map(Int64.init)
        attributes = try KeyPairAttributes(payload)
    }
    public var target: String? { privateKeyUniqueIdentifier }
}

/// A certificate request: PKCS#10 DER or PEM (KMIP 2.1 §6.1.6: Certificate Request Type and Value;
/// 1.x Certificate Request).
public struct CertificateRequest: Sendable, Hashable {
    public var type: CertificateRequestType
    public var value: [UInt8]
    static func read(_ p: TTLV) throws(KMIPCodecError) -> CertificateRequest? {
        let tag: Tag = p.first(.certificateRequestValue) != nil ? .certificateRequestValue : .certificateRequest
        guard let value = try p.optionalBytes(tag) else { return nil }
        return CertificateRequest(type: try p.optional(.certificateRequestType, CertificateRequestType.self) ?? .pkcs10, value: value)
    }
}

/// Certify (KMIP 2.1 §6.1.6; 1.4 §4.7).
public struct CertifyRequest: RequestPayload, Hashable {
    public static let operation = Operation.certify
    public var uniqueIdentifier: String?
    public var certificateRequest: CertificateRequest?
    public var attributes: [Attribute]
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        certificateRequest = try CertificateRequest.read(payload)
        attributes = try AttributeList.inRequest(payload)
    }
    public var target: String? { uniqueIdentifier }
}

/// Re-certify (KMIP 2.1 §6.1.45; 1.4 §4.8).
public struct ReCertifyRequest: RequestPayload, Hashable {
    public static let operation = Operation.reCertify
    public var uniqueIdentifier: String?
    public var certificateRequest: CertificateRequest?
    public var offset: Int64?
    public var attributes: [Attribute]
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        certificateRequest = try CertificateRequest.read(payload)
        offset = try payload.optionalInterval(.offset).map(Int64.init)
        attributes = try AttributeList.inRequest(payload)
    }
    public var target: String? { uniqueIdentifier }
}
