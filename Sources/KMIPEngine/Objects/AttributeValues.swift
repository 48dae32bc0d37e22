import KMIP

/// Rules on the values a client gives for attributes (KMIP 2.1 §4), beside who may set them
/// (`AttributeRules`): numbers that become lengths are bounded where they are read, dates stay in a
/// range that date arithmetic cannot overflow, and protection only ever tightens.
enum AttributeValues {
    /// Year 1 to year 9999: every date X.509, SQLite and our arithmetic handle.
    static let dates: ClosedRange<Int64> = -62_135_596_800...253_402_300_799
    /// Cryptographic Length in bits: up to 64 Kibit (RSA 16384 is the largest key any token makes).
    static let lengthBits: ClosedRange<Int32> = 1...65_536

    /// Every client-given value, on Create, Register, Derive Key, Re-key and Add/Modify/Set Attribute.
    static func check(_ a: Attribute) throws(EngineError) {
        if let i = a.index, i < 0 { throw EngineError(.invalidField, "Attribute Index \(i) is negative") }
        try checkDates(a.value, a.name)
        switch a.name {
        case "Cryptographic Length":
            guard let v = a.value.int32, lengthBits.contains(v) else {
                throw EngineError(.invalidField, "Cryptographic Length must be an Integer of \(lengthBits.lowerBound) to \(lengthBits.upperBound) bits")
            }
        case "Cryptographic Parameters":
            _ = try CryptographicParameters.from(a.value)
        case "Usage Limits":
            let total: Int64?
            do { total = try a.value.first(.usageLimitsTotal).map { (t) throws(KMIPCodecError) in
                guard let v = t.int64 else { throw KMIPCodecError(.wrongType, "Usage Limits Total must be a Long Integer", tag: .usageLimitsTotal) }
                return v
            } } catch { throw EngineError(error) }
            if let total, total < 0 { throw EngineError(.invalidField, "Usage Limits Total must not be negative") }
            // The count is the server's (KMIP 2.1 §4.59: a client sets Total and Unit only).
            if a.value.first(.usageLimitsCount) != nil {
                throw EngineError(.invalidField, "Usage Limits Count is kept by the server; a client gives Total and Unit")
            }
        default: break
        }
    }

    static func checkDates(_ t: TTLV, _ name: String) throws(EngineError) {
        switch t.value {
        case .dateTime(let d) where !dates.contains(d):
            throw EngineError(.invalidField, "\(name): date \(d) is outside the years 1 to 9999")
        case .structure(let children):
            for c in children { try checkDates(c, name) }
        default: break
        }
    }

    /// A change to an existing object's attribute (Add, Modify, Set): what only tightens.
    static func checkChange(_ a: inout Attribute, of object: ManagedObject, now: Int64) throws(EngineError) {
        try check(a)
        switch a.name {
        // KMIP 2.1 §4.23, §4.55: Extractable may only become false, Sensitive only true. For Secret
        // Data and Opaque Objects (token data objects, with no such flag) this is the only protection.
        case "Extractable" where a.value.bool == true && object.first(.extractable)?.value.bool == false:
            throw EngineError(.permissionDenied, "Extractable may only change from true to false")
        case "Sensitive" where a.value.bool == false && object.first(.sensitive)?.value.bool == true:
            throw EngineError(.permissionDenied, "Sensitive may only change from false to true")
        // Once reached, these dates have done their work and may not move (KMIP 2.1 §4.40, §4.41).
        case "Process Start Date", "Protect Stop Date":
            if let current = object.first(a.tag ?? .processStartDate)?.value.dateSeconds, current <= now {
                throw EngineError(.stateForbidsChange, "\(a.name) has been reached and may no longer change")
            }
        case "Usage Limits":
            // Limits only tighten: the total may go down, never up; unit and count stay the server's.
            guard let current = object.first(.usageLimits)?.value else { return }
            let oldTotal = current.first(.usageLimitsTotal)?.int64 ?? .max
            let newTotal = a.value.first(.usageLimitsTotal)?.int64 ?? oldTotal
            guard newTotal <= oldTotal else { throw EngineError(.permissionDenied, "Usage Limits may only be lowered") }
            if let unit = a.value.first(.usageLimitsUnit)?.enumValue, unit != current.first(.usageLimitsUnit)?.enumValue {
                throw EngineError(.permissionDenied, "the Usage Limits Unit may not change")
            }
            var fields = current.children.filter { $0.tag != .usageLimitsTotal }
            fields.append(TTLV(.usageLimitsTotal, .longInteger(newTotal)))
            a = Attribute(name: a.name, index: a.index, value: .structure(.usageLimits, fields))
        default: break
        }
    }
}
