/// The rules of one attribute (KMIP 2.1 §4, each attribute's rules table), typed from the words of the
/// specification by scripts/generate-tables.py into `AttributeRuleTable`.
public struct AttributeRule: Sendable, Hashable {
    public struct Setters: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let server = Setters(rawValue: 1)
        public static let client = Setters(rawValue: 2)
    }
    /// When a client may change an existing value ("Modifiable by client").
    public enum ClientChanges: Sendable, Hashable {
        case never, always, whilePreActive, whilePreActiveOrActive
    }
    /// "Initially set by".
    public var setBy: Setters
    public var clientChanges: ClientChanges
    /// "Deletable by client".
    public var clientDeletes: Bool
    /// "Multiple instances permitted".
    public var multiValued: Bool

    public init(setBy: Setters, clientChanges: ClientChanges, clientDeletes: Bool, multiValued: Bool) {
        self.setBy = setBy; self.clientChanges = clientChanges; self.clientDeletes = clientDeletes; self.multiValued = multiValued
    }

    /// Custom and vendor attributes (KMIP 1.4 §3.41, 2.1 §4.60): the client's to set, change and
    /// delete, any number of instances.
    public static let vendor = AttributeRule(setBy: [.client, .server], clientChanges: .always, clientDeletes: true, multiValued: true)

    /// The rule for an attribute; nil for a name the specifications do not define.
    public static func of(_ key: Attribute.Key) -> AttributeRule? {
        switch key {
        case .tag(let t): AttributeRuleTable.all[t]
        case .vendor(let n): n.hasPrefix("x-") || n.hasPrefix("y-") ? vendor : nil
        }
    }
}
