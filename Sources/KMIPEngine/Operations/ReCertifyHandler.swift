import Foundation
import KMIP
import X509

/// Re-certify (KMIP 2.1 §6.1.45): a new certificate for the same key (or a new request) from the same
/// issuer — or self-signed again when the existing one was — linked as replacement of the existing one.
struct ReCertifyHandler: OperationHandler {
    func handle(_ request: ReCertifyRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        let oldUID = try context.uid(request.uniqueIdentifier)
        let old = try await context.fetch(oldUID)
        guard old.objectType == .certificate else { throw EngineError(.invalidObjectType, "Re-certify replaces certificates") }
        var requested = request.attributes
        requested.removeAll { CertificateAttributes.isDerived($0) || $0.tag == .link }
        try AttributeRules.validateClientAttributes(&requested)
        try Replacement.checkRequested(requested, replacing: old, context)
        let offset = request.offset

        let certify = CertifyHandler()
        var subject: CertifyHandler.Subject
        if let csr = request.certificateRequest {
            subject = try await certify.subject(csr, uid: nil, [], context)
        } else {
            guard let pubUID = Issuer.linked(old, .publicKeyLink) else {
                throw EngineError(.invalidField, "certificate \(oldUID) has no Public Key Link: send a certificate request")
            }
            subject = try await certify.subject(nil, uid: pubUID, [], context)
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
            .filter { !CertificateAttributes.isDerived($0) && ![Tag.extractable, .sensitive, .keyFormatType].contains($0.tag) }
        let uid = try await certify.issue(subject, issuerLinks: issuerLinks, attributes: copied,
                                          extraLinks: [Replacement.link(.replacedObjectLink, oldUID)], context)
        try await Replacement.retire(old, replacedBy: uid, context)
        return IdentifierResponse(uid)
    }
}
