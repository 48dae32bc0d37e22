/// TTLV item types (KMIP 2.1 §9.1.1.2; 1.4 §9.1.1.2). Date-Time Extended is 2.0+.
public enum ItemType: UInt8, Sendable, CaseIterable {
    case structure = 0x01, integer = 0x02, longInteger = 0x03, bigInteger = 0x04, enumeration = 0x05
    case boolean = 0x06, textString = 0x07, byteString = 0x08, dateTime = 0x09, interval = 0x0A
    case dateTimeExtended = 0x0B

    /// The name used in the OASIS XML test files' `type` attribute.
    public var xmlName: String {
        switch self {
        case .structure: "Structure"
        case .integer: "Integer"
        case .longInteger: "LongInteger"
        case .bigInteger: "BigInteger"
        case .enumeration: "Enumeration"
        case .boolean: "Boolean"
        case .textString: "TextString"
        case .byteString: "ByteString"
        case .dateTime: "DateTime"
        case .interval: "Interval"
        case .dateTimeExtended: "DateTimeExtended"
        }
    }
    public init?(xmlName: String) {
        guard let t = ItemType.allCases.first(where: { $0.xmlName == xmlName }) else { return nil }
        self = t
    }
}
