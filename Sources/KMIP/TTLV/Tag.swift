/// A TTLV tag: three bytes, 0x42xxxx for spec tags, 0x54xxxx for extensions (KMIP 2.1 §9.1.1.1).
public struct Tag: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue & 0xFF_FFFF }
    public init(_ value: UInt32) { self.init(rawValue: value) }

    public var isExtension: Bool { rawValue >> 16 == 0x54 }
    /// The spec name ("Activation Date"), or nil for extensions and unknown values.
    public var name: String? { TagIndex.shared.nameByValue[rawValue] }
    /// The version that introduced this tag.
    public var since: ProtocolVersion? { TagIndex.shared.sinceByValue[rawValue] }
    /// The item type the specifications give this tag (nil where it varies, as for Attribute Value).
    public var itemType: ItemType? { TagTypeTable.all[rawValue] }
    /// A tag looked up by its spec name, its XML element name ("ActivationDate") or 0x42xxxx text.
    public init?(named name: String) {
        // The spec's exact spelling first: attribute names are looked up on every request, and the
        // normalised key (lowercased, letters only) costs a Unicode scan per character.
        if let v = TagIndex.shared.valueByName[name] ?? TagIndex.shared.valueByKey[TagIndex.key(name)] { self.init(v); return }
        if name.hasPrefix("0x") || name.hasPrefix("0X"), let v = UInt32(name.dropFirst(2), radix: 16) { self.init(v); return }
        return nil
    }
    /// The OASIS XML element name: the spec name without spaces or punctuation.
    public var xmlName: String {
        guard let n = name else { return String(format6: rawValue) }
        return n.filter { $0.isLetter || $0.isNumber || $0 == "_" }
    }
    public var description: String { name ?? String(format6: rawValue) }
}

extension String {
    init(format6 value: UInt32) {
        let hex = String(value, radix: 16, uppercase: true)
        let pad = String(repeating: "0", count: Swift.max(0, 6 - hex.count))
        self = "0x" + pad + hex
    }
}

/// Lookup tables built once from the generated `TagTable`.
struct TagIndex: Sendable {
    static let shared = TagIndex()
    let nameByValue: [UInt32: String]
    let sinceByValue: [UInt32: ProtocolVersion]
    let valueByKey: [String: UInt32]
    let valueByName: [String: UInt32]
    init() {
        var names = [UInt32: String](), since = [UInt32: ProtocolVersion](), keys = [String: UInt32](), exact = [String: UInt32]()
        for e in TagTable.all {
            names[e.value] = e.name
            since[e.value] = e.since
            keys[Self.key(e.name)] = e.value
            exact[e.name] = e.value
        }
        nameByValue = names; sinceByValue = since; valueByKey = keys; valueByName = exact
    }
    /// Names compare without case, spaces or punctuation, so "Object Type" == "ObjectType".
    static func key(_ s: String) -> String { String(s.lowercased().filter { $0.isLetter || $0.isNumber }) }
}
