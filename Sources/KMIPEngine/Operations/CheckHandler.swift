import KMIP

/// Check (KMIP 2.1 §6.1.6): would the object allow the given usage now?
struct CheckHandler: OperationHandler {
    static let operation = Operation.check
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        let object = try await context.fetch(uid)
        let requestedMask: Int32?
        do { requestedMask = try payload.optionalInt(.cryptographicUsageMask) } catch { throw EngineError(error) }
        if let m = requestedMask {
            let want = UInt32(bitPattern: m)
            guard want & ~object.usageMask == 0 else {
                throw EngineError(.incompatibleUsageMask, "usage mask 0x\(String(want, radix: 16)) exceeds the object's 0x\(String(object.usageMask, radix: 16))")
            }
        }
        if Lifecycle.isDestroyed(object.state) { throw EngineError(.wrongKeyLifecycleState, "object is destroyed") }
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }
}
