import KMIP

/// One structure-aware change to a request message: a field set to a hostile value, a structure child
/// dropped or duplicated, or a field whose bytes are made invalid (Boolean 2, Text String that is not
/// UTF-8) — those two cannot be built as a `TTLV` and are patched into the encoding.
struct Mutation: CustomStringConvertible {
    enum Kind {
        case value(TTLV.Value)
        case drop
        case duplicate
        case booleanTwo
        case invalidUTF8
        /// A field the structure at `path` may carry but does not, added with a hostile value; with
        /// `dropping`, that field of the enclosing structure goes (an IV Length with no IV, so the
        /// server makes one of that length).
        case insert(TTLV, dropping: Tag?)
    }
    /// Child indices from the message root to the field.
    var path: [Int]
    var kind: Kind

    var description: String {
        let what: String
        switch kind {
        case .value(let v): what = "= \(Self.short(v))"
        case .drop: what = "dropped"
        case .duplicate: what = "duplicated"
        case .booleanTwo: what = "Boolean 2"
        case .invalidUTF8: what = "invalid UTF-8"
        case .insert(let t, let d): what = "given \(t.tag) = \(Self.short(t.value))" + (d.map { " without \($0)" } ?? "")
        }
        return "field \(path.map(String.init).joined(separator: ".")) \(what)"
    }

    static func short(_ v: TTLV.Value) -> String {
        switch v {
        case .textString(let s): return "text(\(s.utf8.count) bytes)"
        case .byteString(let b): return "bytes(\(b.count))"
        default: return "\(v)"
        }
    }

    /// Every mutation of `message`, in a fixed order: fields depth first, values in the order below.
    static func all(of message: TTLV) -> [Mutation] {
        var out = [Mutation]()
        func walk(_ t: TTLV, _ path: [Int]) {
            if !path.isEmpty {
                for k in kinds(for: t) { out.append(Mutation(path: path, kind: k)) }
            }
            for (i, c) in t.children.enumerated() { walk(c, path + [i]) }
        }
        walk(message, [])
        // Dropping or duplicating each child of every structure.
        func structural(_ t: TTLV, _ path: [Int]) {
            for (i, c) in t.children.enumerated() {
                out.append(Mutation(path: path + [i], kind: .drop))
                out.append(Mutation(path: path + [i], kind: .duplicate))
                structural(c, path + [i])
            }
        }
        structural(message, [])
        // Optional numeric fields the vectors leave out, added with hostile values.
        func insertions(_ t: TTLV, _ path: [Int]) {
            if let fields = optional[t.tag] {
                for f in fields where t.first(f) == nil {
                    for v: Int32 in [-1, 0, .min, .max] {
                        out.append(Mutation(path: path, kind: .insert(TTLV(f, .integer(v)), dropping: nil)))
                        if t.tag == .cryptographicParameters { out.append(Mutation(path: path, kind: .insert(TTLV(f, .integer(v)), dropping: .ivCounterNonce))) }
                    }
                }
            }
            for (i, c) in t.children.enumerated() { insertions(c, path + [i]) }
        }
        insertions(message, [])
        return out
    }

    /// Integer fields that become lengths, counts or indices, by the structure that may carry them
    /// (KMIP 2.1 §4.16 Cryptographic Parameters, §2.1.18 Derivation Parameters, the payloads of Locate,
    /// RNG Retrieve and the attribute operations, the request header).
    static let optional: [Tag: [Tag]] = [
        .cryptographicParameters: [.ivLength, .tagLength, .fixedFieldLength, .invocationFieldLength, .counterLength,
                                   .initialCounterValue, .saltLength, .trailerField],
        .derivationParameters: [.iterationCount],
        .requestPayload: [.maximumItems, .offsetItems, .attributeIndex, .dataLength],
        .requestHeader: [.maximumResponseSize],
    ]

    static let long = String(repeating: "A", count: 65_536)

