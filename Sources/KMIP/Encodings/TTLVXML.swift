/// The XML form of TTLV used by the OASIS test-case files (KMIP Profiles §5.4 "XML encoding"):
/// element name = tag, `type` = item type (Structure when absent), `value` = the value, with
/// enumerations and masks given by name.
public enum TTLVXML {
    /// Converts an element tree to TTLV. `resolve` may rewrite a raw `value` first (placeholders).
    /// `resolve` gets the raw value and the element name.
    public static func ttlv(_ e: XMLElement, resolve: (String, String) -> String = { v, _ in v }) throws(KMIPCodecError) -> TTLV {
        try convert(e, context: nil, resolve: resolve)
    }

    /// The XML message encoding's input (Additional Message Encodings §6.1): the TTLV limits, size
    /// before parsing and depth and item count after.
    public static func decode(_ bytes: [UInt8], limits: TTLVLimits) throws(KMIPCodecError) -> TTLV {
        guard bytes.count <= limits.maxMessageSize else {
            throw KMIPCodecError(.tooLarge, "XML message of \(bytes.count) bytes exceeds \(limits.maxMessageSize)")
        }
        let t = try ttlv(try XMLElement.parse(String(decoding: bytes, as: UTF8.self)))
        try TextValues.check(t, limits: limits)
        return t
    }

    static func convert(_ e: XMLElement, context: String?, resolve: (String, String) -> String) throws(KMIPCodecError) -> TTLV {
        // The general form `<TTLV tag="0x420001" …>` names the tag in an attribute (§6.1.6).
        let tagName = e.name == "TTLV" ? (e.attributes["tag"] ?? "") : e.name
        guard let tag = Tag(named: tagName) else { throw KMIPCodecError(.unknownTag, "unknown tag <\(tagName)>") }
        let typeName = e.attributes["type"] ?? "Structure"
        guard let type = ItemType(xmlName: typeName) else { throw KMIPCodecError(.xmlSyntax, "unknown type \(typeName) on <\(e.name)>") }
        if type == .structure {
            var children = [TTLV]()
            var attributeName: String?
            for c in e.children {
                // An Attribute Value's enumeration and mask names belong to the sibling Attribute Name.
                let ctx = c.name == "AttributeValue" ? attributeName : nil
                let t = try convert(c, context: ctx, resolve: resolve)
                if t.tag == .attributeName { attributeName = t.text }
                children.append(t)
            }
            return .structure(tag, children)
        }
        let raw = resolve(e.attributes["value"] ?? "", e.name)
        let table = context ?? tag.name ?? e.name
        return TTLV(tag, try value(type, raw, table: table, tag: tag))
    }

    static func value(_ type: ItemType, _ raw: String, table: String, tag: Tag) throws(KMIPCodecError) -> TTLV.Value {
        func bad() -> KMIPCodecError { KMIPCodecError(.invalidValue, "<\(tag.xmlName)> \(type.xmlName) value '\(raw)'", tag: tag) }
        switch type {
        case .structure: return .structure([])
        case .integer:
            if let v = number(raw) { return .integer(Int32(truncatingIfNeeded: v)) }
            // Masks: names separated by spaces or '|'.
            var mask: UInt32 = 0
            for part in raw.split(whereSeparator: { $0 == " " || $0 == "|" }) {
                // A component is a name or a 32-bit hex value (Additional Message Encodings §4.1.6.4).
                if part.hasPrefix("0x"), let v = UInt32(part.dropFirst(2), radix: 16) { mask |= v; continue }
                guard let v = EnumerationIndex.shared.value(forTag: table, name: String(part)) else { throw bad() }
                mask |= v
            }
            return .integer(Int32(bitPattern: mask))
        case .longInteger:
            guard let v = number(raw) else { throw bad() }
            return .longInteger(v)
        case .enumeration:
            if let v = number(raw) { return .enumeration(UInt32(truncatingIfNeeded: v)) }
            // Attribute Reference (2.x) names an attribute by its tag.
            if tag == .attributeReference, let t = Tag(named: raw) { return .enumeration(t.rawValue) }
            guard let v = EnumerationIndex.shared.value(forTag: table, name: raw) else { throw bad() }
            return .enumeration(v)
        case .boolean:
            switch raw.lowercased() {
            case "true", "1": return .boolean(true)
            case "false", "0": return .boolean(false)
            default: throw bad()
            }
        case .textString: return .textString(raw)
        case .byteString:
            guard let b = hex(raw) else { throw bad() }
            return .byteString(b)
        case .bigInteger:
            guard let b = hex(raw) else { throw bad() }
            return .bigInteger(b)
        case .dateTime:
            guard let s = ISODate.parse(raw) else { throw bad() }
            return .dateTime(s)
        case .dateTimeExtended:
            if let v = number(raw) { return .dateTimeExtended(v) }
            guard let s = ISODate.parse(raw) else { throw bad() }
            return .dateTimeExtended(s * 1_000_000)
        case .interval:
            guard let v = number(raw) else { throw bad() }
            return .interval(UInt32(truncatingIfNeeded: v))
        }
    }

