import KMIP

/// Modify Attribute (KMIP 2.1 §6.1.34; 1.4 §4.15): replaces an existing instance, chosen by 1.x index
/// or 2.x Current Attribute.
struct ModifyAttributeHandler: OperationHandler {
    func handle(_ request: ModifyAttributeRequest, _ context: RequestContext) async throws(EngineError) -> AttributeEditResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        var object = try await context.fetch(uid)
        var a = request.attribute
        try AttributeEdits.checkWritable(&a, object, context)
        let positions = AttributeEdits.positions(object, a.key)
        guard !positions.isEmpty else { throw EngineError(.attributeNotFound, "object has no \(a.name)") }
        var which = 0
        if let given = request.current {
            // A grant in its canonical form compares equal to the stored one however it was written.
            let current = try Grant.canonical(given)
            guard let k = positions.firstIndex(where: { object.attributes[$0].value == current.value }) else {
                throw EngineError(.attributeNotFound, "no \(a.name) with the current value given")
            }
            which = k
        } else if let i = request.index {
            guard i < positions.count else { throw EngineError(.attributeNotFound, "no \(a.name) at index \(i)") }
            which = i
        }
        object.attributes[positions[which]] = a
        try await AttributeEdits.save(&object, context)
        context.idPlaceholder = uid
        return AttributeEditResponse(uid, attribute: a, index: which)
    }
}
