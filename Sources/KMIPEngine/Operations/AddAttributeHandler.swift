import KMIP

/// Add Attribute (KMIP 2.1 §6.1.2): a new instance of a multi-valued attribute, or a single-valued
/// one the object lacks.
struct AddAttributeHandler: OperationHandler {
    static let operation = Operation.addAttribute
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        var object = try await context.fetch(uid)
        guard var a = try AttributeEdits.attribute(payload, v2Tag: .newAttribute, context.version) else {
            throw EngineError(.invalidField, "Add Attribute needs an attribute")
        }
        try AttributeEdits.checkWritable(&a, object, context, adding: true)
        let existing = AttributeEdits.positions(object, a.name)
        if !existing.isEmpty && !AttributeRules.isMultiValued(a.name) {
            throw EngineError(.attributeSingleValued, "\(a.name) is single-valued and already set")
        }
        if existing.contains(where: { object.attributes[$0].value == a.value }) {
            throw EngineError(a.name == "Name" ? .nonUniqueName : .invalidField, "\(a.name) already has that value")
        }
        a.index = nil
        object.attributes.append(a)
        try await AttributeEdits.save(&object, context)
        context.idPlaceholder = uid
        return AttributeEdits.response(uid, a, index: existing.count, context.version)
    }
}
