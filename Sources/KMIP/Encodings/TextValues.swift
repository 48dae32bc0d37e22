/// What the JSON and XML encodings share (KMIP Additional Message Encodings 1.0 §4.1, §6.1): the
/// CamelCase form of names, the text of each item's value, and the limits checked on a decoded tree.
public enum TextValues {
    /// §4.1.3 "Normalizing Names": "Symmetric Key" → "SymmetricKey", "3DES" → "DES3",
    /// "PKCS#1 v1.5" → "PKCS_1V1_5" (the spec's six rules, in order).
    public static func camelCase(_ name: String) -> String {
        // 1. brackets to spaces
        var s = Array(name.map { $0 == "(" || $0 == ")" ? " " : $0 })
        // 2. a non-word character followed by a letter then a lower-case letter becomes a space
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        for i in s.indices where i + 2 < s.count {
            if !isWord(s[i]), !s[i].isWhitespace, s[i + 1].isASCII && s[i + 1].isLetter, s[i + 2].isASCII && s[i + 2].isLowercase { s[i] = " " }
        }
        // 3. other non-word characters (not spaces) to underscores, split on white space
        var words = String(s).split(whereSeparator: \.isWhitespace).map { String($0.map { isWord($0) ? $0 : "_" }) }
        guard !words.isEmpty else { return "" }
        // 4. leading digits of the first word move to its end
        let digits = words[0].prefix { $0.isNumber }
        if !digits.isEmpty { words[0] = String(words[0].dropFirst(digits.count)) + digits }
        // 5. capitalise each word, 6. join
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The name of an enumeration value in the table `tagName` belongs to (nil: not in the table).
    static func enumerationName(_ value: UInt32, table: String) -> String? {
        EnumerationIndex.shared.name(forTag: table, value: value).map(camelCase)
    }

    static func hex32(_ v: UInt32) -> String { "0x" + pad(String(v, radix: 16), 8) }
    static func hex64(_ v: UInt64) -> String { "0x" + pad(String(v, radix: 16), 16) }
    static func pad(_ s: String, _ n: Int) -> String { String(repeating: "0", count: max(0, n - s.count)) + s }
    static func hexBytes(_ b: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(b.count * 2)
        for x in b { out.append(digits[Int(x >> 4)]); out.append(digits[Int(x & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The same limits a TTLV message meets (depth, items), for a tree decoded from text.
    public static func check(_ t: TTLV, limits: TTLVLimits) throws(KMIPCodecError) {
        var items = 0
        func walk(_ t: TTLV, _ depth: Int) throws(KMIPCodecError) {
            items += 1
            guard items <= limits.maxItems else { throw KMIPCodecError(.tooLarge, "more than \(limits.maxItems) items") }
            guard depth <= limits.maxDepth else { throw KMIPCodecError(.tooDeep, "nested deeper than \(limits.maxDepth)") }
            if case .structure(let children) = t.value { for c in children { try walk(c, depth + 1) } }
        }
        try walk(t, 1)
    }
}
