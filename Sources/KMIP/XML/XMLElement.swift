/// A minimal XML element tree, enough for the OASIS KMIP test-case files (elements, double- or
/// single-quoted attributes, comments, declarations; no DTDs, no mixed text content). Pure: no I/O.
public struct XMLElement: Sendable, Hashable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    public init(name: String, attributes: [String: String] = [:], children: [XMLElement] = []) {
        self.name = name; self.attributes = attributes; self.children = children
    }

    /// Parses a document and returns its root element.
    public static func parse(_ text: String) throws(KMIPCodecError) -> XMLElement {
        var p = XMLReader(Array(text.utf8))
        p.skipMisc()
        let root = try p.element(depth: 0)
        p.skipMisc()
        guard p.atEnd else { throw KMIPCodecError(.xmlSyntax, "content after the root element at byte \(p.i)") }
        return root
    }
}

struct XMLReader {
    let b: [UInt8]
    var i = 0
    init(_ b: [UInt8]) { self.b = b }
    var atEnd: Bool { i >= b.count }

    func peek(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return i + u.count <= b.count && Array(b[i..<i + u.count]) == u
    }
    mutating func skipSpace() { while i < b.count, [0x20, 0x09, 0x0A, 0x0D].contains(b[i]) { i += 1 } }

    /// Skips white space, comments and `<?…?>` declarations.
    mutating func skipMisc() {
        while true {
            skipSpace()
            if peek("<!--") { skip(past: "-->") } else if peek("<?") { skip(past: "?>") } else { return }
        }
    }
    mutating func skip(past end: String) {
        while i < b.count && !peek(end) { i += 1 }
        i = min(b.count, i + end.utf8.count)
    }

    mutating func name() throws(KMIPCodecError) -> String {
        let start = i
        while i < b.count, !([0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "/"), UInt8(ascii: ">"), UInt8(ascii: "=")].contains(b[i])) { i += 1 }
        guard i > start else { throw KMIPCodecError(.xmlSyntax, "expected a name at byte \(i)") }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    mutating func element(depth: Int) throws(KMIPCodecError) -> XMLElement {
        guard depth < 64 else { throw KMIPCodecError(.tooDeep, "XML nested deeper than 64") }
        guard peek("<") else { throw KMIPCodecError(.xmlSyntax, "expected '<' at byte \(i)") }
        i += 1
        var e = XMLElement(name: try name())
        while true {
            skipSpace()
            if peek("/>") { i += 2; return e }
            if peek(">") { i += 1; break }
            let key = try name()
            skipSpace()
            guard peek("=") else { throw KMIPCodecError(.xmlSyntax, "expected '=' after \(key)") }
            i += 1
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") else {
                throw KMIPCodecError(.xmlSyntax, "expected a quoted value for \(key)")
            }
            let q = b[i]; i += 1
            let start = i
            while i < b.count, b[i] != q { i += 1 }
            guard i < b.count else { throw KMIPCodecError(.xmlSyntax, "unterminated value for \(key)") }
            e.attributes[key] = Self.unescape(String(decoding: b[start..<i], as: UTF8.self))
            i += 1
        }
        while true {
            skipMisc()
            guard !atEnd else { throw KMIPCodecError(.xmlSyntax, "unterminated element \(e.name)") }
            if peek("</") {
                i += 2
                let closing = try name()
                guard closing == e.name else { throw KMIPCodecError(.xmlSyntax, "</\(closing)> closes <\(e.name)>") }
                skipSpace()
                guard peek(">") else { throw KMIPCodecError(.xmlSyntax, "expected '>' after </\(closing)") }
                i += 1
                return e
            }
            if peek("<") { e.children.append(try element(depth: depth + 1)); continue }
            // Stray text between elements carries no meaning in these files.
            while i < b.count, b[i] != UInt8(ascii: "<") { i += 1 }
        }
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingAll("&lt;", "<").replacingAll("&gt;", ">").replacingAll("&quot;", "\"")
            .replacingAll("&apos;", "'").replacingAll("&amp;", "&")
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = "", rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]; out += replacement; rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
