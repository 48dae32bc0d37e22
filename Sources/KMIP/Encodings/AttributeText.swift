/// Attributes written as text, `NAME=VALUE`, as an operator types them on a command line. The value is
/// read as the item type the specification gives the attribute (`Tag.itemType`, from its structure
/// tables; KMIP 2.1 §4), so one syntax reaches every attribute:
///
/// - Text String as written; Byte String and Big Integer in hex; Boolean `true`/`false`;
/// - Integer and Long Integer in decimal (or `0x` hex); an Integer that is a mask (Cryptographic Usage
///   Mask, Storage Status Mask, …) as names joined by `,` or `|` (`Encrypt,Decrypt`);
/// - Enumeration by its spec name in any spelling (`AES`, `Parent Link`, `ParentLink`) or a number;
/// - Date-Time as ISO 8601 (`2027-01-01`, `2027-01-01T12:00:00Z`), `now`, `now+30d`, `now-1h` or `@SECONDS`;
/// - Interval as seconds, or with a unit: `90s`, `15m`, `12h`, `30d`;
/// - Structure as JSON whose keys are item names (`{"Link Type": "Parent Link", "Linked Object
///   Identifier": "4"}`), or the short forms `Name=TEXT`, `Link=TYPE:UID`,
///   `Application Specific Information=NAMESPACE:DATA`, `Alternative Name=TYPE:VALUE`.
///
/// Vendor attributes (`x-…`, `y-…`) are Text Strings unless the name says otherwise: `x-count:Integer=5`.
/// Pure: `now` is the caller's.
public enum AttributeText {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }

    /// One `NAME=VALUE` argument as an attribute.
    public static func attribute(_ argument: String, now: Int64) throws(Failure) -> Attribute {
        guard let eq = argument.firstIndex(of: "=") else { throw Failure("\(argument): write NAME=VALUE") }
        let value = String(argument[argument.index(after: eq)...])
        let (key, type) = try reference(String(argument[..<eq]))
        switch key {
        case .tag(let tag):
            return Attribute(key: key, value: try self.value(value, tag: tag, type: type, now: now))
        case .vendor(let name):
            let v = try scalar(value, tag: .attributeValue, type: type ?? .textString, name: name, now: now)
            return Attribute(key: key, value: v)
        }
    }

    /// An attribute name as typed: a spec name in any spelling, or a vendor name with an optional
    /// `:TYPE` (an item type's XML name: Integer, LongInteger, Boolean, ByteString, DateTime, …).
    public static func reference(_ text: String) throws(Failure) -> (Attribute.Key, ItemType?) {
        let trimmed = text.trimmed
        if trimmed.hasPrefix("x-") || trimmed.hasPrefix("y-") {
            guard let colon = trimmed.lastIndex(of: ":") else { return (.vendor(trimmed), nil) }
            let typeName = String(trimmed[trimmed.index(after: colon)...]).filter { $0 != " " && $0 != "-" }
            guard let t = ItemType(xmlName: typeName), t != .structure else {
                throw Failure("\(trimmed): after ':' comes an item type (TextString, Integer, LongInteger, Boolean, ByteString, DateTime, Interval)")
            }
            return (.vendor(String(trimmed[..<colon])), t)
        }
        guard let tag = Tag(named: trimmed), let type = tag.itemType else {
            throw Failure("unknown attribute \"\(trimmed)\" (a spec name such as \"Object Group\", or x-NAME for a vendor attribute)")
        }
        return (.tag(tag), type)
    }

    /// `text` as an item tagged `tag` of the given type (structures from JSON or a short form).
    public static func value(_ text: String, tag: Tag, type: ItemType? = nil, now: Int64) throws(Failure) -> TTLV {
        let type = type ?? tag.itemType ?? .textString
        guard type == .structure else { return try scalar(text, tag: tag, type: type, name: tag.description, now: now) }
        if text.trimmed.hasPrefix("{") {
            let json: JSONValue
            do { json = try JSONValue.parse(Array(text.utf8), maxDepth: 16) } catch {
                throw Failure("\(tag.description): the value is not JSON (\(error.message))")
            }
            return try structure(json, tag: tag, now: now)
        }
        return try shortForm(text, tag: tag)
    }

    static func shortForm(_ text: String, tag: Tag) throws(Failure) -> TTLV {
        func split(_ what: String) throws(Failure) -> (String, String) {
            guard let c = text.firstIndex(of: ":") else { throw Failure("\(tag.description) is written \(what), or as JSON") }
            return (String(text[..<c]).trimmed, String(text[text.index(after: c)...]))
        }
        func enumeration(_ t: Tag, _ name: String) throws(Failure) -> TTLV {
            guard let v = EnumerationIndex.shared.value(forTag: t.description, name: name) else {
                throw Failure("\(t.description): unknown value \"\(name)\"")
            }
            return TTLV(t, .enumeration(v))
        }
        switch tag {
        case .name:
            return .structure(.name, [TTLV(.nameValue, .textString(text)),
                                      TTLV(.nameType, .enumeration(NameType.uninterpretedTextString.rawValue))])
        case .link:
            let (type, uid) = try split("TYPE:UID (Parent Link:1234)")
            return .structure(.link, [try enumeration(.linkType, type), TTLV(.linkedObjectIdentifier, .textString(uid))])
        case .applicationSpecificInformation:
            let (namespace, data) = try split("NAMESPACE:DATA")
            return .structure(tag, [TTLV(.applicationNamespace, .textString(namespace)), TTLV(.applicationData, .textString(data))])
        case .alternativeName:
            let (type, value) = try split("TYPE:VALUE (DNS Name:host.example)")
            return .structure(tag, [TTLV(.alternativeNameValue, .textString(value)), try enumeration(.alternativeNameType, type)])
        default:
            throw Failure("\(tag.description) is a structure: write it as JSON, {\"Item Name\": value, …}")
        }
    }

    /// A JSON object as a structure: each key an item name, each value read as that item's type; an
    /// array repeats the item.
    static func structure(_ json: JSONValue, tag: Tag, now: Int64) throws(Failure) -> TTLV {
        guard case .object(let members) = json else { throw Failure("\(tag.description): a structure is a JSON object") }
        var children = [TTLV]()
        for (key, member) in members {
            guard let child = Tag(named: key) else { throw Failure("\(tag.description): unknown item \"\(key)\"") }
            let items: [JSONValue]
            if case .array(let a) = member { items = a } else { items = [member] }
            for item in items {
                switch item {
                case .object: children.append(try structure(item, tag: child, now: now))
                case .string(let s): children.append(try value(s, tag: child, now: now))
                case .number(let n): children.append(try value(n, tag: child, now: now))
                case .bool(let b): children.append(try value(b ? "true" : "false", tag: child, now: now))
                case .null, .array: throw Failure("\(tag.description): \(key) cannot be \(item.text)")
                }
            }
        }
        return .structure(tag, children)
    }

    static func scalar(_ text: String, tag: Tag, type: ItemType, name: String, now: Int64) throws(Failure) -> TTLV {
        let t = text.trimmed
        func bad(_ what: String) -> Failure { Failure("\(name): \"\(text)\" is not \(what)") }
        switch type {
        case .textString: return TTLV(tag, .textString(text))
        case .byteString, .bigInteger:
            guard let b = TTLVXML.hex(t.hasPrefix("0x") ? String(t.dropFirst(2)) : t) else { throw bad("hex") }
            return TTLV(tag, type == .byteString ? .byteString(b) : .bigInteger(b))
        case .boolean:
            switch t.lowercased() {
            case "true", "yes", "1": return TTLV(tag, .boolean(true))
            case "false", "no", "0": return TTLV(tag, .boolean(false))
            default: throw bad("true or false")
            }
        case .integer:
            if let v = number(t), let i = Int32(exactly: v) ?? (v >= 0 && v <= Int64(UInt32.max) ? Int32(bitPattern: UInt32(v)) : nil) {
                return TTLV(tag, .integer(i))
            }
            guard let mask = try maskBits(t, tag: tag) else { throw bad("a 32-bit integer") }
            return TTLV(tag, .integer(Int32(bitPattern: mask)))
        case .longInteger:
            guard let v = number(t) else { throw bad("a 64-bit integer") }
            return TTLV(tag, .longInteger(v))
        case .enumeration:
            if let v = number(t), let e = UInt32(exactly: v) { return TTLV(tag, .enumeration(e)) }
            guard let v = EnumerationIndex.shared.value(forTag: tag.description, name: t) else { throw bad("a \(tag.description) value") }
            return TTLV(tag, .enumeration(v))
        case .dateTime:
            guard let s = date(t, now: now) else { throw bad("a date (2027-01-01, 2027-01-01T12:00:00Z, now, now+30d, @SECONDS)") }
            return TTLV(tag, .dateTime(s))
        case .dateTimeExtended:
            guard let s = date(t, now: now) else { throw bad("a date") }
            let (us, overflow) = s.multipliedReportingOverflow(by: 1_000_000)
            guard !overflow else { throw bad("a date") }
            return TTLV(tag, .dateTimeExtended(us))
        case .interval:
            guard let s = seconds(t), let v = UInt32(exactly: s) else { throw bad("an interval (seconds, or 90s, 15m, 12h, 30d)") }
            return TTLV(tag, .interval(v))
        case .structure:
            throw Failure("\(name): a vendor attribute here is a single item, not a structure")
        }
    }

    /// Mask names joined by `,` or `|`, when `tag` has a mask table; nil when it has none.
    static func maskBits(_ text: String, tag: Tag) throws(Failure) -> UInt32? {
        guard EnumerationIndex.shared.tableName(for: tag.description) != nil else { return nil }
        var bits: UInt32 = 0
        for part in text.split(whereSeparator: { $0 == "," || $0 == "|" }) {
            let n = String(part).trimmed
            guard let v = EnumerationIndex.shared.value(forTag: tag.description, name: n) else {
                throw Failure("\(tag.description): unknown value \"\(n)\"")
            }
            bits |= v
        }
        return bits
    }

    /// Decimal or 0x hex, signed.
    static func number(_ t: String) -> Int64? {
        if t.hasPrefix("0x") || t.hasPrefix("0X") { return UInt64(t.dropFirst(2), radix: 16).flatMap { Int64(exactly: $0) } }
        return Int64(t)
    }

    /// Seconds with an optional unit s, m, h or d.
    static func seconds(_ t: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let last = t.last else { return nil }
        let (digits, unit) = units[last].map { (String(t.dropLast()), $0) } ?? (t, 1)
        guard let n = Int64(digits), n >= 0 else { return nil }
        let (v, overflow) = n.multipliedReportingOverflow(by: unit)
        return overflow ? nil : v
    }

    /// ISO 8601 (a date alone is midnight UTC), `now`, `now±N[smhd]` or `@SECONDS`.
    static func date(_ t: String, now: Int64) -> Int64? {
        if t == "now" { return now }
        if t.hasPrefix("now+") || t.hasPrefix("now-") {
            guard let s = seconds(String(t.dropFirst(4))) else { return nil }
            let (v, overflow) = t.hasPrefix("now+") ? now.addingReportingOverflow(s) : now.subtractingReportingOverflow(s)
            return overflow ? nil : v
        }
        if t.hasPrefix("@") { return Int64(t.dropFirst()) }
        if t.count == 10 { return ISODate.parse(t + "T00:00:00Z") }
        return ISODate.parse(t)
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
