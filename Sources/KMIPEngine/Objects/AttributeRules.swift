import KMIP

/// Who may set which attribute (the "Attribute Rules" tables of KMIP 2.1 §4 / 1.4 §3).
public enum AttributeRules {
    /// Set only by the server; a client that sends one gets Attribute Read Only / Invalid Field.
    public static let serverOnly: Set<String> = [
        "Unique Identifier", "State", "Initial Date", "Last Change Date", "Digest", "Original Creation Date",
        "Fresh", "Key Value Present", "Always Sensitive", "Never Extractable", "Lease Time", "Revocation Reason",
        "Compromise Date", "Destroy Date", "Archive Date", "Certificate Type", "Certificate Length",
        "Certificate Identifier", "Certificate Subject", "Certificate Issuer", "Digital Signature Algorithm",
        "Key Value Location", "Random Number Generator", "Short Unique Identifier", "Object Type",
    ]
    /// Fixed once the object exists (key properties).
    public static let immutable: Set<String> = ["Cryptographic Algorithm", "Cryptographic Length", "Cryptographic Domain Parameters"]
    /// May appear more than once.
    public static let multiValued: Set<String> = [
        "Name", "Object Group", "Application Specific Information", "Link", "Alternative Name",
        "Cryptographic Parameters", "Key Value Location", "Protection Storage Masks",
    ]
    /// Client-supplied Activation/Deactivation dates and such may change only in some states; this
    /// lists those that are frozen once the object is Active (KMIP 2.1 §4.1, §4.13).
    public static let frozenWhenActive: Set<String> = ["Activation Date", "Cryptographic Usage Mask"]

    public static func isMultiValued(_ name: String) -> Bool { multiValued.contains(name) || name.hasPrefix("x-") || name.hasPrefix("y-") }

    /// Checks client-supplied attributes for Create/Register: no server-only ones, known types.
    public static func validateClientAttributes(_ attrs: [Attribute], allowObjectType: Bool = true) throws(EngineError) {
        for a in attrs {
            if a.name == "Object Type" && allowObjectType { continue }
            if a.name == "Cryptographic Algorithm" || a.name == "Cryptographic Length" { continue }
            if serverOnly.contains(a.name) { throw EngineError(.attributeReadOnly, "attribute \(a.name) is set by the server") }
            if !a.isVendor && a.tag == nil { throw EngineError(.invalidField, "unknown attribute \(a.name)") }
        }
        var seen = Set<String>()
        for a in attrs where !isMultiValued(a.name) {
            if !seen.insert(a.name).inserted { throw EngineError(.attributeSingleValued, "attribute \(a.name) given twice") }
        }
    }
}
