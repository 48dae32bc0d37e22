import KMIP

/// Import (KMIP 2.1 §6.1.25; 1.4 §4.41): Register under the Unique Identifier the client gives
/// (moving objects between servers). With Replace Existing the old object — token object and row — is
/// replaced; without it an existing identifier is refused. Wrapped key material is unwrapped in the token.
/// The request carries "all the attributes to be assigned to the object", and the spec sets them "to
/// the supplied values rather than any server generated values": State, Initial Date, Last Change Date,
/// Digest, Compromise Date, … come back as exported. Only what describes this server's own copy is made
/// anew: Unique Identifier (the request's), Object Type and what the object's value says (its Register
/// derives those), Key Value Present, Key Value Location and Protection Storage Mask.
struct ImportHandler: OperationHandler {
    /// Server-set attributes an Import keeps as supplied.
    static let kept: Set<Tag> = [
        .state, .initialDate, .lastChangeDate, .originalCreationDate, .digest, .leaseTime, .alwaysSensitive, .neverExtractable,
        .compromiseDate, .compromiseOccurrenceDate, .revocationReason, .archiveDate, .rotateDate, .rotateGeneration, .rotateLatest,
    ]

    func handle(_ request: ImportRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let uid = request.uniqueIdentifier
        var register = request.register
        let supplied = try Self.suppliedServerAttributes(register.attributes)
        register.attributes.removeAll { AttributeRule.of($0.key) != nil && !AttributeRules.clientMaySet($0.key) }
        if let existing = try await context.services.store.fetch(uid: uid) {
            // Another owner's object is refused as every refusal is (it looks missing), not with
            // Object Already Exists, which would confirm that it exists.
            guard context.services.policy.mayAccess(existing, identity: context.identity, operation: .import) else {
                throw EngineError(.itemNotFound, "no object \(uid) this client may replace")
            }
            guard request.replaceExisting else { throw EngineError(.objectAlreadyExists, "object \(uid) exists (set Replace Existing to replace it)") }
            // Refused for its own content before anything is replaced: the old object stays.
            try RegisterHandler().check(register, context, uid: uid)
            // Row first (no token object), then the token object, then the row itself.
            var gone = existing
            gone.tokenObject = nil
            try await context.services.store.save(gone)
            try await context.services.token.destroy(id: uid)
            try await context.services.store.remove(uid: uid)
        }
        context.importedServerAttributes = supplied
        defer { context.importedServerAttributes = [] }
        return try await RegisterHandler().register(register, context, uid: uid)
    }

    /// The supplied values of `kept`, each of its item type and in range. A Destroyed state is refused:
    /// an object imported with its value is not destroyed.
    static func suppliedServerAttributes(_ attributes: [Attribute]) throws(EngineError) -> [Attribute] {
        var out = [Attribute]()
        for a in attributes {
            guard case .tag(let tag) = a.key, kept.contains(tag) else { continue }
            guard let type = tag.itemType, a.value.itemType == type else {
                throw EngineError(.invalidField, "\(a.name) must be \(tag.itemType.map { "a \($0)" } ?? "of its type")")
            }
            try AttributeValues.check(a)
            if tag == .state {
                let state = State(rawValue: a.value.enumValue ?? 0)
                guard [.preActive, .active, .deactivated, .compromised].contains(state) else {
                    throw EngineError(.invalidField, Lifecycle.isDestroyed(state) ? "an imported object is not Destroyed: it brings its value"
                                                                                 : "State \(a.value.enumValue ?? 0) is not a KMIP state")
                }
            }
            var plain = a
            plain.index = nil
            out.append(plain)
        }
        return out
    }
}
