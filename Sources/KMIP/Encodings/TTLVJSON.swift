/// The JSON message encoding (KMIP Additional Message Encodings 1.0 §4.1): each item an object
/// `{"tag", "name"?, "type"?, "value"}`; tags and enumerations by CamelCase name or hex; numbers as
/// JSON numbers or hex strings; byte strings as hex. Both directions; the decoder checks the same
/// limits as the TTLV decoder. Pure.
public enum TTLVJSON {
    /// Text to TTLV: size first, then depth while parsing, then the item count.
    public static func decode(_ bytes: [UInt8], limits: TTLVLimits) throws(KMIPCodecError) -> TTLV {
        guard bytes.count <= limits.maxMessageSize else {
            throw KMIPCodecError(.tooLarge, "JSON message of \(bytes.count) bytes exceeds \(limits.maxMessageSize)")
        }
        // Each TTLV level is an object and an array: twice the TTLV depth, and one more for the root.
        let doc = try JSONValue.parse(bytes, maxDepth: 2 * limits.maxDepth + 1)
        let t = try item(doc, context: nil)
        try TextValues.check(t, limits: limits)
        return t
    }

    static func item(_ v: JSONValue, context: String?) throws(KMIPCodecError) -> TTLV {
        guard case .object = v else { throw KMIPCodecError(.jsonSyntax, "an item must be a JSON object") }
        guard case .string(let tagText)? = v["tag"] else { throw KMIPCodecError(.jsonSyntax, "an item without a \"tag\" string") }
        guard let tag = Tag(named: tagText) else { throw KMIPCodecError(.unknownTag, "unknown tag \"\(tagText)\"") }
        var type = ItemType.structure
        if let t = v["type"] {
            guard case .string(let name) = t, let known = ItemType(xmlName: name) else {
                throw KMIPCodecError(.jsonSyntax, "\(tag.xmlName): unknown type \(t.text)", tag: tag)
            }
            type = known
        }
        let value = v["value"] ?? .null
        if type == .structure {
            var children = [TTLV]()
            switch value {
            case .null: break
            case .array(let items):
                var attributeName: String?
                for c in items {
                    // An Attribute Value's enumeration and mask names belong to the sibling Attribute Name.
                    let child = try item(c, context: attributeName)
                    if child.tag == .attributeName { attributeName = child.text }
                    children.append(child)
                }
            default: throw KMIPCodecError(.jsonSyntax, "\(tag.xmlName): a Structure's value must be an array", tag: tag)
            }
            return .structure(tag, children)
        }
        let table = tag == .attributeValue ? (context ?? tag.name ?? tagText) : (tag.name ?? tagText)
        func bad() -> KMIPCodecError { KMIPCodecError(.invalidValue, "\(tag.xmlName) \(type.xmlName) value \(value.text)", tag: tag) }
        switch (type, value) {
        case (.boolean, .bool(let b)): return TTLV(tag, .boolean(b))
        case (.boolean, .string(let s)):
            guard let n = TTLVXML.number(s), s.hasPrefix("0x"), n == 0 || n == 1 else { throw bad() }
            return TTLV(tag, .boolean(n == 1))
        case (.integer, .number(let n)), (.enumeration, .number(let n)), (.interval, .number(let n)):
            guard let x = Int64(n) else { throw bad() }
            switch type {
            case .integer: guard (Int64(Int32.min)...Int64(Int32.max)).contains(x) else { throw bad() }; return TTLV(tag, .integer(Int32(x)))
            case .enumeration: guard (0...Int64(UInt32.max)).contains(x) else { throw bad() }; return TTLV(tag, .enumeration(UInt32(x)))
            default: guard (0...Int64(UInt32.max)).contains(x) else { throw bad() }; return TTLV(tag, .interval(UInt32(x)))
            }
        case (.longInteger, .number(let n)), (.dateTimeExtended, .number(let n)):
            guard let x = Int64(n) else { throw bad() }
            return TTLV(tag, type == .longInteger ? .longInteger(x) : .dateTimeExtended(x))
        case (.bigInteger, .number(let n)):
            guard let x = Int64(n) else { throw bad() }
            return TTLV(tag, .bigInteger((0..<8).map { UInt8(truncatingIfNeeded: x >> (56 - 8 * $0)) }))
        case (.bigInteger, .string(let s)):
            guard s.hasPrefix("0x") || s.hasPrefix("0X"), let bytes = TTLVXML.hex(String(s.dropFirst(2))) else { throw bad() }
            return TTLV(tag, .bigInteger(bytes))
        case (.dateTime, .string(let s)) where s.hasPrefix("0x"):
            guard let x = TTLVXML.number(s) else { throw bad() }
            return TTLV(tag, .dateTime(x))
        case (.textString, .string(let s)), (.byteString, .string(let s)), (.integer, .string(let s)), (.longInteger, .string(let s)),
             (.enumeration, .string(let s)), (.dateTime, .string(let s)), (.interval, .string(let s)), (.dateTimeExtended, .string(let s)):
            // Hex numbers, masks ("Encrypt|Decrypt"), enumeration names, dates: as the XML encoding reads them.
            if type == .integer || type == .interval, let x = TTLVXML.number(s), s.hasPrefix("0x") || s.hasPrefix("0X") {
                guard x >= 0 && x <= Int64(UInt32.max) else { throw bad() }
                return TTLV(tag, type == .integer ? .integer(Int32(bitPattern: UInt32(x))) : .interval(UInt32(x)))
            }
            do { return TTLV(tag, try TTLVXML.value(type, s, table: table, tag: tag)) } catch { throw bad() }
        default: throw bad()
        }
    }

    /// TTLV to JSON text: names where the tag and enumeration are known, hex where not.
    public static func encode(_ t: TTLV) -> [UInt8] {
        var out = [UInt8]()
        json(t, context: nil).write(into: &out)
        return out
    }

    static func json(_ t: TTLV, context: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [("tag", .string(t.tag.name == nil ? String(format6: t.tag.rawValue) : t.tag.xmlName))]
        let type = t.value.itemType
        if type != .structure { members.append(("type", .string(type.xmlName))) }
        let value: JSONValue
        switch t.value {
        case .structure(let children):
            var attributeName: String?
            value = .array(children.map { c in
                defer { if c.tag == .attributeName { attributeName = c.text } }
                return json(c, context: c.tag == .attributeValue ? attributeName : nil)
            })
        case .integer(let i): value = .number(String(i))
        // Beyond 2^52 a JSON number loses precision (§4.1.6.5); never abs(): Int64.min has none.
        case .longInteger(let l): value = l > -(1 << 52) && l < 1 << 52 ? .number(String(l)) : .string(TextValues.hex64(UInt64(bitPattern: l)))
        case .bigInteger(let b): value = .string("0x" + TextValues.hexBytes(b))
        case .enumeration(let e):
            let table = context ?? t.tag.name ?? ""
            value = .string(TextValues.enumerationName(e, table: table) ?? TextValues.hex32(e))
        case .boolean(let b): value = .bool(b)
        case .textString(let s): value = .string(s)
        case .byteString(let b): value = .string(TextValues.hexBytes(b))
        // Dates outside years 1–9999 have no ISO 8601 form a reader takes: hex (§4.1.6.11).
        case .dateTime(let s): value = .string(s >= -62_135_596_800 && s <= 253_402_300_799 ? ISODate.format(s) : TextValues.hex64(UInt64(bitPattern: s)))
        case .interval(let i): value = .number(String(i))
        case .dateTimeExtended(let us): value = .number(String(us))
        }
        members.append(("value", value))
        return .object(members)
    }
}
