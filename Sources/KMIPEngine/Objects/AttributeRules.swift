import KMIP

/// Who may set, change and delete each attribute, read from the Attribute Rules tables of the
/// specification (KMIP 2.1 §4; generated into `AttributeRuleTable`). Vendor attributes follow the
/// Custom Attribute rules: the client's to set, change and delete, any number of instances.
public enum AttributeRules {
    /// "Initially set by: Server" attributes that a Create or Register request legitimately carries,
    /// because they describe the object being made (the server records what was asked for).
    static let requestParameters: Set<String> = [
        "Object Type", "Cryptographic Algorithm", "Cryptographic Length", "Cryptographic Domain Parameters",
        "Certificate Type", "Key Format Type", "Usage Limits", "Protection Storage Masks",
    ]

    static func rule(_ name: String) -> (initiallySetBy: String, modifiableByClient: String, deletableByClient: String, multiple: String)? {
        AttributeRuleTable.all[name]
    }
    static func isVendor(_ name: String) -> Bool { name.hasPrefix("x-") || name.hasPrefix("y-") }

    public static func isMultiValued(_ name: String) -> Bool {
        isVendor(name) || (rule(name)?.multiple.hasPrefix("Yes") ?? false)
    }
    /// May a client give this attribute when the object is made?
    public static func clientMaySet(_ name: String) -> Bool {
        isVendor(name) || requestParameters.contains(name) || (rule(name)?.initiallySetBy.contains("Client") ?? false)
    }
    /// May a client change an existing value (state conditions are checked separately)?
    public static func clientMayModify(_ name: String) -> Bool {
        isVendor(name) || (rule(name)?.modifiableByClient.hasPrefix("Yes") ?? false)
    }
    public static func clientMayDelete(_ name: String) -> Bool {
        isVendor(name) || (rule(name)?.deletableByClient.hasPrefix("Yes") ?? false)
    }

    /// Checks client-supplied attributes for Create/Register: known, client-settable, single-valued
    /// ones given once, values in range (`AttributeValues`). Grants are put in their canonical form.
    public static func validateClientAttributes(_ attrs: inout [Attribute]) throws(EngineError) {
        for (i, a) in attrs.enumerated() {
            if !isVendor(a.name) && a.tag == nil { throw EngineError(.invalidField, "unknown attribute \(a.name)") }
            if !clientMaySet(a.name) { throw EngineError(.attributeReadOnly, "attribute \(a.name) is set by the server") }
            try AttributeValues.check(a)
            attrs[i] = try Grant.canonical(a)
        }
        var seen = Set<String>()
        for a in attrs where !isMultiValued(a.name) {
            if !seen.insert(a.name).inserted { throw EngineError(.attributeSingleValued, "attribute \(a.name) given twice") }
        }
    }
}
