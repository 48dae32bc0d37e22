import Foundation
import KMIP
import X509

/// Re-certify (KMIP 2.1 §6.1.44): a new certificate for the same key (or a new request) from the same
/// issuer — or self-signed again when the existing one was — linked as replacement of the existing one.
struct ReCertifyHandler: OperationHandler {
    static let operation = Operation.reCertify

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let oldUID = try context.uid(in: payload)
        let old = try await context.fetch(oldUID)
        guard old.objectType == .certificate else { throw EngineError(.invalidObjectType, "Re-certify replaces certificates") }
        var requested: [Attribute]
        do { requested = try AttributeList.inRequest(payload) } catch { throw EngineError(error) }
        requested.removeAll { CertificateAttributes.isDerived($0.name) || $0.name == "Link" }
        try AttributeRules.validateClientAttributes(&requested)
        try Replacement.checkRequested(requested, replacing: old, context)
        let offset = try Replacement.offset(payload)

        let certify = CertifyHandler()
        var subject: CertifyHandler.Subject
        if payload.first(.certificateRequestValue) != nil || payload.first(.certificateRequest) != nil {
            subject = try await certify.subject(payload, [], context)
        } else {
            guard let pubUID = Issuer.linked(old, .publicKeyLink) else {
                throw EngineError(.invalidField, "certificate \(oldUID) has no Public Key Link: send a certificate request")
            }
            subject = try await certify.subject(.structure(.requestPayload, [TTLV(.uniqueIdentifier, .textString(pubUID))]), [], context)
        }
        let der = try await context.services.token.readValue(id: oldUID)
        if let existing = try? Certificate(derEncoded: der) { subject.name = existing.subject }

        var issuerLinks = [Attribute]()
        if let parent = Issuer.linked(old, .parentLink) {
            issuerLinks.append(Replacement.link(.parentLink, parent))
        } else if let ownKey = subject.privateKeyUID {
            issuerLinks.append(Replacement.link(.privateKeyLink, ownKey))  // it was self-signed: sign itself again
        }
        let copied = Replacement.attributes(from: old, offset: offset, requested: requested, now: context.now)
            .filter { !CertificateAttributes.isDerived($0.name) && !["Extractable", "Sensitive", "Key Format Type"].contains($0.name) }
        let uid = try await certify.issue(subject, issuerLinks: issuerLinks, attributes: copied,
                                          extraLinks: [Replacement.link(.replacedObjectLink, oldUID)], context)
        try await Replacement.retire(old, replacedBy: uid, context)
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }
}
