/// Opaque Data Type (KMIP 2.1 §11.35): the spec defines only the extension range 8XXXXXXX, so the
/// generator finds no named values; this type carries whatever the client sent.
public struct OpaqueDataType: KMIPEnumeration {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let tableName = "Opaque Data Type"
    /// The value this server records when a client registers opaque data without one.
    public static let unknown = Self(rawValue: 0x8000_0000)
}
