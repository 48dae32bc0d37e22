import KMIP

/// Check (KMIP 2.1 §6.1.7): would the object allow the given usage now?
struct CheckHandler: OperationHandler {
    func handle(_ request: CheckRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        let object = try await context.fetch(uid)
        if let want = request.usageMask {
            guard want & ~object.usageMask == 0 else {
                throw EngineError(.incompatibleUsageMask, "usage mask 0x\(String(want, radix: 16)) exceeds the object's 0x\(String(object.usageMask, radix: 16))")
            }
        }
        if Lifecycle.isDestroyed(object.state) { throw EngineError(.wrongKeyLifecycleState, "object is destroyed") }
        context.idPlaceholder = uid
        return IdentifierResponse(uid)
    }
}
