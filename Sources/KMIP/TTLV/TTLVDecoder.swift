/// Limits checked before anything is allocated for a decoded item.
public struct TTLVLimits: Sendable, Hashable {
    public var maxMessageSize: Int
    public var maxDepth: Int
    public var maxItems: Int
    public init(maxMessageSize: Int = 4 << 20, maxDepth: Int = 32, maxItems: Int = 100_000) {
        self.maxMessageSize = maxMessageSize; self.maxDepth = maxDepth; self.maxItems = maxItems
    }
}

/// Binary TTLV decoding (KMIP 2.1 §9.1) with strict checks of length, padding, nesting and size.
public struct TTLVDecoder {
    public var limits: TTLVLimits
    public init(limits: TTLVLimits = TTLVLimits()) { self.limits = limits }

    /// The total length of the message that starts `bytes`, if its 8-byte header is there.
    /// Framing code uses this to check the size before buffering the body.
    public static func frameLength(_ header: some Collection<UInt8>) -> Int? {
        guard header.count >= 8 else { return nil }
        let h = Array(header.prefix(8))
        let len = Int(h[4]) << 24 | Int(h[5]) << 16 | Int(h[6]) << 8 | Int(h[7])
        return 8 + len
    }

    /// Decodes exactly one item that spans all of `bytes`.
    public func decode(_ bytes: [UInt8]) throws(KMIPCodecError) -> TTLV {
        guard bytes.count <= limits.maxMessageSize else {
            throw KMIPCodecError(.tooLarge, "message of \(bytes.count) bytes exceeds \(limits.maxMessageSize)")
        }
        var cursor = 0, items = 0
        let item = try bytes.withUnsafeBufferPointer { (buf) throws(KMIPCodecError) -> TTLV in
            try readItem(buf, &cursor, end: buf.count, depth: 0, items: &items)
        }
        guard cursor == bytes.count else {
            throw KMIPCodecError(.badLength, "\(bytes.count - cursor) bytes follow the message")
        }
        return item
    }

    private func readItem(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int, depth: Int,
                          items: inout Int) throws(KMIPCodecError) -> TTLV {
        guard depth <= limits.maxDepth else { throw KMIPCodecError(.tooDeep, "nesting deeper than \(limits.maxDepth)") }
        items += 1
        guard items <= limits.maxItems else { throw KMIPCodecError(.tooLarge, "more than \(limits.maxItems) items") }
        guard end - i >= 8 else { throw KMIPCodecError(.truncated, "item header needs 8 bytes, \(end - i) left") }
        let tag = Tag(UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]))
        guard let type = ItemType(rawValue: b[i + 3]) else {
            throw KMIPCodecError(.unknownItemType, "item type 0x\(String(b[i + 3], radix: 16)) for \(tag)", tag: tag)
        }
        let length = Int(UInt32(b[i + 4]) << 24 | UInt32(b[i + 5]) << 16 | UInt32(b[i + 6]) << 8 | UInt32(b[i + 7]))
        i += 8
        let padded = type == .structure ? length : (length + 7) / 8 * 8
        guard padded <= end - i else {
            throw KMIPCodecError(.truncated, "\(tag) claims \(length) bytes, \(end - i) left", tag: tag)
        }
        let start = i
        func fixedLength(_ n: Int) throws(KMIPCodecError) {
            guard length == n else { throw KMIPCodecError(.badLength, "\(tag) \(type.xmlName) has length \(length), not \(n)", tag: tag) }
        }
        func be(_ n: Int) -> UInt64 { var v: UInt64 = 0; for k in 0..<n { v = v << 8 | UInt64(b[start + k]) }; return v }
        let value: TTLV.Value
        switch type {
        case .structure:
            guard length % 8 == 0 else { throw KMIPCodecError(.badLength, "\(tag) structure length \(length) is not a multiple of 8", tag: tag) }
            var children = [TTLV]()
            let stop = start + length
            while i < stop { children.append(try readItem(b, &i, end: stop, depth: depth + 1, items: &items)) }
            return TTLV(tag, .structure(children))
        case .integer:
            try fixedLength(4); value = .integer(Int32(bitPattern: UInt32(be(4))))
            try zeroPadding(b, start + 4, start + 8, tag)
        case .enumeration:
            try fixedLength(4); value = .enumeration(UInt32(be(4)))
            try zeroPadding(b, start + 4, start + 8, tag)
        case .interval:
            try fixedLength(4); value = .interval(UInt32(be(4)))
            try zeroPadding(b, start + 4, start + 8, tag)
        case .longInteger: try fixedLength(8); value = .longInteger(Int64(bitPattern: be(8)))
        case .dateTime: try fixedLength(8); value = .dateTime(Int64(bitPattern: be(8)))
        case .dateTimeExtended: try fixedLength(8); value = .dateTimeExtended(Int64(bitPattern: be(8)))
        case .boolean:
            try fixedLength(8)
            let v = be(8)
            guard v <= 1 else { throw KMIPCodecError(.invalidValue, "\(tag) Boolean is \(v)", tag: tag) }
            value = .boolean(v == 1)
        case .bigInteger:
            // At least one 8-byte block: even zero is written as eight zero bytes (KMIP 2.1 §9.1.1.4).
            guard length % 8 == 0, length > 0 else { throw KMIPCodecError(.badLength, "\(tag) Big Integer length \(length) is not a positive multiple of 8", tag: tag) }
            value = .bigInteger(Array(b[start..<start + length]))
        case .byteString:
            value = .byteString(Array(b[start..<start + length]))
            try zeroPadding(b, start + length, start + padded, tag)
        case .textString:
            guard let s = String(validating: b[start..<start + length], as: UTF8.self) else {
                throw KMIPCodecError(.invalidUTF8, "\(tag) is not valid UTF-8", tag: tag)
            }
            value = .textString(s)
            try zeroPadding(b, start + length, start + padded, tag)
        }
        i = start + padded
        return TTLV(tag, value)
    }

    private func zeroPadding(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ tag: Tag) throws(KMIPCodecError) {
        for k in from..<to where b[k] != 0 {
            throw KMIPCodecError(.badPadding, "\(tag) has non-zero padding", tag: tag)
        }
    }
}
