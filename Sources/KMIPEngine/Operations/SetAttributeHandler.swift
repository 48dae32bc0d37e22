import KMIP

/// Set Attribute (KMIP 2.0+, §6.1.51): sets a single-valued attribute, replacing any value.
struct SetAttributeHandler: OperationHandler {
    func handle(_ request: SetAttributeRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        var object = try await context.fetch(uid)
        var a = request.attribute
        guard !AttributeRules.isMultiValued(a) else {
            throw EngineError(.invalidField, "\(a.name) is multi-valued: use Add Attribute")
        }
        try AttributeEdits.checkWritable(&a, object, context)
        object.attributes.removeAll { $0.key == a.key }
        object.attributes.append(a)
        try await AttributeEdits.save(&object, context)
        context.idPlaceholder = uid
        return IdentifierResponse(uid)
    }
}
