/// KMIP Protocol Version (KMIP 2.1 §9.16; 1.4 §6.1). Ordered by (major, minor).
public struct ProtocolVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var major: Int32
    public var minor: Int32
    public init(_ major: Int32, _ minor: Int32) { self.major = major; self.minor = minor }

    public static let v1_0 = ProtocolVersion(1, 0), v1_1 = ProtocolVersion(1, 1), v1_2 = ProtocolVersion(1, 2)
    public static let v1_3 = ProtocolVersion(1, 3), v1_4 = ProtocolVersion(1, 4)
    public static let v2_0 = ProtocolVersion(2, 0), v2_1 = ProtocolVersion(2, 1)
    /// What this server speaks, newest first (the order Discover Versions answers in).
    public static let supported: [ProtocolVersion] = [.v2_1, .v2_0, .v1_4, .v1_3, .v1_2, .v1_1, .v1_0]

    public var isV2: Bool { major >= 2 }
    public var description: String { "\(major).\(minor)" }
    public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
}
