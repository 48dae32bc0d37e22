import KMIP

/// Set Attribute (KMIP 2.0+, §6.1.46): sets a single-valued attribute, replacing any value.
struct SetAttributeHandler: OperationHandler {
    static let operation = Operation.setAttribute
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        var object = try await context.fetch(uid)
        guard var a = try AttributeEdits.attribute(payload, v2Tag: .newAttribute, context.version) else {
            throw EngineError(.invalidField, "Set Attribute needs New Attribute")
        }
        guard !AttributeRules.isMultiValued(a.name) else {
            throw EngineError(.invalidField, "\(a.name) is multi-valued: use Add Attribute")
        }
        try AttributeEdits.checkWritable(&a, object, context)
        object.attributes.removeAll { $0.name == a.name }
        object.attributes.append(a)
        try await AttributeEdits.save(&object, context)
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }
}
