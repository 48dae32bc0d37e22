import KMIP

/// Activate (KMIP 2.1 §6.1.1): Pre-Active ─► Active, Activation Date = now.
struct ActivateHandler: OperationHandler {
    func handle(_ request: ActivateRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        var object = try await context.fetch(uid)
        guard object.state == .preActive else {
            throw EngineError(.wrongKeyLifecycleState, "object is \(object.state), not Pre-Active")
        }
        guard object.objectType != .opaqueObject else { throw EngineError(.invalidObjectType, "Opaque Objects have no lifecycle to activate") }
        object.state = .active
        object.set(.activationDate, .dateTime(context.now))
        try await context.saveChange(object)
        context.idPlaceholder = uid
        return IdentifierResponse(uid)
    }
}
