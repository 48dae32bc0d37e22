import KMIP

/// Delete Attribute (KMIP 2.1 §6.1.13; 1.4 §4.16): removes one instance (by 1.x name and index, or 2.x
/// Current Attribute / Attribute Reference).
struct DeleteAttributeHandler: OperationHandler {
    func handle(_ request: DeleteAttributeRequest, _ context: RequestContext) async throws(EngineError) -> AttributeEditResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        var object = try await context.fetch(uid)
        let name = request.selector.name
        let key = Attribute.key(name)
        try AttributeEdits.checkGrantEdit(key, object, context)
        guard AttributeRules.clientMayDelete(key) else {
            throw EngineError(.attributeReadOnly, "attribute \(name) cannot be deleted by a client")
        }
        let positions = AttributeEdits.positions(object, key)
        let target: Int?, index: Int
        switch request.selector {
        case .value(let given):
            let value = try Grant.canonical(given).value
            target = positions.first { object.attributes[$0].value == value }
            index = 0
        case .name(_, let i):
            target = i < positions.count ? positions[i] : nil
            index = i
        }
        guard let target else { throw EngineError(.attributeNotFound, "object has no \(name) at that index") }
        let removed = object.attributes.remove(at: target)
        try await AttributeEdits.save(&object, context)
        context.idPlaceholder = uid
        return AttributeEditResponse(uid, attribute: removed, index: index)
    }
}
