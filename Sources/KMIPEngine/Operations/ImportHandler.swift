import KMIP

/// Import (KMIP 2.1 §6.1.25; 1.4 §4.41): Register under the Unique Identifier the client gives
/// (moving objects between servers). With Replace Existing the old object — token object and row — is
/// replaced; without it an existing identifier is refused. Wrapped key material is unwrapped in the token.
/// The request carries "all of the object's attributes", as Export answered them: those a client may
/// set are kept, those the server sets (Unique Identifier, State, Initial Date, Digest, …) are made
/// anew here rather than refused as Register would, so that an Export imports unchanged.
struct ImportHandler: OperationHandler {
    func handle(_ request: ImportRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let uid = request.uniqueIdentifier
        var register = request.register
        register.attributes.removeAll { AttributeRule.of($0.key) != nil && !AttributeRules.clientMaySet($0.key) }
        if let existing = try await context.services.store.fetch(uid: uid) {
            // Another owner's object is refused as every refusal is (it looks missing), not with
            // Object Already Exists, which would confirm that it exists.
            guard context.services.policy.mayAccess(existing, identity: context.identity, operation: .import) else {
                throw EngineError(.itemNotFound, "no object \(uid) this client may replace")
            }
            guard request.replaceExisting else { throw EngineError(.objectAlreadyExists, "object \(uid) exists (set Replace Existing to replace it)") }
            // Row first (no token object), then the token object, then the row itself.
            var gone = existing
            gone.tokenObject = nil
            try await context.services.store.save(gone)
            try await context.services.token.destroy(id: uid)
            try await context.services.store.remove(uid: uid)
        }
        return try await RegisterHandler().register(register, context, uid: uid)
    }
}
