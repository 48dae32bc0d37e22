/// A JSON document (RFC 8259) read with a depth bound and without Foundation: the JSON message
/// encoding's input is untrusted, and every number is kept as its text so that 64-bit values are
/// exact. Pure.
public indirect enum JSONValue: Sendable, Equatable {
    case null, bool(Bool), number(String), string(String), array([JSONValue]), object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(KMIPCodecError) -> JSONValue {
        var r = JSONReader(b: bytes, maxDepth: maxDepth)
        r.space()
        let v = try r.value(depth: 0)
        r.space()
        guard r.i == bytes.count else { throw r.fail("content after the JSON value") }
        return v
    }

    /// The value as compact JSON text.
    public var text: String {
        var out = [UInt8]()
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .number(let n): out += Array(n.utf8)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (k, v) in items.enumerated() { if k > 0 { out.append(UInt8(ascii: ",")) }; v.write(into: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (k, m) in members.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                Self.quote(m.0, into: &out); out.append(UInt8(ascii: ":")); m.1.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func quote(_ s: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20: out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
        out.append(0x22)
    }
}

struct JSONReader {
    let b: [UInt8]
    let maxDepth: Int
    var i = 0

    func fail(_ why: String) -> KMIPCodecError { KMIPCodecError(.jsonSyntax, "\(why) at byte \(i)") }

    mutating func space() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 } }

    mutating func literal(_ word: String, _ v: JSONValue) throws(KMIPCodecError) -> JSONValue {
        let u = Array(word.utf8)
        guard i + u.count <= b.count, Array(b[i..<i + u.count]) == u else { throw fail("unexpected character") }
        i += u.count
        return v
    }

    mutating func value(depth: Int) throws(KMIPCodecError) -> JSONValue {
        guard depth < maxDepth else { throw KMIPCodecError(.tooDeep, "JSON nested deeper than \(maxDepth)") }
        guard i < b.count else { throw fail("end of input") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1; space()
            var members: [(String, JSONValue)] = []
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                space()
                guard i < b.count, b[i] == 0x22 else { throw fail("expected a member name") }
                let key = try string()
                space()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1; space()
                members.append((key, try value(depth: depth + 1)))
                space()
                guard i < b.count else { throw fail("end of input in an object") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1; space()
            var items: [JSONValue] = []
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                space()
                items.append(try value(depth: depth + 1))
                space()
                guard i < b.count else { throw fail("end of input in an array") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case 0x22: return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    mutating func number() throws(KMIPCodecError) -> JSONValue {
        let start = i
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        let digits = i
        while i < b.count, (0x30...0x39).contains(b[i]) || [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(b[i]) { i += 1 }
        guard i > digits, i - start <= 64 else { throw fail("not a JSON value") }
        return .number(String(decoding: b[start..<i], as: UTF8.self))
    }

    mutating func string() throws(KMIPCodecError) -> String {
        i += 1  // opening quote
        var out = [UInt8]()
        while i < b.count {
            let c = b[i]
            if c == 0x22 { i += 1; return String(decoding: out, as: UTF8.self) }
            if c < 0x20 { throw fail("control character in a string") }
            if c != 0x5C { out.append(c); i += 1; continue }
            guard i + 1 < b.count else { break }
            let e = b[i + 1]; i += 2
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {  // a surrogate pair
                    guard i + 1 < b.count, b[i] == 0x5C, b[i + 1] == UInt8(ascii: "u") else { throw fail("lone surrogate") }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("bad surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                out += Array(String(Character(u)).utf8)
            default: throw fail("invalid escape")
            }
        }
        throw fail("end of input in a string")
    }

    mutating func hex4() throws(KMIPCodecError) -> UInt32 {
        guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16) else { throw fail("invalid \\u escape") }
        i += 4
        return v
    }
}
