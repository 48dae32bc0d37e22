import KMIP

/// Delete Attribute (KMIP 2.1 §6.1.15; 1.4 §4.15): removes one instance (by 1.x name and index, or 2.x
/// Current Attribute / Attribute Reference).
struct DeleteAttributeHandler: OperationHandler {
    static let operation = Operation.deleteAttribute
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        var object = try await context.fetch(uid)
        var name: String?, index = 0, value: TTLV?
        if let current = try AttributeEdits.currentAttribute(payload, context.version) {
            name = current.name; value = current.value
        } else if let n = AttributeSelection.names(in: payload).first {
            name = n
            do { index = try payload.optionalInt(.attributeIndex, in: 0...Int32.max) ?? 0 } catch { throw EngineError(error) }
        }
        guard let name else { throw EngineError(.invalidField, "Delete Attribute needs an attribute name or reference") }
        try AttributeEdits.checkGrantEdit(name, object, context)
        guard AttributeRules.clientMayDelete(name) else {
            throw EngineError(.attributeReadOnly, "attribute \(name) cannot be deleted by a client")
        }
        let positions = AttributeEdits.positions(object, name)
        let target: Int?
        if let value { target = positions.first { object.attributes[$0].value == value } }
        else { target = index < positions.count ? positions[index] : nil }
        guard let target else { throw EngineError(.attributeNotFound, "object has no \(name) at that index") }
        let removed = object.attributes.remove(at: target)
        try await AttributeEdits.save(&object, context)
        context.idPlaceholder = uid
        return AttributeEdits.response(uid, removed, index: index, context.version)
    }
}
