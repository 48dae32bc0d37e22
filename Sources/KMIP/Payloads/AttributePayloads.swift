/// Attribute names a request refers to: 1.x Attribute Name text, 2.x Attribute Reference (a tag as an
/// Enumeration, or a vendor structure; a Text String name is tolerated), all as canonical attribute names.
public enum AttributeReferences {
    static func names(in payload: TTLV) throws(KMIPCodecError) -> [String] {
        var names = [String]()
        for c in payload.children {
            if c.tag == .attributeName {
                guard let t = c.text else { throw KMIPCodecError(.wrongType, "Attribute Name must be a Text String", tag: .attributeName) }
                names.append(t)
            }
            guard c.tag == .attributeReference else { continue }
            if let e = c.enumValue {
                if let n = Tag(e).name { names.append(n) }  // an unknown tag names nothing the object has
            } else if let t = c.text {
                names.append(t)  // tolerated: some clients send the attribute's name as the reference
            } else if let n = try c.optionalText(.attributeName) {
                names.append(Attribute.vendorName(vendor: try c.optionalText(.vendorIdentification), name: n))
            }
        }
        return names
    }

    /// The 2.x Attribute Reference for an attribute name.
    public static func reference(_ name: String) -> TTLV? {
        let probe = Attribute(name: name, value: TTLV(.attributeValue, .structure([])))
        if probe.isVendor {
            guard !name.isEmpty else { return nil }
            let v = probe.v2
            return .structure(.attributeReference, v.children.filter { $0.tag == .vendorIdentification || $0.tag == .attributeName })
        }
        return probe.tag.map { TTLV(.attributeReference, .enumeration($0.rawValue)) }
    }
}

/// The one attribute of Add / Modify / Set Attribute: 1.x `Attribute`, 2.x `New Attribute` (or
/// `Current Attribute`) holding one attribute.
extension Attribute {
    init?(in payload: TTLV, v2Tag: Tag, version: ProtocolVersion) throws(KMIPCodecError) {
        if let a = payload.first(.attribute), !version.isV2 || payload.first(v2Tag) == nil {
            try self.init(v1: a)
            return
        }
        guard let n = payload.first(v2Tag) else { return nil }
        guard let inner = n.children.first else { throw KMIPCodecError(.missingField, "\(v2Tag) is empty", tag: v2Tag) }
        try self.init(v2: inner)
    }
}

/// Add Attribute (KMIP 2.1 §6.1.2; 1.4 §4.14).
public struct AddAttributeRequest: RequestPayload, Hashable {
    public static let operation = Operation.addAttribute
    public var uniqueIdentifier: String?
    public var attribute: Attribute
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        guard let a = try Attribute(in: payload, v2Tag: .newAttribute, version: version) else {
            throw KMIPCodecError(.missingField, "Add Attribute needs an attribute", tag: .newAttribute)
        }
        attribute = a
    }
    public var target: String? { uniqueIdentifier }
}

/// Modify Attribute (KMIP 2.1 §6.1.34; 1.4 §4.15): the instance by 1.x Attribute Index or 2.x Current
/// Attribute.
public struct ModifyAttributeRequest: RequestPayload, Hashable {
    public static let operation = Operation.modifyAttribute
    public var uniqueIdentifier: String?
    public var attribute: Attribute
    public var current: Attribute?
    /// The 1.x Attribute Index of the instance to change.
    public var index: Int?
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        guard var a = try Attribute(in: payload, v2Tag: .newAttribute, version: version) else {
            throw KMIPCodecError(.missingField, "Modify Attribute needs an attribute", tag: .newAttribute)
        }
        if let i = a.index {
            guard i >= 0 else { throw KMIPCodecError(.invalidValue, "Attribute Index must not be negative", tag: .attributeIndex) }
            index = Int(i)
        }
        a.index = nil
        attribute = a
        if version.isV2, payload.first(.currentAttribute) != nil {
            current = try Attribute(in: payload, v2Tag: .currentAttribute, version: .v2_1)
        }
    }
    public var target: String? { uniqueIdentifier }
}

