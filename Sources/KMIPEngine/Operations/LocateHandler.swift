import KMIP

/// Locate (KMIP 2.1 §6.1.28): objects carrying all the given attributes, newest first, compiled to one
/// store query. Another owner's objects are never seen.
struct LocateHandler: OperationHandler {
    func handle(_ request: LocateRequest, _ context: RequestContext) async throws(EngineError) -> LocateResponse {
        // A date at its largest value is as if it were not given (KMIP 2.1 §6.1.28).
        var filters = request.filters.filter { $0.value.dateSeconds != Int64.max }
        var maximumItems = request.maximumItems
        switch request.objectGroupMember {
        case .groupMemberFresh?: filters.append(Attribute(.fresh, .boolean(true)))
        case .groupMemberDefault?:
            // kmipd's policy for a group's default object (KMIP 2.1 §6.1.28): its newest Active member.
            filters.append(Attribute(.state, .enumeration(State.active.rawValue)))
            maximumItems = 1
        default: break
        }
        let mask = request.storageStatusMask ?? StorageStatusMask.onLineStorage.rawValue
        guard mask & (StorageStatusMask.onLineStorage.rawValue | StorageStatusMask.destroyedStorage.rawValue) != 0 else {
            return LocateResponse(locatedItems: 0, uniqueIdentifiers: [])  // nothing is archived
        }
        try await context.services.store.advanceStates(now: context.now)
        let policy = context.services.policy
        let query = LocateQuery(owner: policy.isAdmin(context.identity) ? nil : context.identity, filters: filters,
                                maxItems: maximumItems, offset: request.offsetItems,
                                includeDestroyed: mask & StorageStatusMask.destroyedStorage.rawValue != 0, now: context.now)
        let (uids, total) = try await context.services.store.locate(query)
        // One object found: it becomes the ID Placeholder; several: the placeholder is emptied, so
        // batched operations that rely on it fail rather than act on an arbitrary one (§6.1.28).
        context.idPlaceholder = uids.count == 1 ? uids[0] : nil
        return LocateResponse(locatedItems: total, uniqueIdentifiers: uids)
    }
}
