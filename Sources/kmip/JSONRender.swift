import Foundation
import KMIP

/// TTLV as JSON for scripts: keys are the spec's tag names (XML element style), repeated tags become
/// arrays, enumerations become their names, byte strings hex, dates ISO 8601.
enum JSONRender {
    indirect enum Value { case string(String), number(Int64), bool(Bool), object([(String, Value)]), array([Value]) }

    static func string(_ t: TTLV) -> String { render(convert(t, context: nil)) }
    static func object(_ fields: [String: Value]) -> String { render(.object(fields.sorted { $0.key < $1.key })) }
    static func array(_ items: [TTLV]) -> String { render(.array(items.map { convert($0, context: nil) })) }

    static func convert(_ t: TTLV, context: String?) -> Value {
        switch t.value {
        case .structure(let children):
            var order = [String](), groups = [String: [Value]]()
            var attributeName: String?
            for c in children {
                let key = c.tag.xmlName
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(convert(c, context: c.tag == .attributeValue ? attributeName : nil))
                if c.tag == .attributeName { attributeName = c.text }
            }
            return .object(order.map { k in (k, groups[k]!.count == 1 ? groups[k]![0] : .array(groups[k]!)) })
        case .enumeration(let v) where t.tag == .attributeReference:
            return .string(Tag(v).name ?? "0x" + String(v, radix: 16))
        case .enumeration(let v):
            let table = context ?? t.tag.name ?? ""
            return .string(EnumerationIndex.shared.name(forTag: table, value: v) ?? "0x" + String(v, radix: 16))
        case .integer(let v): return .number(Int64(v))
        case .longInteger(let v): return .number(v)
        case .interval(let v): return .number(Int64(v))
        case .boolean(let b): return .bool(b)
        case .textString(let s): return .string(s)
        case .byteString(let b), .bigInteger(let b): return .string(b.map { String(format: "%02x", $0) }.joined())
        case .dateTime(let s): return .string(ISODate.format(s))
        case .dateTimeExtended(let us): return .string(ISODate.format(us / 1_000_000))
        }
    }

    static func render(_ v: Value, indent: String = "") -> String {
        switch v {
        case .string(let s): return quote(s)
        case .number(let n): return String(n)
        case .bool(let b): return String(b)
        case .array(let items):
            if items.isEmpty { return "[]" }
            let inner = indent + "  "
            return "[\n" + items.map { inner + render($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            let inner = indent + "  "
            return "{\n" + fields.map { inner + quote($0.0) + ": " + render($0.1, indent: inner) }.joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
