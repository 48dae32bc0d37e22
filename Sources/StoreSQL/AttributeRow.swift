import KMIP

/// How one attribute is laid out in the `attributes` table: the canonical TTLV bytes for equality,
/// plus a number or text column so Locate can use ranges and indexes.
public struct AttributeRow: Sendable {
    public var name: String
    public var value: [UInt8]
    public var num: Int64?
    public var text: String?

    public init(name: String, value: [UInt8], num: Int64?, text: String?) {
        self.name = name; self.value = value; self.num = num; self.text = text
    }

    public init(_ a: Attribute) {
        name = a.name
        value = TTLVEncoder.encode(Self.canonical(a.value))
        switch a.value.value {
        case .integer(let v): num = Int64(v)
        case .longInteger(let v), .dateTime(let v): num = v
        case .dateTimeExtended(let v): num = v / 1_000_000
        case .enumeration(let v), .interval(let v): num = Int64(v)
        case .boolean(let b): num = b ? 1 : 0
        case .textString(let s): text = s
        case .structure where a.tag == .usageLimits:
            // Locate asks for a Count and a Total "equal or larger" (KMIP 2.1 §6.1.28): the Count as a
            // number, the Total as fixed-width decimal text, so both compare in order.
            num = a.value.first(.usageLimitsCount)?.int64
            text = a.value.first(.usageLimitsTotal)?.int64.map(Self.sortable)
        case .structure:
            text = a.value.first(.nameValue)?.text  // Name: searchable by its value
        default: break
        }
    }

    /// A non-negative number as text that sorts like the number.
    public static func sortable(_ n: Int64) -> String {
        let digits = String(max(0, n))
        return String(repeating: "0", count: max(0, 19 - digits.count)) + digits
    }

    /// Values are compared without their tag, so a 1.x `Attribute Value` and the 2.x tagged form
    /// of the same attribute encode alike.
    static func canonical(_ v: TTLV) -> TTLV { var c = v; c.tag = .attributeValue; return c }

    public func attribute(decoder: TTLVDecoder) -> Attribute? {
        guard var v = try? decoder.decode(value) else { return nil }
        let key = Attribute.key(name)
        if case .tag(let t) = key { v.tag = t }
        return Attribute(key: key, value: v)
    }
}

/// Lifecycle states as they are written in SQL text (KMIP 2.1 §11.53 State values), never as bare numbers.
public enum SQLState {
    public static let preActive = State.preActive.rawValue, active = State.active.rawValue, deactivated = State.deactivated.rawValue
    public static let destroyed = State.destroyed.rawValue, destroyedCompromised = State.destroyedCompromised.rawValue
}
