import KMIP

/// Destroy (KMIP 2.1 §6.1.15): the token object goes; the metadata stays in state Destroyed (or
/// Destroyed Compromised). An Active object must be revoked first.
struct DestroyHandler: OperationHandler {
    func handle(_ request: DestroyRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        var object = try await context.fetch(uid)
        switch object.state {
        case .active: throw EngineError(.stateForbidsChange, "object is Active: revoke it before destroying it")
        case .destroyed, .destroyedCompromised: throw EngineError(.wrongKeyLifecycleState, "object is already destroyed")
        case .compromised: object.state = .destroyedCompromised
        default: object.state = .destroyed
        }
        object.set(.destroyDate, .dateTime(context.now))
        object.tokenObject = nil
        // Store first: a crash after this leaves an orphan token object, which reconciliation removes.
        try await context.saveChange(object)
        try await context.services.token.destroy(id: uid)
        context.idPlaceholder = uid
        return IdentifierResponse(uid)
    }
}
