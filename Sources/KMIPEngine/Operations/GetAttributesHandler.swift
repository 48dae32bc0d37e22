import KMIP

/// Get Attributes (KMIP 2.1 §6.1.20): the named attributes, in the order asked, or all of them.
struct GetAttributesHandler: OperationHandler {
    func handle(_ request: GetAttributesRequest, _ context: RequestContext) async throws(EngineError) -> GetAttributesResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        let object = try await context.fetch(uid)
        let visible = object.attributes.filter { $0.isDefined(in: context.version) }
        var chosen = [Attribute]()
        if request.names.isEmpty {
            chosen = visible
        } else {
            for name in request.names { chosen += visible.filter { $0.name == name } }
        }
        context.idPlaceholder = uid
        return GetAttributesResponse(uid, attributes: chosen)
    }
}
