/// One TTLV item: a tag and a typed value (KMIP 2.1 §9.1). Structures hold their children in order.
public struct TTLV: Hashable, Sendable {
    public var tag: Tag
    public var value: Value

    public enum Value: Hashable, Sendable {
        case structure([TTLV])
        case integer(Int32)
        case longInteger(Int64)
        /// Two's complement big-endian; the encoder sign-pads to a multiple of 8 bytes.
        case bigInteger([UInt8])
        case enumeration(UInt32)
        case boolean(Bool)
        case textString(String)
        case byteString([UInt8])
        /// Seconds since the Unix epoch.
        case dateTime(Int64)
        case interval(UInt32)
        /// Microseconds since the Unix epoch (2.0+).
        case dateTimeExtended(Int64)

        public var itemType: ItemType {
            switch self {
            case .structure: .structure
            case .integer: .integer
            case .longInteger: .longInteger
            case .bigInteger: .bigInteger
            case .enumeration: .enumeration
            case .boolean: .boolean
            case .textString: .textString
            case .byteString: .byteString
            case .dateTime: .dateTime
            case .interval: .interval
            case .dateTimeExtended: .dateTimeExtended
            }
        }
    }

    public init(_ tag: Tag, _ value: Value) { self.tag = tag; self.value = value }
    public static func structure(_ tag: Tag, _ children: [TTLV]) -> TTLV { TTLV(tag, .structure(children)) }

    public var itemType: ItemType { value.itemType }
    public var children: [TTLV] {
        if case .structure(let c) = value { return c }
        return []
    }
}

// MARK: Reading children in the style of the grammar (throwing precise errors)
extension TTLV {
    public func first(_ tag: Tag) -> TTLV? { children.first { $0.tag == tag } }
    public func all(_ tag: Tag) -> [TTLV] { children.filter { $0.tag == tag } }
    public func required(_ tag: Tag) throws(KMIPCodecError) -> TTLV {
        guard let c = first(tag) else { throw KMIPCodecError(.missingField, "\(self.tag) lacks \(tag)", tag: tag) }
        return c
    }

    public var int32: Int32? { if case .integer(let v) = value { return v }; return nil }
    public var int64: Int64? { if case .longInteger(let v) = value { return v }; return nil }
    public var enumValue: UInt32? { if case .enumeration(let v) = value { return v }; return nil }
    public var bool: Bool? { if case .boolean(let v) = value { return v }; return nil }
    public var text: String? { if case .textString(let v) = value { return v }; return nil }
    public var bytes: [UInt8]? {
        switch value {
        case .byteString(let v), .bigInteger(let v): return v
        default: return nil
        }
    }
    public var dateSeconds: Int64? {
        switch value {
        case .dateTime(let v): return v
        case .dateTimeExtended(let v): return v / 1_000_000
        default: return nil
        }
    }

    public func requiredText(_ tag: Tag) throws(KMIPCodecError) -> String {
        let c = try required(tag)
        guard let v = c.text else { throw KMIPCodecError(.wrongType, "\(tag) must be a Text String", tag: tag) }
        return v
    }
    public func requiredEnum(_ tag: Tag) throws(KMIPCodecError) -> UInt32 {
        let c = try required(tag)
        guard let v = c.enumValue else { throw KMIPCodecError(.wrongType, "\(tag) must be an Enumeration", tag: tag) }
        return v
    }
    public func requiredInt(_ tag: Tag) throws(KMIPCodecError) -> Int32 {
        let c = try required(tag)
        guard let v = c.int32 else { throw KMIPCodecError(.wrongType, "\(tag) must be an Integer", tag: tag) }
        return v
    }
    public func optionalText(_ tag: Tag) throws(KMIPCodecError) -> String? {
        guard let c = first(tag) else { return nil }
        guard let v = c.text else { throw KMIPCodecError(.wrongType, "\(tag) must be a Text String", tag: tag) }
        return v
    }
    public func optionalEnum(_ tag: Tag) throws(KMIPCodecError) -> UInt32? {
        guard let c = first(tag) else { return nil }
        guard let v = c.enumValue else { throw KMIPCodecError(.wrongType, "\(tag) must be an Enumeration", tag: tag) }
        return v
    }
    public func optionalInt(_ tag: Tag) throws(KMIPCodecError) -> Int32? {
        guard let c = first(tag) else { return nil }
        guard let v = c.int32 else { throw KMIPCodecError(.wrongType, "\(tag) must be an Integer", tag: tag) }
        return v
    }
    /// An Integer the server turns into a length, a count, an index or a C integer: absent, or inside
    /// `range`. Checked here, where it is decoded, so no handler sees a value that could trap or allocate.
    public func optionalInt(_ tag: Tag, in range: ClosedRange<Int32>) throws(KMIPCodecError) -> Int? {
        guard let v = try optionalInt(tag) else { return nil }
        return try Self.check(v, tag, range)
    }
    public func requiredInt(_ tag: Tag, in range: ClosedRange<Int32>) throws(KMIPCodecError) -> Int {
        try Self.check(try requiredInt(tag), tag, range)
    }
    static func check(_ v: Int32, _ tag: Tag, _ range: ClosedRange<Int32>) throws(KMIPCodecError) -> Int {
        guard range.contains(v) else {
            throw KMIPCodecError(.invalidValue, "\(tag) \(v) is outside \(range.lowerBound)...\(range.upperBound)", tag: tag)
        }
        return Int(v)
    }
    public func optionalBool(_ tag: Tag) throws(KMIPCodecError) -> Bool? {
        guard let c = first(tag) else { return nil }
        guard let v = c.bool else { throw KMIPCodecError(.wrongType, "\(tag) must be a Boolean", tag: tag) }
        return v
    }
}