/// Delete Attribute (KMIP 2.1 §6.1.13; 1.4 §4.16): one instance, by value (2.x Current Attribute) or by
/// name and 1.x index (Attribute Name / 2.x Attribute Reference).
public struct DeleteAttributeRequest: RequestPayload, Hashable {
    public static let operation = Operation.deleteAttribute
    public enum Selector: Sendable, Hashable {
        case value(Attribute)
        case name(String, index: Int)
        public var name: String {
            switch self { case .value(let a): a.name; case .name(let n, _): n }
        }
    }
    public var uniqueIdentifier: String?
    public var selector: Selector
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        if payload.first(.currentAttribute) != nil, let current = try Attribute(in: payload, v2Tag: .currentAttribute, version: .v2_1) {
            selector = .value(current)
        } else if let n = try AttributeReferences.names(in: payload).first {
            selector = .name(n, index: try payload.optionalInt(.attributeIndex, in: 0...Int32.max) ?? 0)
        } else {
            throw KMIPCodecError(.missingField, "Delete Attribute needs an attribute name or reference", tag: .attributeName)
        }
    }
    public var target: String? { uniqueIdentifier }
}

/// Set Attribute (KMIP 2.0+, §6.1.51).
public struct SetAttributeRequest: RequestPayload, Hashable {
    public static let operation = Operation.setAttribute
    public var uniqueIdentifier: String?
    public var attribute: Attribute
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        guard let a = try Attribute(in: payload, v2Tag: .newAttribute, version: version) else {
            throw KMIPCodecError(.missingField, "Set Attribute needs New Attribute", tag: .newAttribute)
        }
        attribute = a
    }
    public var target: String? { uniqueIdentifier }
}

/// The response of Add / Modify / Delete Attribute: the Unique Identifier, and for 1.x clients the
/// attribute with its index (2.x sends nothing more).
public struct AttributeEditResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    public var attribute: Attribute?
    public var index: Int
    public init(_ uid: String, attribute: Attribute?, index: Int) { uniqueIdentifier = uid; self.attribute = attribute; self.index = index }
    public func payload(version: ProtocolVersion) -> TTLV {
        var out = [TTLV(.uniqueIdentifier, .textString(uniqueIdentifier))]
        if !version.isV2, var a = attribute {
            a.index = Int32(clamping: index)  // 0 too: see AttributeList.numbered
            out.append(a.v1)
        }
        return .structure(.responsePayload, out)
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

/// Get Attributes (KMIP 2.1 §6.1.20).
public struct GetAttributesRequest: RequestPayload, Hashable {
    public static let operation = Operation.getAttributes
    public var uniqueIdentifier: String?
    /// The attributes asked for, in order; empty means all.
    public var names: [String]
    public init(uniqueIdentifier: String?, names: [String] = []) { self.uniqueIdentifier = uniqueIdentifier; self.names = names }
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        names = try AttributeReferences.names(in: payload)
    }
    public var target: String? { uniqueIdentifier }
}

public struct GetAttributesResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    public var attributes: [Attribute]
    public init(_ uid: String, attributes: [Attribute]) { uniqueIdentifier = uid; self.attributes = attributes }
    public func payload(version: ProtocolVersion) -> TTLV {
        .structure(.responsePayload, [TTLV(.uniqueIdentifier, .textString(uniqueIdentifier))] + AttributeList.encode(attributes, version: version))
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

/// Get Attribute List (KMIP 2.1 §6.1.21).
public struct GetAttributeListRequest: RequestPayload, Hashable {
    public static let operation = Operation.getAttributeList
    public var uniqueIdentifier: String?
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) { uniqueIdentifier = try payload.optionalIdentifier() }
    public var target: String? { uniqueIdentifier }
}

public struct GetAttributeListResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    public var names: [String]
    public init(_ uid: String, names: [String]) { uniqueIdentifier = uid; self.names = names }
    /// 1.x: Attribute Names; 2.x: Attribute References.
    public func payload(version: ProtocolVersion) -> TTLV {
        var out = [TTLV(.uniqueIdentifier, .textString(uniqueIdentifier))]
        out += version.isV2 ? names.compactMap(AttributeReferences.reference) : names.map { TTLV(.attributeName, .textString($0)) }
        return .structure(.responsePayload, out)
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}
