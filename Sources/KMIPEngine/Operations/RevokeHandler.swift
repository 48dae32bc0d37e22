import KMIP

/// Revoke (KMIP 2.1 §6.1.44): compromise ─► Compromised (Compromise Date = now); any other reason ─►
/// Deactivated (Deactivation Date = now).
struct RevokeHandler: OperationHandler {
    func handle(_ request: RevokeRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        var object = try await context.fetch(uid)
        let reason = request.reason.code
        let compromise = reason == .keyCompromise || reason == .caCompromise
        switch object.state {
        case .destroyed where compromise: object.state = .destroyedCompromised
        case .destroyed, .destroyedCompromised: throw EngineError(.wrongKeyLifecycleState, "object is \(object.state)")
        case .compromised: throw EngineError(.wrongKeyLifecycleState, "object is already Compromised")
        case .deactivated where !compromise: throw EngineError(.wrongKeyLifecycleState, "object is already Deactivated")
        default: object.state = compromise ? .compromised : .deactivated
        }
        if compromise {
            object.set(.compromiseDate, .dateTime(context.now))
            object.set(.compromiseOccurrenceDate, .dateTime(request.compromiseOccurrenceDate ?? context.now))
        } else if object.state == .deactivated {
            object.set(.deactivationDate, .dateTime(context.now))
        }
        object.set(.revocationReason, request.reason.ttlv.value)
        try await context.saveChange(object)
        context.idPlaceholder = uid
        return IdentifierResponse(uid)
    }
}
