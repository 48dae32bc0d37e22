/// One attribute in the canonical (2.x-shaped) model the engine works with: keyed by its tag (or, for
/// a vendor attribute, its name), an optional 1.x index, and the value as a TTLV item tagged with the
/// attribute's own tag (KMIP 2.1 §4; 1.4 §3). Vendor attributes (names starting `x-`/`y-` in 1.x, the
/// Attribute structure in 2.x) keep the `Attribute Value` tag and may have any type.
public struct Attribute: Hashable, Sendable {
    public enum Key: Hashable, Sendable {
        case tag(Tag)
        /// A vendor attribute by its 1.x name ("x-kmipd-grant"), or a name no tag has.
        case vendor(String)
    }
    public var key: Key
    public var index: Int32?
    public var value: TTLV

    public init(name: String, index: Int32? = nil, value: TTLV) { key = Self.key(name); self.index = index; self.value = value }
    public init(key: Key, index: Int32? = nil, value: TTLV) { self.key = key; self.index = index; self.value = value }
    /// A spec attribute whose value is a single item.
    public init(_ tag: Tag, _ value: TTLV.Value) { key = .tag(tag); index = nil; self.value = TTLV(tag, value) }

    public static func key(_ name: String) -> Key {
        if name.hasPrefix("x-") || name.hasPrefix("y-") { return .vendor(name) }
        return Tag(named: name).map { .tag($0) } ?? .vendor(name)
    }
    /// The spec name ("Cryptographic Algorithm") or the vendor name.
    public var name: String {
        switch key {
        case .tag(let t): t.name ?? t.description
        case .vendor(let n): n
        }
    }
    public var tag: Tag? { if case .tag(let t) = key { t } else { nil } }
    public var isVendor: Bool { if case .vendor = key { true } else { false } }
}

extension Attribute {
    /// From a 1.x `Attribute` structure (Attribute Name, Attribute Index, Attribute Value).
    public init(v1 ttlv: TTLV) throws(KMIPCodecError) {
        let name = try ttlv.requiredText(.attributeName)
        let index = try ttlv.optionalInt(.attributeIndex)
        var value = ttlv.first(.attributeValue) ?? TTLV(.attributeValue, .structure([]))
        if let tag = Tag(named: name), !name.hasPrefix("x-"), !name.hasPrefix("y-") { value.tag = tag }
        self.init(name: name, index: index, value: value)
    }

    /// From one child of a 2.x `Attributes` structure (or a 2.x vendor `Attribute`).
    public init(v2 ttlv: TTLV) throws(KMIPCodecError) {
        if ttlv.tag == .attribute {
            let vendor = try ttlv.optionalText(.vendorIdentification)
            let name = try ttlv.requiredText(.attributeName)
            let value = ttlv.first(.attributeValue) ?? TTLV(.attributeValue, .structure([]))
            // 1.x clients use "x-name"; a 2.x vendor attribute without that prefix keeps its vendor id.
            self.init(name: Self.vendorName(vendor: vendor, name: name), value: value)
            return
        }
        guard let name = ttlv.tag.name else { throw KMIPCodecError(.unknownTag, "unknown attribute tag \(ttlv.tag)", tag: ttlv.tag) }
        self.init(name: name, value: ttlv)
    }

    /// The canonical name of a 2.x vendor attribute: 1.x clients call it "x-name".
    public static func vendorName(vendor: String?, name: String) -> String {
        guard let v = vendor, v == "x" || v == "y", !name.hasPrefix("\(v)-") else { return name }
        return "\(v)-\(name)"
    }

    /// The 1.x wire form.
    public var v1: TTLV {
        var c = [TTLV(.attributeName, .textString(name))]
        if let i = index { c.append(TTLV(.attributeIndex, .integer(i))) }
        var v = value
        v.tag = .attributeValue
        c.append(v)
        return .structure(.attribute, c)
    }

    /// The 2.x wire form: the item itself, or a vendor `Attribute` structure.
    public var v2: TTLV {
        if isVendor {
            let (vendor, bare) = name.hasPrefix("x-") || name.hasPrefix("y-")
                ? (String(name.prefix(1)), String(name.dropFirst(2))) : ("x", name)
            var v = value
            v.tag = .attributeValue
            return .structure(.attribute, [TTLV(.vendorIdentification, .textString(vendor)),
                                           TTLV(.attributeName, .textString(bare)), v])
        }
        return value
    }

    /// Whether a client speaking `version` knows this attribute (responses omit the others): its tag
    /// exists there and that version's attribute chapter defines it (Key Format Type is a field in 1.x
    /// and an attribute only from 2.0; Operation Policy Name is gone in 2.0).
    public func isDefined(in version: ProtocolVersion) -> Bool {
        guard !isVendor, let tag else { return true }
        guard let since = tag.since, since <= version else { return false }
        let defined = !version.isV2 ? AttributeRuleTable.definedInV1
            : version == .v2_0 ? AttributeRuleTable.definedInV20 : AttributeRuleTable.definedInV21
        // A Link of a type the version lacks (Wrapping Key Link is 2.0's) is not one its clients can read.
        if tag == .link, let t = value.first(.linkType)?.enumValue, let s = LinkType(rawValue: t).since, s > version { return false }
        return defined.contains(tag)
    }
}

/// Reads the attributes of a request payload in either form: 1.x Template-Attribute (and its
/// Common/Private/Public variants) or 2.x Attributes.
public enum AttributeList {
    public static func read(_ container: TTLV) throws(KMIPCodecError) -> [Attribute] {
        if container.tag == .attributes || container.tag == .commonAttributes
            || container.tag == .privateKeyAttributes || container.tag == .publicKeyAttributes {
            var out = [Attribute]()
            for c in container.children { out.append(try Attribute(v2: c)) }
            return out
        }
        var out = [Attribute]()
        for c in container.all(.attribute) { out.append(try Attribute(v1: c)) }
        if !container.all(.name).isEmpty {
            throw KMIPCodecError(.invalidValue, "Templates (by Name) are not supported; send attributes", tag: .name)
        }
        return out
    }

    /// The attributes a request payload carries for the object it makes or changes: 2.x Attributes or
    /// 1.x Template-Attribute; none when absent.
    public static func inRequest(_ payload: TTLV) throws(KMIPCodecError) -> [Attribute] {
        guard let container = payload.first(.attributes) ?? payload.first(.templateAttribute) else { return [] }
        return try read(container)
    }

    /// 1.x responses name every instance by its Attribute Index, 0 included: the spec lets a server
    /// omit 0 (1.4 §2.1.1), but clients (PyKMIP among them) read the index of every attribute returned.
    public static func numbered(_ attributes: [Attribute]) -> [Attribute] {
        var next = [Attribute.Key: Int32]()
        return attributes.map { a in
            var a = a
            let i = next[a.key, default: 0]
            next[a.key] = i + 1
            a.index = a.index ?? i
            return a
        }
    }

    /// The wire form of `attributes` for `version`: 1.x `Attribute` items or a 2.x `Attributes` structure.
    public static func encode(_ attributes: [Attribute], version: ProtocolVersion, tag: Tag = .attributes) -> [TTLV] {
        let known = attributes.filter { $0.isDefined(in: version) }
        if version.isV2 { return [.structure(tag, known.map(\.v2))] }
        return numbered(known).map(\.v1)
    }
}
