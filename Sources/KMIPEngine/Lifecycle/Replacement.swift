import KMIP

/// What Re-key, Re-key Key Pair and Re-certify share (KMIP 2.1 §6.1.46 Table 303–304, §6.1.47,
/// §6.1.45): the replacement copies the existing object's attributes except those the server sets
/// anew, takes over its names, gets dates shifted by the Offset, and the two link to each other.
enum Replacement {
    /// Attributes not copied to the replacement (set anew, or not at all).
    static let notCopied: Set<Attribute.Key> = Set(([
        .uniqueIdentifier, .initialDate, .destroyDate, .compromiseOccurrenceDate, .compromiseDate,
        .revocationReason, .state, .digest, .link, .lastChangeDate, .randomNumberGenerator,
        .shortUniqueIdentifier, .originalCreationDate, .fresh, .alwaysSensitive, .neverExtractable,
        .leaseTime, .activationDate, .processStartDate, .protectStopDate, .deactivationDate,
    ] as [Tag]).map { Attribute.Key.tag($0) })

    /// The replacement's client-level attributes: copied ones, names, dates by Offset, then the
    /// request's own attributes on top.
    static func attributes(from old: ManagedObject, offset: Int64?, requested: [Attribute], now: Int64) -> [Attribute] {
        var attrs = old.attributes.filter { !notCopied.contains($0.key) }
        let dates: [Tag] = [.activationDate, .processStartDate, .protectStopDate, .deactivationDate]
        if let offset, let oldActivation = old.date(.activationDate) {
            let newActivation = now + offset
            // Stored dates are within years 1–9999 (AttributeValues); saturate rather than trap on
            // anything older that is not.
            let shift = newActivation.subtractingReportingOverflow(oldActivation)
            for tag in dates {
                guard let d = old.date(tag) else { continue }
                let moved = shift.overflow ? nil : d.addingReportingOverflow(shift.partialValue)
                let value = tag == .activationDate ? newActivation : (moved.map { $0.overflow ? Int64.max : $0.partialValue } ?? Int64.max)
                attrs.append(Attribute(tag, .dateTime(value)))
            }
        } else if let offset {
            attrs.append(Attribute(.activationDate, .dateTime(now + offset)))
        } else {
            for tag in dates { if let d = old.date(tag) { attrs.append(Attribute(tag, .dateTime(d))) } }
        }
        for r in requested {
            if !AttributeRules.isMultiValued(r) { attrs.removeAll { $0.key == r.key } }
            attrs.append(r)
        }
        return attrs
    }

    /// What a Re-key / Re-key Key Pair / Re-certify request may ask of the replacement. It is made for
    /// the existing object's owner, so a requester who does not manage that object (a grantee) may not
    /// give it grants; and no requester may make it less protected than the object it replaces
    /// (Extractable only true→false, Sensitive only false→true, as for the object itself).
    static func checkRequested(_ requested: [Attribute], replacing old: ManagedObject, _ context: RequestContext) throws(EngineError) {
        if requested.contains(where: { $0.name == Grant.attributeName }),
           !context.services.policy.mayManage(old, identity: context.identity) {
            throw EngineError(.permissionDenied, "only the owner of \(old.uid) (or an admin) may give its replacement grants")
        }
        try Protection.checkRequested(requested, source: old)
    }

    static func link(_ type: LinkType, _ uid: String) -> Attribute {
        Attribute(.link, .structure([TTLV(.linkType, .enumeration(type.rawValue)), TTLV(.linkedObjectIdentifier, .textString(uid))]))
    }

    /// After the replacement exists: the existing object gives up its names and points to it.
    static func retire(_ old: ManagedObject, replacedBy uid: String, _ context: RequestContext) async throws(EngineError) {
        var o = old
        o.attributes.remove(.name)
        o.attributes.append(link(.replacementObjectLink, uid))
        try await context.saveChange(o)
    }
}
