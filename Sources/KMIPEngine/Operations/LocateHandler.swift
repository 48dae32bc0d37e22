import KMIP

/// Locate (KMIP 2.1 §6.1.27): objects carrying all the given attributes, newest first, compiled to one
/// store query. Another owner's objects are never seen.
struct LocateHandler: OperationHandler {
    static let operation = Operation.locate

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        var filters = [Attribute]()
        let maxItems: Int32?, offset: Int32?, statusMask: Int32?
        do {
            maxItems = try payload.optionalInt(.maximumItems)
            offset = try payload.optionalInt(.offsetItems)
            statusMask = try payload.optionalInt(.storageStatusMask)
            if let attrs = payload.first(.attributes) { filters = try AttributeList.read(attrs) }
            for a in payload.all(.attribute) { filters.append(try Attribute(v1: a)) }
            if let member = try payload.optionalEnum(.objectGroupMember), member == ObjectGroupMemberOption.groupMemberFresh.rawValue {
                filters.append(Attribute(.fresh, .boolean(true)))
            }
        } catch { throw EngineError(error) }
        if let m = maxItems, m < 0 { throw EngineError(.invalidField, "Maximum Items must not be negative") }
        if let o = offset, o < 0 { throw EngineError(.invalidField, "Offset Items must not be negative") }
        let mask = UInt32(bitPattern: statusMask ?? Int32(StorageStatusMask.onLineStorage.rawValue))
        guard mask & (StorageStatusMask.onLineStorage.rawValue | StorageStatusMask.destroyedStorage.rawValue) != 0 else {
            return response(context.version >= .v1_3 ? [TTLV(.locatedItems, .integer(0))] : []) // nothing is archived
        }
        try await context.services.store.advanceStates(now: context.now)
        let policy = context.services.policy
        let query = LocateQuery(owner: policy.isAdmin(context.identity) ? nil : context.identity, filters: filters,
                                maxItems: maxItems.map(Int.init), offset: Int(offset ?? 0),
                                includeDestroyed: mask & StorageStatusMask.destroyedStorage.rawValue != 0, now: context.now)
        let (uids, total) = try await context.services.store.locate(query)
        var out = [TTLV]()
        if context.version >= .v1_3 { out.append(TTLV(.locatedItems, .integer(Int32(clamping: total)))) }
        out += uids.map { TTLV(.uniqueIdentifier, .textString($0)) }
        if let first = uids.first { context.idPlaceholder = first }
        return response(out)
    }
}
