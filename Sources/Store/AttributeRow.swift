import KMIP

/// How one attribute is laid out in the `attributes` table: the canonical TTLV bytes for equality,
/// plus a number or text column so Locate can use ranges and indexes.
struct AttributeRow {
    var name: String
    var value: [UInt8]
    var num: Int64?
    var text: String?

    init(_ a: Attribute) {
        name = a.name
        value = TTLVEncoder.encode(Self.canonical(a.value))
        switch a.value.value {
        case .integer(let v): num = Int64(v)
        case .longInteger(let v), .dateTime(let v): num = v
        case .dateTimeExtended(let v): num = v / 1_000_000
        case .enumeration(let v), .interval(let v): num = Int64(v)
        case .boolean(let b): num = b ? 1 : 0
        case .textString(let s): text = s
        case .structure:
            text = a.value.first(.nameValue)?.text  // Name: searchable by its value
        default: break
        }
    }

    /// Values are compared without their tag, so a 1.x `Attribute Value` and the 2.x tagged form
    /// of the same attribute encode alike.
    static func canonical(_ v: TTLV) -> TTLV { var c = v; c.tag = .attributeValue; return c }

    func attribute(decoder: TTLVDecoder) -> Attribute? {
        guard var v = try? decoder.decode(value) else { return nil }
        let key = Attribute.key(name)
        if case .tag(let t) = key { v.tag = t }
        return Attribute(key: key, value: v)
    }
}
