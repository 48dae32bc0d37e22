/// TTLV to the XML message encoding (KMIP Additional Message Encodings 1.0 §6.1): one element per
/// item named by its tag (`TTLV tag="0x…"` for unknown tags), `type` and `value` attributes; the
/// reverse of `TTLVXML`. Pure.
public enum TTLVXMLWriter {
    public static func encode(_ t: TTLV) -> [UInt8] {
        var out = [UInt8]()
        write(t, context: nil, into: &out)
        return out
    }

    static func write(_ t: TTLV, context: String?, into out: inout [UInt8]) {
        let known = t.tag.name != nil
        let name = known ? t.tag.xmlName : "TTLV"
        out += Array("<\(name)".utf8)
        if !known { out += Array(" tag=\"\(String(format6: t.tag.rawValue))\"".utf8) }
        let type = t.value.itemType
        if type != .structure { out += Array(" type=\"\(type.xmlName)\"".utf8) }
        switch t.value {
        case .structure(let children):
            out += Array(">".utf8)
            var attributeName: String?
            for c in children {
                write(c, context: c.tag == .attributeValue ? attributeName : nil, into: &out)
                if c.tag == .attributeName { attributeName = c.text }
            }
            out += Array("</\(name)>".utf8)
            return
        case .integer(let i): attribute(String(i), into: &out)
        case .longInteger(let l): attribute(String(l), into: &out)
        case .bigInteger(let b): attribute(TextValues.hexBytes(b), into: &out)
        case .enumeration(let e):
            attribute(TextValues.enumerationName(e, table: context ?? t.tag.name ?? "") ?? TextValues.hex32(e), into: &out)
        case .boolean(let b): attribute(b ? "true" : "false", into: &out)
        case .textString(let s): attribute(s, into: &out)
        case .byteString(let b): attribute(TextValues.hexBytes(b), into: &out)
        case .dateTime(let s): attribute(ISODate.format(s), into: &out)
        case .interval(let i): attribute(String(i), into: &out)
        case .dateTimeExtended(let us): attribute(String(us), into: &out)
        }
        out += Array("/>".utf8)
    }

    /// ` value="…"` with the five XML special characters escaped.
    static func attribute(_ v: String, into out: inout [UInt8]) {
        out += Array(" value=\"".utf8)
        for b in v.utf8 {
            switch b {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case UInt8(ascii: "'"): out += Array("&apos;".utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
