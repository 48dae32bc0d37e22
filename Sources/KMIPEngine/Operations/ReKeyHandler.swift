import Foundation
import KMIP

/// Re-key (KMIP 2.1 §6.1.46): a new symmetric key, generated in the token, that takes over the
/// existing key's attributes and names; the two are linked as replacement and replaced.
struct ReKeyHandler: OperationHandler {
    static let operation = Operation.reKey

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let oldUID = try context.uid(in: payload)
        let old = try await context.fetch(oldUID)
        guard old.objectType == .symmetricKey else { throw EngineError(.invalidObjectType, "Re-key replaces symmetric keys; use Re-key Key Pair") }
        guard !Lifecycle.isDestroyed(old.state) else { throw EngineError(.objectDestroyed, "object \(oldUID) is destroyed") }
        var requested: [Attribute]
        do { requested = try AttributeList.inRequest(payload) } catch { throw EngineError(error) }
        try AttributeRules.validateClientAttributes(&requested)
        try Replacement.checkRequested(requested, replacing: old, context)
        let offset = try Replacement.offset(payload)
        guard let alg = old.first(.cryptographicAlgorithm)?.value.enumValue.map(CryptographicAlgorithm.init(rawValue:)),
              let length = old.first(.cryptographicLength)?.value.int32 else {
            throw EngineError(.generalFailure, "object \(oldUID) lacks its algorithm or length")
        }
        let uid = UUID().uuidString.lowercased()
        var object = ManagedObject(uid: uid, objectType: .symmetricKey, owner: old.owner,
                                   attributes: Replacement.attributes(from: old, offset: offset, requested: requested, now: context.now),
                                   tokenObject: .secretKey)
        object.attributes.append(Replacement.link(.replacedObjectLink, oldUID))
        let extractable = NewObject.applyServerAttributes(&object, context)
        let spec = SecretKeySpec(algorithm: alg, lengthBits: Int(length), extractable: extractable,
                                 usage: CryptographicUsageMaskBits(rawValue: object.usageMask), label: NewObject.label(object))
        try await NewObject.persist(object, context, generated: true) { token async throws(EngineError) in
            try await token.generateSecretKey(id: uid, spec: spec)
        }
        try await Replacement.retire(old, replacedBy: uid, context)
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }
}
