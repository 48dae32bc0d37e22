import KMIP

/// Revoke (KMIP 2.1 §6.1.42): compromise ─► Compromised (Compromise Date = now); any other reason ─►
/// Deactivated (Deactivation Date = now).
struct RevokeHandler: OperationHandler {
    static let operation = Operation.revoke
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        var object = try await context.fetch(uid)
        let reason: RevocationReasonCode
        let message: String?
        do {
            let r = try payload.required(.revocationReason)
            reason = RevocationReasonCode(rawValue: try r.requiredEnum(.revocationReasonCode))
            message = try r.optionalText(.revocationMessage)
        } catch { throw EngineError(error) }
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
            let occurred = payload.first(.compromiseOccurrenceDate)?.dateSeconds ?? context.now
            object.set(.compromiseOccurrenceDate, .dateTime(occurred))
        } else if object.state == .deactivated {
            object.set(.deactivationDate, .dateTime(context.now))
        }
        var rr = [TTLV(.revocationReasonCode, .enumeration(reason.rawValue))]
        if let message { rr.append(TTLV(.revocationMessage, .textString(message))) }
        object.attributes.removeAll { $0.name == "Revocation Reason" }
        object.attributes.append(Attribute(name: "Revocation Reason", value: .structure(.revocationReason, rr)))
        try await context.saveChange(object)
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }
}
