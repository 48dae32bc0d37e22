/// A request payload decoded into the canonical (KMIP 2.1) model, once, at the edge: 1.x shapes are
/// converted while decoding and every range rule of the operation's payload table is checked there
/// (KMIP 2.1 §6.1; 1.4 §4), so a handler never sees a wire value it would have to distrust.
public protocol RequestPayload: Sendable {
    static var operation: Operation { get }
    /// Decodes a Request Payload structure sent by a client speaking `version`.
    init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError)
    /// The object the request names, when it names one (the executor locks it).
    var target: String? { get }
    /// Every identifier the request names (for the audit line).
    var identifiers: [String] { get }
}

extension RequestPayload {
    public var target: String? { nil }
    public var identifiers: [String] { target.map { [$0] } ?? [] }
}

/// A response payload in the canonical model, encoded for the client's version at the edge: fields a
/// version does not define are never sent to it.
public protocol ResponsePayload: Sendable {
    func payload(version: ProtocolVersion) -> TTLV
    /// The identifiers the response names (for the audit line).
    var identifiers: [String] { get }
}

extension ResponsePayload {
    public var identifiers: [String] { [] }
}

/// The response of the many operations that answer with the Unique Identifier alone (Activate,
/// Destroy, Revoke, Register, Derive Key, Re-key, Certify, Re-certify, Check, Set Attribute, Import).
public struct IdentifierResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    public init(_ uid: String) { uniqueIdentifier = uid }
    public func payload(version: ProtocolVersion) -> TTLV {
        .structure(.responsePayload, [TTLV(.uniqueIdentifier, .textString(uniqueIdentifier))])
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

/// A response without fields (Interop, Log).
public struct EmptyResponse: ResponsePayload, Hashable {
    public init() {}
    public func payload(version: ProtocolVersion) -> TTLV { .structure(.responsePayload, []) }
}

// MARK: Typed reads used by the payload decoders

extension TTLV {
    public func optionalBytes(_ tag: Tag) throws(KMIPCodecError) -> [UInt8]? {
        guard let c = first(tag) else { return nil }
        guard case .byteString(let v) = c.value else { throw KMIPCodecError(.wrongType, "\(tag) must be a Byte String", tag: tag) }
        return v
    }
    public func requiredBytes(_ tag: Tag) throws(KMIPCodecError) -> [UInt8] {
        guard let v = try optionalBytes(tag) else { throw KMIPCodecError(.missingField, "\(self.tag) lacks \(tag)", tag: tag) }
        return v
    }
    /// A Date-Time (or 2.x Date-Time Extended) in seconds since the epoch.
    public func optionalDate(_ tag: Tag) throws(KMIPCodecError) -> Int64? {
        guard let c = first(tag) else { return nil }
        guard let v = c.dateSeconds else { throw KMIPCodecError(.wrongType, "\(tag) must be a Date-Time", tag: tag) }
        return v
    }
    public func optionalInterval(_ tag: Tag) throws(KMIPCodecError) -> UInt32? {
        guard let c = first(tag) else { return nil }
        guard case .interval(let v) = c.value else { throw KMIPCodecError(.wrongType, "\(tag) must be an Interval", tag: tag) }
        return v
    }
    public func optional<E: KMIPEnumeration>(_ tag: Tag, _ type: E.Type) throws(KMIPCodecError) -> E? {
        try optionalEnum(tag).map { E(rawValue: $0) }
    }
    public func required<E: KMIPEnumeration>(_ tag: Tag, _ type: E.Type) throws(KMIPCodecError) -> E {
        E(rawValue: try requiredEnum(tag))
    }
    /// A structure child, checked to be one.
    public func optionalStructure(_ tag: Tag) throws(KMIPCodecError) -> TTLV? {
        guard let c = first(tag) else { return nil }
        guard c.itemType == .structure else { throw KMIPCodecError(.wrongType, "\(tag) must be a Structure", tag: tag) }
        return c
    }
    public func requiredStructure(_ tag: Tag) throws(KMIPCodecError) -> TTLV {
        guard let c = try optionalStructure(tag) else { throw KMIPCodecError(.missingField, "\(self.tag) lacks \(tag)", tag: tag) }
        return c
    }
    /// Every Text String child with `tag`.
    public func texts(_ tag: Tag) throws(KMIPCodecError) -> [String] {
        var out = [String]()
        for c in all(tag) {
            guard let t = c.text else { throw KMIPCodecError(.wrongType, "\(tag) must be a Text String", tag: tag) }
            out.append(t)
        }
        return out
    }
}

/// Building response payloads: optional fields appended only when present.
public struct PayloadBuilder {
    public private(set) var children: [TTLV] = []
    public init() {}
    public mutating func add(_ item: TTLV) { children.append(item) }
    public mutating func add(_ tag: Tag, text: String?) { if let text { children.append(TTLV(tag, .textString(text))) } }
    public mutating func add(_ tag: Tag, bytes: [UInt8]?) { if let bytes { children.append(TTLV(tag, .byteString(bytes))) } }
    public mutating func add<E: KMIPEnumeration>(_ tag: Tag, _ value: E?) { if let value { children.append(TTLV(tag, .enumeration(value.rawValue))) } }
    public mutating func add(_ tag: Tag, int: Int?) { if let int { children.append(TTLV(tag, .integer(Int32(clamping: int)))) } }
    public mutating func add(_ tag: Tag, bool: Bool?) { if let bool { children.append(TTLV(tag, .boolean(bool))) } }
    public var payload: TTLV { .structure(.responsePayload, children) }
    public func structure(_ tag: Tag) -> TTLV { .structure(tag, children) }
}
