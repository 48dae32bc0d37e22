import KMIP

/// Modify Attribute (KMIP 2.1 §6.1.29; 1.4 §4.14): replaces an existing instance, chosen by 1.x index
/// or 2.x Current Attribute.
struct ModifyAttributeHandler: OperationHandler {
    static let operation = Operation.modifyAttribute
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        var object = try await context.fetch(uid)
        guard var a = try AttributeEdits.attribute(payload, v2Tag: .newAttribute, context.version) else {
            throw EngineError(.invalidField, "Modify Attribute needs an attribute")
        }
        try AttributeEdits.checkWritable(&a, object, context)
        let positions = AttributeEdits.positions(object, a.name)
        guard !positions.isEmpty else { throw EngineError(.attributeNotFound, "object has no \(a.name)") }
        var which = 0
        if context.version.isV2, let current = try AttributeEdits.currentAttribute(payload, .v2_1) {
            guard let k = positions.firstIndex(where: { object.attributes[$0].value == current.value }) else {
                throw EngineError(.attributeNotFound, "no \(a.name) with the current value given")
            }
            which = k
        } else if let i = a.index {
            guard Int(i) < positions.count, i >= 0 else { throw EngineError(.attributeNotFound, "no \(a.name) at index \(i)") }
            which = Int(i)
        }
        a.index = nil
        object.attributes[positions[which]] = a
        try await AttributeEdits.save(&object, context)
        context.idPlaceholder = uid
        return AttributeEdits.response(uid, a, index: which, context.version)
    }
}
