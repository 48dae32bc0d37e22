import KMIP

/// Obtain Lease (KMIP 2.1 §6.1.35): the object's Lease Time (0 when it has none: no limit) and its
/// Last Change Date, so a client can tell whether its cached attributes are stale. A destroyed object
/// gets no new lease.
struct ObtainLeaseHandler: OperationHandler {
    func handle(_ request: ObtainLeaseRequest, _ context: RequestContext) async throws(EngineError) -> ObtainLeaseResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        let object = try await context.fetch(uid)
        if Lifecycle.isDestroyed(object.state) { throw EngineError(.objectDestroyed, "object \(uid) is destroyed: no lease") }
        var lease: UInt32 = 0
        if case .interval(let seconds)? = object.first(.leaseTime)?.value.value { lease = seconds }
        context.idPlaceholder = uid
        return ObtainLeaseResponse(uid, leaseTime: lease, lastChangeDate: object.date(.lastChangeDate) ?? context.now)
    }
}

/// Get Usage Allocation (KMIP 2.1 §6.1.23): reserves units of an object's Usage Limits for protection
/// the client is about to apply; the server counts them as used. Only while the object may protect,
/// and only for an object that has Usage Limits.
struct GetUsageAllocationHandler: OperationHandler {
    func handle(_ request: GetUsageAllocationRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        let object = try await context.fetch(uid)
        guard object.first(.usageLimits) != nil else { throw EngineError(.attributeNotFound, "object \(uid) has no Usage Limits to allocate from") }
        guard Lifecycle.mayProtect(object, now: context.now) else {
            throw EngineError(.wrongKeyLifecycleState, "object \(uid) may not protect now (\(Lifecycle.effectiveState(object, now: context.now)))")
        }
        try await context.services.locks.withLock(uid) { () async throws(EngineError) in
            guard let current = try await context.services.store.fetch(uid: uid) else { throw EngineError(.itemNotFound, "object \(uid) is gone") }
            try await CryptoRequest.count(current, units: request.count, context)
        }
        context.idPlaceholder = uid
        return IdentifierResponse(uid)
    }
}
