import KMIP

/// Activate (KMIP 2.1 §6.1.1): Pre-Active ─► Active, Activation Date = now.
struct ActivateHandler: OperationHandler {
    static let operation = Operation.activate
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        var object = try await context.fetch(uid)
        guard object.state == .preActive else {
            throw EngineError(.wrongKeyLifecycleState, "object is \(object.state), not Pre-Active")
        }
        guard object.objectType != .opaqueObject else { throw EngineError(.invalidObjectType, "Opaque Objects have no lifecycle to activate") }
        object.state = .active
        object.set(.activationDate, .dateTime(context.now))
        try await context.saveChange(object)
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }
}
