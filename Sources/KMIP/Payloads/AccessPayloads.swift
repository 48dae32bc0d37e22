/// Get (KMIP 2.1 §6.1.19) and Export (2.0+, §6.1.18) share their request.
public struct GetRequest: RequestPayload, Hashable {
    public static let operation = Operation.get
    public var uniqueIdentifier: String?
    public var keyFormatType: KeyFormatType?
    public var keyWrapType: KeyWrapType?
    public var keyCompressionType: KeyCompressionType?
    public var keyWrappingSpecification: KeyWrappingSpecification?
    public init(uniqueIdentifier: String?, keyFormatType: KeyFormatType? = nil) {
        self.uniqueIdentifier = uniqueIdentifier; self.keyFormatType = keyFormatType
    }
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        keyFormatType = try payload.optional(.keyFormatType, KeyFormatType.self)
        keyWrapType = try payload.optional(.keyWrapType, KeyWrapType.self)
        keyCompressionType = try payload.optional(.keyCompressionType, KeyCompressionType.self)
        keyWrappingSpecification = try payload.optionalStructure(.keyWrappingSpecification)
            .map { (t: TTLV) throws(KMIPCodecError) in try KeyWrappingSpecification(ttlv: t) }
    }
    public var target: String? { uniqueIdentifier }
}

public struct GetResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    public var object: ObjectValue
    public init(_ uid: String, object: ObjectValue) { uniqueIdentifier = uid; self.object = object }
    public func payload(version: ProtocolVersion) -> TTLV {
        .structure(.responsePayload, [TTLV(.objectType, .enumeration(object.objectType.rawValue)),
                                      TTLV(.uniqueIdentifier, .textString(uniqueIdentifier)), object.ttlv])
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

public struct ExportRequest: RequestPayload, Hashable {
    public static let operation = Operation.export
    public var request: GetRequest
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) { request = try GetRequest(payload: payload, version: version) }
    public var target: String? { request.uniqueIdentifier }
}

public struct ExportResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    public var attributes: [Attribute]
    public var object: ObjectValue
    public init(_ uid: String, attributes: [Attribute], object: ObjectValue) {
        uniqueIdentifier = uid; self.attributes = attributes; self.object = object
    }
    public func payload(version: ProtocolVersion) -> TTLV {
        .structure(.responsePayload, [TTLV(.objectType, .enumeration(object.objectType.rawValue)),
                                      TTLV(.uniqueIdentifier, .textString(uniqueIdentifier))]
                   + AttributeList.encode(attributes, version: version) + [object.ttlv])
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

/// Locate (KMIP 2.1 §6.1.28; 1.4 §4.9).
public struct LocateRequest: RequestPayload, Hashable {
    public static let operation = Operation.locate
    public var maximumItems: Int?
    public var offsetItems: Int
    public var storageStatusMask: UInt32?
    public var objectGroupMember: ObjectGroupMemberOption?
    /// The attributes every object found must have (2.x Attributes or 1.x Attribute items).
    public var filters: [Attribute]
    public init(filters: [Attribute], maximumItems: Int? = nil) { self.filters = filters; self.maximumItems = maximumItems; offsetItems = 0 }
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        maximumItems = try payload.optionalInt(.maximumItems, in: 0...Int32.max)
        offsetItems = try payload.optionalInt(.offsetItems, in: 0...Int32.max) ?? 0
        storageStatusMask = try payload.optionalInt(.storageStatusMask).map { UInt32(bitPattern: $0) }
        objectGroupMember = try payload.optional(.objectGroupMember, ObjectGroupMemberOption.self)
        filters = []
        if let attrs = try payload.optionalStructure(.attributes) { filters = try AttributeList.read(attrs) }
        for a in payload.all(.attribute) { filters.append(try Attribute(v1: a)) }
    }
}

public struct LocateResponse: ResponsePayload, Hashable {
    public var locatedItems: Int?
    public var uniqueIdentifiers: [String]
    public init(locatedItems: Int?, uniqueIdentifiers: [String]) { self.locatedItems = locatedItems; self.uniqueIdentifiers = uniqueIdentifiers }
    /// Located Items exists from KMIP 1.3.
    public func payload(version: ProtocolVersion) -> TTLV {
        var out = [TTLV]()
        if version >= .v1_3, let n = locatedItems { out.append(TTLV(.locatedItems, .integer(Int32(clamping: n)))) }
        out += uniqueIdentifiers.map { TTLV(.uniqueIdentifier, .textString($0)) }
        return .structure(.responsePayload, out)
    }
    public var identifiers: [String] { uniqueIdentifiers }
}
