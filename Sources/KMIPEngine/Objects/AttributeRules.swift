import KMIP

/// Who may set, change and delete each attribute: the generated `AttributeRuleTable` (KMIP 2.1 §4),
/// vendor attributes following the Custom Attribute rules.
public enum AttributeRules {
    /// "Initially set by: Server" attributes that a Create or Register request legitimately carries,
    /// because they describe the object being made (the server records what was asked for).
    static let requestParameters: Set<Tag> = [
        .objectType, .cryptographicAlgorithm, .cryptographicLength, .cryptographicDomainParameters,
        .certificateType, .keyFormatType, .usageLimits, .protectionStorageMasks,
    ]

    /// kmipd's own vendor attributes: clients read them, only the server writes them.
    static let serverRecords: Set<Attribute.Key> = [ManagedObject.keyEncodingKey, ManagedObject.wrappedBlockKey, ManagedObject.splitKeyKey]
    static func rule(_ key: Attribute.Key) -> AttributeRule? {
        serverRecords.contains(key) ? AttributeRule(setBy: [.server], clientChanges: .never, clientDeletes: false, multiValued: false)
                                    : AttributeRule.of(key)
    }

    public static func isMultiValued(_ key: Attribute.Key) -> Bool { rule(key)?.multiValued ?? false }
    public static func isMultiValued(_ a: Attribute) -> Bool { isMultiValued(a.key) }
    /// May a client give this attribute when the object is made?
    public static func clientMaySet(_ key: Attribute.Key) -> Bool {
        if case .tag(let t) = key, requestParameters.contains(t) { return true }
        return rule(key)?.setBy.contains(.client) ?? false
    }
    /// May a client change an existing value (state conditions are checked separately)?
    public static func clientMayModify(_ key: Attribute.Key) -> Bool { (rule(key)?.clientChanges ?? .never) != .never }
    public static func clientMayDelete(_ key: Attribute.Key) -> Bool { rule(key)?.clientDeletes ?? false }

    /// Checks client-supplied attributes for Create/Register: known, client-settable, single-valued
    /// ones given once, values in range (`AttributeValues`). Grants are put in their canonical form.
    public static func validateClientAttributes(_ attrs: inout [Attribute]) throws(EngineError) {
        for (i, a) in attrs.enumerated() {
            guard AttributeRule.of(a.key) != nil else { throw EngineError(.invalidField, "unknown attribute \(a.name)") }
            if !clientMaySet(a.key) { throw EngineError(.attributeReadOnly, "attribute \(a.name) is set by the server") }
            try AttributeValues.check(a)
            attrs[i] = try Grant.canonical(a)
        }
        var seen = Set<Attribute.Key>()
        for a in attrs where !isMultiValued(a.key) {
            if !seen.insert(a.key).inserted { throw EngineError(.attributeSingleValued, "attribute \(a.name) given twice") }
        }
    }
}