    static func number(_ s: String) -> Int64? {
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return UInt64(s.dropFirst(2), radix: 16).map { Int64(bitPattern: $0) } }
        return Int64(s)
    }

    public static func hex(_ s: String) -> [UInt8]? {
        let chars = Array(s.utf8).filter { $0 != 0x20 }
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8](); out.reserveCapacity(chars.count / 2)
        var k = 0
        while k < chars.count {
            guard let hi = nibble(chars[k]), let lo = nibble(chars[k + 1]) else { return nil }
            out.append(hi << 4 | lo); k += 2
        }
        return out
    }
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}

/// ISO 8601 date-times as the test files write them ("2012-04-25T08:10:23+00:00", "…Z"), to Unix seconds.
public enum ISODate {
    /// nil unless every field is digits in its range (month 1–12, a day the month has, 23:59:59 at
    /// most, an offset under 24 hours): a date that does not exist is refused, not carried over.
    public static func parse(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard u.count >= 19, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"), u[10] == UInt8(ascii: "T"),
              u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":") else { return nil }
        func n(_ a: ArraySlice<UInt8>) -> Int64? {
            guard !a.isEmpty, a.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return a.reduce(0) { $0 * 10 + Int64($1 - 0x30) }
        }
        guard let y = n(u[0..<4]), let mo = n(u[5..<7]), let d = n(u[8..<10]), let h = n(u[11..<13]),
              let mi = n(u[14..<16]), let se = n(u[17..<19]),
              (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, se < 60 else { return nil }
        var rest = u[19...]
        if rest.first == UInt8(ascii: ".") { rest = rest.drop(while: { $0 == UInt8(ascii: ".") || ($0 >= 0x30 && $0 <= 0x39) }) }
        var offset: Int64 = 0
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            let t = rest.dropFirst()
            guard t.count >= 5, let oh = n(t.prefix(2)), t[t.startIndex + 2] == UInt8(ascii: ":"), let om = n(t.dropFirst(3).prefix(2)),
                  oh < 24, om < 60 else { return nil }
            offset = (oh * 3600 + om * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
        }
        return days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (civil calendar).
    static func days(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func format(_ seconds: Int64) -> String {
        // Days before 1970 round down, not toward zero: -1 is 1969-12-31T23:59:59.
        let z = (seconds >= 0 ? seconds / 86400 : (seconds + 1) / 86400 - 1) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let s = ((seconds % 86400) + 86400) % 86400
        func p(_ v: Int64, _ w: Int = 2) -> String { let t = String(v); return String(repeating: "0", count: max(0, w - t.count)) + t }
        return "\(p(y, 4))-\(p(m))-\(p(d))T\(p(s / 3600)):\(p(s % 3600 / 60)):\(p(s % 60))+00:00"
    }
}
