import KMIP

/// What Create and Register share: server-set attributes and the crash-consistent write order
/// (intent row ─► token object ─► commit; ARCHITECTURE.md).
enum NewObject {
    /// Sets the attributes the server owns; returns whether the key may leave the token.
    @discardableResult
    static func applyServerAttributes(_ object: inout ManagedObject, _ context: RequestContext) -> Bool {
        let now = context.now
        object.set(.uniqueIdentifier, .textString(object.uid))
        object.set(.objectType, .enumeration(object.objectType.rawValue))
        object.set(.initialDate, .dateTime(now))
        object.set(.lastChangeDate, .dateTime(now))
        if context.version.isV2 { object.set(.originalCreationDate, .dateTime(now)) }
        if context.version >= .v1_3 { object.set(.fresh, .boolean(true)) }
        if object.first(.cryptographicUsageMask) == nil { object.set(.cryptographicUsageMask, .integer(0)) }
        let extractable = object.first(.extractable)?.value.bool ?? context.services.policy.extractableByDefault
        let sensitive = object.first(.sensitive)?.value.bool ?? !extractable
        if context.version >= .v1_4 {
            object.set(.extractable, .boolean(extractable))
            object.set(.sensitive, .boolean(sensitive))
            object.set(.alwaysSensitive, .boolean(sensitive))
            object.set(.neverExtractable, .boolean(!extractable))
        } else {
            // Older clients do not know these attributes; the policy still applies and is recorded.
            object.attributes.removeAll { $0.name == "Extractable" || $0.name == "Sensitive" }
            object.attributes.append(Attribute(.extractable, .boolean(extractable)))
        }
        object.state = .preActive
        Lifecycle.advance(&object, now: now)
        return extractable
    }

    /// A readable CKA_LABEL: the first Name, else the object type and UID.
    static func label(_ object: ManagedObject) -> String {
        if let n = object.first(.name)?.value.first(.nameValue)?.text { return n }
        return "kmipd \(object.objectType) \(object.uid)"
    }

    static func persist(_ object: ManagedObject, _ context: RequestContext,
                        makeTokenObject: (any Token) async throws(EngineError) -> Void) async throws(EngineError) {
        let store = context.services.store
        try await store.insertPending(object)
        do {
            try await makeTokenObject(context.services.token)
        } catch {
            try? await store.removePending(uid: object.uid)
            throw error
        }
        do {
            try await store.commit(uid: object.uid)
        } catch {
            // The token object has no committed row: remove it so nothing is left half-made.
            try? await context.services.token.destroy(id: object.uid)
            try? await store.removePending(uid: object.uid)
            throw error
        }
    }
}