    static func kinds(for t: TTLV) -> [Kind] {
        switch t.value {
        case .integer: return [.value(.integer(-1)), .value(.integer(0)), .value(.integer(.min)), .value(.integer(.max))]
        case .longInteger: return [.value(.longInteger(-1)), .value(.longInteger(0)), .value(.longInteger(.min)), .value(.longInteger(.max))]
        case .enumeration: return [.value(.enumeration(0)), .value(.enumeration(.max)), .value(.enumeration(0x8000_0000)), .value(.enumeration(0x7FFF_FFFF))]
        case .interval: return [.value(.interval(0)), .value(.interval(.max))]
        case .dateTime: return [.value(.dateTime(-1)), .value(.dateTime(0)), .value(.dateTime(.min)), .value(.dateTime(.max))]
        case .textString: return [.value(.textString("")), .value(.textString("x")), .value(.textString(long)), .invalidUTF8]
        case .byteString: return [.value(.byteString([])), .value(.byteString([0])), .value(.byteString([UInt8](repeating: 0xA5, count: 65_536)))]
        case .bigInteger: return [.value(.bigInteger([])), .value(.bigInteger([0x80])), .value(.bigInteger([UInt8](repeating: 0xFF, count: 4096)))]
        case .boolean: return [.booleanTwo]
        case .dateTimeExtended: return [.value(.dateTimeExtended(-1)), .value(.dateTimeExtended(.max))]
        case .structure: return []
        }
    }

    /// The mutated message as bytes.
    func apply(to message: TTLV) -> [UInt8] {
        switch kind {
        case .value(let v): return TTLVEncoder.encode(Self.replacing(message, at: path[...]) { [TTLV($0.tag, v)] })
        case .drop: return TTLVEncoder.encode(Self.replacing(message, at: path[...]) { _ in [] })
        case .duplicate: return TTLVEncoder.encode(Self.replacing(message, at: path[...]) { [$0, $0] })
        case .insert(let field, let dropping):
            if path.isEmpty { return TTLVEncoder.encode(TTLV(message.tag, .structure(message.children + [field]))) }
            var m = Self.replacing(message, at: path[...]) { [TTLV($0.tag, .structure($0.children + [field]))] }
            if let dropping, path.count > 1 {
                m = Self.replacing(m, at: path.dropLast()[...]) { [TTLV($0.tag, .structure($0.children.filter { $0.tag != dropping }))] }
            }
            return TTLVEncoder.encode(m)
        case .booleanTwo:
            // A Long Integer with a marker value stands in for the field; its bytes are then patched.
            return Self.patch(message, path, marker: .longInteger(Self.marker), type: ItemType.boolean.rawValue,
                              value: [0, 0, 0, 0, 0, 0, 0, 2])
        case .invalidUTF8:
            return Self.patch(message, path, marker: .byteString(Self.markerBytes), type: ItemType.textString.rawValue,
                              value: [0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, 0xC0])
        }
    }

    static let marker: Int64 = 0x6B6D_6970_6421_4D55
    static let markerBytes: [UInt8] = [0x6B, 0x6D, 0x69, 0x70, 0x64, 0x21, 0x4D, 0x55]

    static func replacing(_ t: TTLV, at path: ArraySlice<Int>, _ change: (TTLV) -> [TTLV]) -> TTLV {
        guard let i = path.first, case .structure(var children) = t.value, i < children.count else { return t }
        if path.count == 1 {
            children.replaceSubrange(i...i, with: change(children[i]))
        } else {
            children[i] = replacing(children[i], at: path.dropFirst(), change)
        }
        return TTLV(t.tag, .structure(children))
    }

    /// Encodes `message` with the field replaced by `marker`, then rewrites that field's type byte and
    /// its eight value bytes (same length, so every enclosing length stays right).
    static func patch(_ message: TTLV, _ path: [Int], marker: TTLV.Value, type: UInt8, value: [UInt8]) -> [UInt8] {
        var bytes = TTLVEncoder.encode(replacing(message, at: path[...]) { [TTLV($0.tag, marker)] })
        let needle: [UInt8]
        switch marker {
        case .longInteger(let m): needle = withUnsafeBytes(of: m.bigEndian) { Array($0) }
        case .byteString(let b): needle = b
        default: return bytes
        }
        guard let at = (0...(bytes.count - needle.count)).first(where: { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }) else { return bytes }
        bytes[at - 5] = type  // tag (3), type (1), length (4), value
        bytes.replaceSubrange(at..<(at + 8), with: value)
        return bytes
    }
}
