import Foundation
import KMIP

/// Re-key (KMIP 2.1 §6.1.46): a new symmetric key, generated in the token, that takes over the
/// existing key's attributes and names; the two are linked as replacement and replaced.
struct ReKeyHandler: OperationHandler {
    func handle(_ request: ReKeyRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let oldUID = try context.uid(request.uniqueIdentifier)
        let old = try await context.fetch(oldUID)
        guard old.objectType == .symmetricKey else { throw EngineError(.invalidObjectType, "Re-key replaces symmetric keys; use Re-key Key Pair") }
        guard !Lifecycle.isDestroyed(old.state) else { throw EngineError(.objectDestroyed, "object \(oldUID) is destroyed") }
        var requested = request.attributes
        try AttributeRules.validateClientAttributes(&requested)
        try Replacement.checkRequested(requested, replacing: old, context)
        let offset = request.offset
        guard let alg = old.cryptographicAlgorithm, let length = old.cryptographicLength else {
            throw EngineError(.generalFailure, "object \(oldUID) lacks its algorithm or length")
        }
        let uid = UUID().uuidString.lowercased()
        var object = ManagedObject(uid: uid, objectType: .symmetricKey, owner: old.owner,
                                   attributes: Replacement.attributes(from: old, offset: offset, requested: requested, now: context.now),
                                   tokenObject: .secretKey)
        object.attributes.append(Replacement.link(.replacedObjectLink, oldUID))
        let extractable = ObjectFactory.applyServerAttributes(&object, context)
        let spec = ObjectFactory.secretKeySpec(object, algorithm: alg, lengthBits: length, extractable: extractable)
        try await ObjectFactory.persist(object, context, generated: true) { token async throws(EngineError) in
            try await token.generateSecretKey(id: uid, spec: spec)
        }
        try await Replacement.retire(old, replacedBy: uid, context)
        return IdentifierResponse(uid)
    }
}
