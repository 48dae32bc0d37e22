/// A KMIP enumeration or mask table (generated from the spec, KMIP 2.1 §11–12).
public protocol KMIPEnumeration: RawRepresentable, Hashable, Sendable, CustomStringConvertible where RawValue == UInt32 {
    static var tableName: String { get }
    /// Every value is representable: unknown ones are extensions, which the engine refuses by name.
    init(rawValue: UInt32)
}

extension KMIPEnumeration {
    /// The spec's name for this value, or hex for extensions.
    public var name: String { EnumerationIndex.shared.name(table: Self.tableName, value: rawValue) ?? "0x" + String(rawValue, radix: 16, uppercase: true) }
    public var description: String { name }
    /// The version that introduced this value.
    public var since: ProtocolVersion? { EnumerationIndex.shared.since(table: Self.tableName, value: rawValue) }
    public init?(named name: String) {
        guard let v = EnumerationIndex.shared.value(table: Self.tableName, name: name) else { return nil }
        self.init(rawValue: v)
    }
}

/// Name/value lookups over the generated `EnumerationTable`, and which table belongs to which tag.
public struct EnumerationIndex: Sendable {
    public static let shared = EnumerationIndex()
    struct Table: Sendable { var byValue: [UInt32: (String, ProtocolVersion)]; var byKey: [String: UInt32] }
    let tables: [String: Table]
    /// The same tables by their exact titles: names are looked up on every response (audit lines,
    /// version checks), and the normalised key costs a Unicode scan per character.
    let byTitle: [String: Table]

    init() {
        var t = [String: Table](), exact = [String: Table]()
        for (title, rows) in EnumerationTable.all {
            var byValue = [UInt32: (String, ProtocolVersion)](), byKey = [String: UInt32]()
            for r in rows {
                byValue[r.value] = (r.name, r.since)
                let k = TagIndex.key(r.name)
                byKey[k] = r.value
                // The XML and JSON encodings cannot start a name with a digit: "3DES" is written "DES3".
                // KMIP 1.4/2.1 misspell MGF1 as "MFG1" in the Mask Generator table.
                if k == "mfg1" { byKey["mgf1"] = r.value }
                if let first = k.first, first.isNumber {
                    let digits = k.prefix { $0.isNumber }
                    byKey[String(k.dropFirst(digits.count)) + digits] = r.value
                }
            }
            t[TagIndex.key(title)] = Table(byValue: byValue, byKey: byKey)
            exact[title] = t[TagIndex.key(title)]
        }
        tables = t
        byTitle = exact
    }
    func table(_ title: String) -> Table? { byTitle[title] ?? tables[TagIndex.key(title)] }
    func name(table: String, value: UInt32) -> String? { self.table(table)?.byValue[value]?.0 }
    func since(table: String, value: UInt32) -> ProtocolVersion? { self.table(table)?.byValue[value]?.1 }
    func value(table: String, name: String) -> UInt32? { tables[TagIndex.key(table)]?.byKey[TagIndex.key(name)] }

    /// Spec tables whose title differs from the tag that carries the value.
    static let aliases: [String: String] = [
        "profilename": "Profile Name", "recommendedcurve": "Recommended Curve Enumeration",
        "nistkeytype": "NIST Key Type Enumeration", "objectgroupmember": "Object Group Member Option",
        "destroyaction": "Destroy Action Type", "uniqueidentifier": "Unique Identifier Enumerations",
        "keywrapencodingoption": "Key Wrap Encoding Option", "batcherrorcontinuationoption": "Batch Error Continuation",
        "revocationreasoncode": "Revocation Reason Code", "attestationtype": "Attestation Type",
        "certificaterequesttype": "Certificate Request Type", "rngmode": "RNG Mode",
        "protectionstoragemasks": "Protection Storage Mask", "storagestatusmask": "Storage Status Mask",
        "maskgeneratorhashingalgorithm": "Hashing Algorithm", "wrappingmethod": "Wrapping Method",
    ]
    /// The table for values carried under `tag` (or the attribute of that name), if any.
    public func tableName(for tagName: String) -> String? {
        let k = TagIndex.key(tagName)
        if let a = Self.aliases[k], tables[TagIndex.key(a)] != nil { return a }
        if tables[k] != nil { return tagName }
        if let a = Self.aliases[k] { return a }
        return nil
    }
    /// Value for a name in the table that belongs to `tagName`.
    public func value(forTag tagName: String, name: String) -> UInt32? {
        guard let t = tableName(for: tagName) else { return nil }
        return value(table: t, name: name)
    }
    /// The version that introduced `value` in the table that belongs to `tagName`.
    public func since(forTag tagName: String, value: UInt32) -> ProtocolVersion? {
        guard let t = tableName(for: tagName) else { return nil }
        return since(table: t, value: value)
    }
    public func name(forTag tagName: String, value: UInt32) -> String? {
        guard let t = tableName(for: tagName) else { return nil }
        return name(table: t, value: value)
    }
}
