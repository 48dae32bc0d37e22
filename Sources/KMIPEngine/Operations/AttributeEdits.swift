import KMIP

/// The shared rules of Add / Modify / Delete / Set Attribute (KMIP 2.1 §6.1.2, §6.1.34, §6.1.13, §6.1.51;
/// 1.4 §4.14–4.16): which attributes a client may change, indices, and the Last Change Date.
enum AttributeEdits {
    /// - Parameter adding: true for Add Attribute (a new instance), false for Modify/Set.
    /// A grant is put in its canonical form.
    static func checkWritable(_ a: inout Attribute, _ object: ManagedObject, _ context: RequestContext,
                              adding: Bool = false) throws(EngineError) {
        try checkGrantEdit(a.key, object, context)
        a = try Grant.canonical(a)
        guard let rule = AttributeRules.rule(a.key) else { throw EngineError(.invalidField, "unknown attribute \(a.name)") }
        let allowed = adding ? AttributeRules.clientMaySet(a.key) && !(a.tag.map(AttributeRules.requestParameters.contains) ?? false)
                             : AttributeRules.clientMayModify(a.key)
        guard allowed else { throw EngineError(.attributeReadOnly, "attribute \(a.name) cannot be changed by a client") }
        try AttributeValues.checkChange(&a, of: object, now: context.now)
        if Lifecycle.isDestroyed(object.state) && a.tag != .description && a.tag != .comment {
            throw EngineError(.wrongKeyLifecycleState, "object is destroyed")
        }
        // The rules table's "only while in Pre-Active (or Active) state"; the Usage Mask is fixed once
        // the key may be used (KMIP 2.1 §4.17 has no client change at all, 1.x allowed it before use).
        if object.state != .preActive && (rule.clientChanges == .whilePreActive || a.tag == .cryptographicUsageMask) {
            throw EngineError(.stateForbidsChange, "\(a.name) can change only while Pre-Active")
        }
        if rule.clientChanges == .whilePreActiveOrActive && object.state != .preActive && object.state != .active {
            throw EngineError(.stateForbidsChange, "\(a.name) can change only while Pre-Active or Active")
        }
    }

    /// Grants are the owner's (or an admin's) to give and take back; to a grantee the object looks
    /// missing, as every refusal does.
    static func checkGrantEdit(_ key: Attribute.Key, _ object: ManagedObject, _ context: RequestContext) throws(EngineError) {
        guard key == Grant.key, !context.services.policy.mayManage(object, identity: context.identity) else { return }
        throw EngineError(.itemNotFound, "no object \(object.uid)")
    }

    /// Positions of the instances of an attribute (their 1.x indices are their order).
    static func positions(_ object: ManagedObject, _ key: Attribute.Key) -> [Int] {
        object.attributes.indices.filter { object.attributes[$0].key == key }
    }

    /// Saves after a client change, applying any date-driven state change (Modify of Activation Date
    /// into the past activates).
    static func save(_ object: inout ManagedObject, _ context: RequestContext) async throws(EngineError) {
        Lifecycle.advance(&object, now: context.now)
        try await context.saveChange(object)
    }
}
