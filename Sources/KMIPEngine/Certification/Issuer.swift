import Foundation
import KMIP
import SwiftASN1
import X509

/// Who signs a certificate Certify issues, and the checks that it may: its key is a private key in
/// the token, neither revoked, compromised nor destroyed, and its certificate has not expired.
struct Issuer {
    var signer: TokenSigningKey
    var name: DistinguishedName
    var certificateUID: String?
    var keyIdentifier: ArraySlice<UInt8>?
    var notAfter: Date?
    var selfSigned: Bool

    static func linked(_ links: [Attribute], _ types: [LinkType]) -> String? {
        for t in types {
            if let l = links.first(where: { $0.value.first(.linkType)?.enumValue == t.rawValue }) {
                return l.value.first(.linkedObjectIdentifier)?.text
            }
        }
        return nil
    }

    static func linked(_ object: ManagedObject, _ type: LinkType) -> String? { object.linked(type).first }

    static func resolve(links: [Attribute], subject: CertifyHandler.Subject, _ context: RequestContext) async throws(EngineError) -> Issuer {
        let certificateUID = linked(links, [.parentLink, .certificateLink]) ?? (linked(links, [.privateKeyLink]) == nil
            ? context.services.defaults.defaultIssuerCertificate : nil)
        var privateKeyUID = linked(links, [.privateKeyLink])

        // Self-signed: the request names the subject's own private key and no issuer certificate.
        if certificateUID == nil, let key = privateKeyUID {
            guard key == subject.privateKeyUID, let publicHalf = subject.asymmetric else {
                throw EngineError(.invalidField, "the issuer key \(key) is not the subject's own key: name the issuer certificate with a Parent Link")
            }
            try await checkKey(key, context, selfSigned: true)
            return Issuer(signer: try TokenSigningKey(token: context.services.token, id: key, publicHalf: publicHalf),
                          name: subject.name, certificateUID: nil, keyIdentifier: nil, notAfter: nil, selfSigned: true)
        }
        guard let certificateUID else {
            throw EngineError(.invalidField, "no issuer: name one with Parent Link (its certificate) or the subject's Private Key Link (self-signed), or configure a default issuer")
        }
        let certObject = try await context.fetch(certificateUID)
        guard certObject.objectType == .certificate else {
            throw EngineError(.invalidObjectType, "issuer \(certificateUID) is a \(certObject.objectType), not a certificate")
        }
        guard Lifecycle.effectiveState(certObject, now: context.now) == .active else {
            throw EngineError(.wrongKeyLifecycleState, "issuer certificate \(certificateUID) is \(Lifecycle.effectiveState(certObject, now: context.now)), not Active")
        }
        let der = try await context.services.token.readValue(id: certificateUID)
        let certificate: Certificate
        do { certificate = try Certificate(derEncoded: der) } catch { throw EngineError(.generalFailure, "issuer certificate unreadable: \(error)") }
        let now = Date(timeIntervalSince1970: TimeInterval(context.now))
        guard certificate.notValidAfter > now else {
            throw EngineError(.wrongKeyLifecycleState, "issuer certificate \(certificateUID) expired at \(certificate.notValidAfter)")
        }
        if privateKeyUID == nil, let publicKeyUID = linked(certObject, .publicKeyLink) {
            privateKeyUID = linked(try await context.fetch(publicKeyUID), .privateKeyLink)
        }
        guard let privateKeyUID else {
            throw EngineError(.invalidField, "issuer certificate \(certificateUID) has no private key in the token (no Public Key Link to a key pair; name it with a Private Key Link)")
        }
        try await checkKey(privateKeyUID, context)
        let publicHalf: AsymmetricKey
        do { publicHalf = try KeyDER.publicKeyInfo(try KeyDER.der(certificate.publicKey)) } catch {
            throw EngineError(.featureNotSupported, "the issuer's key type is not supported: \(error)")
        }
        return Issuer(signer: try TokenSigningKey(token: context.services.token, id: privateKeyUID, publicHalf: publicHalf),
                      name: certificate.subject, certificateUID: certificateUID,
                      keyIdentifier: (try? certificate.extensions.subjectKeyIdentifier)??.keyIdentifier
                          ?? SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier,
                      notAfter: certificate.notValidAfter, selfSigned: false)
    }

    /// The issuer key signs certificates: it must be a private key in the token whose usage mask allows
    /// Sign (or Certificate Sign) and that may protect now (Active, before its Protect Stop Date). A
    /// key certifying itself (a new CA) may also be Pre-Active: its certificate comes before its use.
    static func checkKey(_ uid: String, _ context: RequestContext, selfSigned: Bool = false) async throws(EngineError) {
        let key = try await context.fetch(uid)
        guard key.objectType == .privateKey, key.tokenObject != nil else {
            throw EngineError(.invalidObjectType, "issuer key \(uid) is not a private key held in the token")
        }
        let state = Lifecycle.effectiveState(key, now: context.now)
        let stopped = key.date(.protectStopDate).map { $0 <= context.now } ?? false
        guard !stopped, state == .active || (selfSigned && state == .preActive) else {
            throw EngineError(.wrongKeyLifecycleState, "issuer key \(uid) is \(state)\(stopped ? " and past its Protect Stop Date" : ""): it may not sign")
        }
        let signing = CryptographicUsageMaskBits.sign.rawValue | CryptographicUsageMask.certificateSign.rawValue
        guard key.usageMask & signing != 0 else {
            throw EngineError(.incompatibleUsageMask, "issuer key \(uid) may not sign (Cryptographic Usage Mask)")
        }
    }
}
