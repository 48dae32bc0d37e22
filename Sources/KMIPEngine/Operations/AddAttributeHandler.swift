import KMIP

/// Add Attribute (KMIP 2.1 §6.1.2): a new instance of a multi-valued attribute, or a single-valued
/// one the object lacks.
struct AddAttributeHandler: OperationHandler {
    func handle(_ request: AddAttributeRequest, _ context: RequestContext) async throws(EngineError) -> AttributeEditResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        var object = try await context.fetch(uid)
        var a = request.attribute
        try AttributeEdits.checkWritable(&a, object, context, adding: true)
        let existing = AttributeEdits.positions(object, a.key)
        if !existing.isEmpty && !AttributeRules.isMultiValued(a) {
            throw EngineError(.attributeSingleValued, "\(a.name) is single-valued and already set")
        }
        if existing.contains(where: { object.attributes[$0].value == a.value }) {
            throw EngineError(a.tag == .name ? .nonUniqueName : .invalidField, "\(a.name) already has that value")
        }
        a.index = nil
        object.attributes.append(a)
        try await AttributeEdits.save(&object, context)
        context.idPlaceholder = uid
        return AttributeEditResponse(uid, attribute: a, index: existing.count)
    }
}
