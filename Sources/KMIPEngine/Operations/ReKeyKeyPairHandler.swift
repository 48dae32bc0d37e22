import Foundation
import KMIP

/// Re-key Key Pair (KMIP 2.1 §6.1.47): a new key pair of the same kind, generated in the token; each
/// new half takes over its predecessor's attributes and names and links to it and to its new partner.
struct ReKeyKeyPairHandler: OperationHandler {
    func handle(_ request: ReKeyKeyPairRequest, _ context: RequestContext) async throws(EngineError) -> KeyPairResponse {
        let oldPrivUID = try context.uid(request.privateKeyUniqueIdentifier)
        let oldPriv = try await context.fetch(oldPrivUID)
        guard oldPriv.objectType == .privateKey else { throw EngineError(.invalidObjectType, "Re-key Key Pair takes the private key") }
        guard let oldPubUID = Issuer.linked(oldPriv, .publicKeyLink) else {
            throw EngineError(.invalidField, "private key \(oldPrivUID) has no Public Key Link")
        }
        let oldPub = try await context.fetch(oldPubUID)
        let (common, privateOnly, publicOnly) = try CreateKeyPairHandler.attributeLists(request.attributes)
        try Replacement.checkRequested(common + privateOnly, replacing: oldPriv, context)
        try Replacement.checkRequested(common + publicOnly, replacing: oldPub, context)
        let offset = request.offset
        let kind = try CreateKeyPairHandler.kind(of: oldPriv)

        let privUID = UUID().uuidString.lowercased(), pubUID = UUID().uuidString.lowercased()
        func half(_ old: ManagedObject, _ uid: String, _ own: [Attribute], partner: (LinkType, String)) -> ManagedObject {
            var o = ManagedObject(uid: uid, objectType: old.objectType, owner: old.owner,
                                  attributes: Replacement.attributes(from: old, offset: offset, requested: common + own, now: context.now),
                                  tokenObject: old.tokenObject)
            o.attributes += [Replacement.link(partner.0, partner.1), Replacement.link(.replacedObjectLink, old.uid)]
            return o
        }
        var priv = half(oldPriv, privUID, privateOnly, partner: (.publicKeyLink, pubUID))
        var pub = half(oldPub, pubUID, publicOnly, partner: (.privateKeyLink, privUID))
        try await CreateKeyPairHandler.generate(&priv, &pub, kind, context)
        try await Replacement.retire(oldPriv, replacedBy: privUID, context)
        try await Replacement.retire(oldPub, replacedBy: pubUID, context)
        return KeyPairResponse(privateKey: privUID, publicKey: pubUID)
    }
}
