/// Requests a client builds from the same types the server decodes (KMIP 2.1 §6.1 payload tables), in
/// the wire form of the version it speaks: 1.x Template-Attribute and Attribute items, 2.x Attributes.
public protocol EncodableRequest: RequestPayload {
    func payload(version: ProtocolVersion) -> TTLV
}

extension AttributeList {
    /// A request's attributes for `version`: a 2.x `Attributes` structure, or a 1.x `Template-Attribute`.
    static func request(_ attributes: [Attribute], version: ProtocolVersion, v1Tag: Tag = .templateAttribute) -> [TTLV] {
        if version.isV2 { return encode(attributes, version: version) }
        return [.structure(v1Tag, attributes.map(\.v1))]
    }
}

extension CreateRequest: EncodableRequest {
    public func payload(version: ProtocolVersion) -> TTLV {
        .structure(.requestPayload, [TTLV(.objectType, .enumeration(objectType.rawValue))] + AttributeList.request(attributes, version: version))
    }
}

extension CreateKeyPairRequest: EncodableRequest {
    public func payload(version: ProtocolVersion) -> TTLV {
        let lists: [(Tag, Tag, [Attribute])] = [
            (.commonAttributes, .commonTemplateAttribute, attributes.common),
            (.privateKeyAttributes, .privateKeyTemplateAttribute, attributes.privateKey),
            (.publicKeyAttributes, .publicKeyTemplateAttribute, attributes.publicKey),
        ]
        var c = [TTLV]()
        for (v2, v1, attrs) in lists where !attrs.isEmpty {
            c.append(version.isV2 ? .structure(v2, attrs.filter { $0.isDefined(in: version) }.map(\.v2)) : .structure(v1, attrs.map(\.v1)))
        }
        return .structure(.requestPayload, c)
    }
}

extension LocateRequest: EncodableRequest {
    public func payload(version: ProtocolVersion) -> TTLV {
        var c = [TTLV]()
        if let m = maximumItems { c.append(TTLV(.maximumItems, .integer(Int32(clamping: m)))) }
        if offsetItems > 0 { c.append(TTLV(.offsetItems, .integer(Int32(clamping: offsetItems)))) }
        if let s = storageStatusMask { c.append(TTLV(.storageStatusMask, .integer(Int32(bitPattern: s)))) }
        if let g = objectGroupMember { c.append(TTLV(.objectGroupMember, .enumeration(g.rawValue))) }
        c += version.isV2 ? AttributeList.encode(filters, version: version) : filters.map(\.v1)
        return .structure(.requestPayload, c)
    }
}

extension GetRequest: EncodableRequest {
    public func payload(version: ProtocolVersion) -> TTLV {
        var b = PayloadBuilder()
        b.add(.uniqueIdentifier, text: uniqueIdentifier)
        b.add(.keyFormatType, keyFormatType)
        b.add(.keyWrapType, keyWrapType)
        b.add(.keyCompressionType, keyCompressionType)
        if let s = keyWrappingSpecification { b.add(s.ttlv) }
        return .structure(.requestPayload, b.children)
    }
}

extension GetAttributesRequest: EncodableRequest {
    /// 1.x Attribute Names; 2.x Attribute References.
    public func payload(version: ProtocolVersion) -> TTLV {
        var c = [TTLV]()
        if let u = uniqueIdentifier { c.append(TTLV(.uniqueIdentifier, .textString(u))) }
        c += version.isV2 ? names.compactMap(AttributeReferences.reference) : names.map { TTLV(.attributeName, .textString($0)) }
        return .structure(.requestPayload, c)
    }
}

extension ActivateRequest: EncodableRequest {
    public func payload(version: ProtocolVersion) -> TTLV { identifierPayload(uniqueIdentifier) }
}

extension DestroyRequest: EncodableRequest {
    public func payload(version: ProtocolVersion) -> TTLV { identifierPayload(uniqueIdentifier) }
}

extension RevokeRequest: EncodableRequest {
    public init(uniqueIdentifier: String?, reason: RevocationReason, compromiseOccurrenceDate: Int64? = nil) {
        self.uniqueIdentifier = uniqueIdentifier; self.reason = reason; self.compromiseOccurrenceDate = compromiseOccurrenceDate
    }
    public func payload(version: ProtocolVersion) -> TTLV {
        var c = identifierPayload(uniqueIdentifier).children
        c.append(reason.ttlv)
        if let d = compromiseOccurrenceDate { c.append(TTLV(.compromiseOccurrenceDate, .dateTime(d))) }
        return .structure(.requestPayload, c)
    }
}

func identifierPayload(_ uid: String?) -> TTLV {
    .structure(.requestPayload, uid.map { [TTLV(.uniqueIdentifier, .textString($0))] } ?? [])
}
