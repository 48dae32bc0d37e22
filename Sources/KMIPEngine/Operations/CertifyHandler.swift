import Foundation
import KMIP
import SwiftASN1
import X509

/// Certify (KMIP 2.1 §6.1.6; 1.4 §4.7): a certificate for a public key (by Unique Identifier) or a
/// PKCS#10 request, signed by an issuer whose private key never leaves the token (C_Sign). The issuer
/// is named by Link attributes in the request (Parent Link or Certificate Link: the issuer certificate;
/// Private Key Link: its key), or is the subject's own private key (self-signed CA), or the configured
/// default issuer.
struct CertifyHandler: OperationHandler {
    struct Subject {
        var publicKey: Certificate.PublicKey
        var algorithm: CryptographicAlgorithm
        var name: DistinguishedName
        var requested: Certificate.Extensions?
        var publicKeyUID: String?
        var privateKeyUID: String?
        var asymmetric: AsymmetricKey?
    }

    func handle(_ request: CertifyRequest, _ context: RequestContext) async throws(EngineError) -> IdentifierResponse {
        var attributes = request.attributes
        let subject = try await self.subject(request.certificateRequest, uid: request.uniqueIdentifier, attributes, context)
        let links = attributes.all(.link)
        attributes.removeAll { $0.tag == .link || CertificateAttributes.isDerived($0) }
        try AttributeRules.validateClientAttributes(&attributes)
        let uid = try await issue(subject, issuerLinks: links, attributes: attributes, context)
        return IdentifierResponse(uid)
    }

    /// Signs, stores and links a certificate for `subject`; shared with Re-certify.
    func issue(_ subject: Subject, issuerLinks links: [Attribute], attributes: [Attribute], extraLinks: [Attribute] = [],
               _ context: RequestContext) async throws(EngineError) -> String {
        let issuer = try await Issuer.resolve(links: links, subject: subject, context)
        let der = try await sign(subject, issuer, attributes, context)
        let parsed = try CertificateAttributes.parse(der)

        let uid = UUID().uuidString.lowercased()
        var object = ManagedObject(uid: uid, objectType: .certificate, owner: context.identity,
                                   attributes: attributes + parsed.attributes, tokenObject: .certificate)
        if let pk = subject.publicKeyUID { object.attributes.append(Self.link(.publicKeyLink, pk)) }
        if let parent = issuer.certificateUID { object.attributes.append(Self.link(.parentLink, parent)) }
        object.attributes += extraLinks
        ObjectFactory.applyServerAttributes(&object, context)
        object.attributes.remove(.extractable, .sensitive, .alwaysSensitive, .neverExtractable, .leaseTime)
        let label = ObjectFactory.label(object), subjectDER = parsed.subjectDER
        try await ObjectFactory.persist(object, context, generated: false) { token async throws(EngineError) in
            try await token.storeCertificate(id: uid, label: label, der: der, subjectDER: subjectDER)
        }
        // KMIP 2.1 §6.1.6: the public key links to its certificate.
        if let pk = subject.publicKeyUID, var key = try? await context.fetch(pk) {
            key.attributes.append(Self.link(.certificateLink, uid))
            try await context.saveChange(key)
        }
        return uid
    }

    static func link(_ type: LinkType, _ uid: String) -> Attribute { Replacement.link(type, uid) }

    /// The key being certified: from a PKCS#10 request (whose signature must verify) or a public key object.
    func subject(_ request: CertificateRequest?, uid named: String?, _ attributes: [Attribute],
                 _ context: RequestContext) async throws(EngineError) -> Subject {
        if let request {
            let bytes = request.value, type = request.type
            let csr: CertificateSigningRequest
            do {
                switch type {
                case .pkcs10: csr = try CertificateSigningRequest(derEncoded: bytes)
                case .pem: csr = try CertificateSigningRequest(pemEncoded: String(decoding: bytes, as: UTF8.self))
                default: throw EngineError(.featureNotSupported, "Certificate Request Type \(type) is not supported (PKCS#10 and PEM are)")
                }
            } catch let e as EngineError { throw e } catch { throw EngineError(.invalidCSR, "the certificate request cannot be read: \(error)") }
            guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
                throw EngineError(.invalidCSR, "the certificate request's signature does not verify")
            }
            let key: AsymmetricKey
            do { key = try KeyDER.publicKeyInfo(try KeyDER.der(csr.publicKey)) } catch {
                throw EngineError(.invalidCSR, "the request's public key is not RSA, DSA or a supported curve: \(error)")
            }
            let requested = try? csr.attributes.extensionRequest?.extensions
            return Subject(publicKey: csr.publicKey, algorithm: key.algorithm, name: csr.subject, requested: requested ?? nil,
                           publicKeyUID: nil, privateKeyUID: nil, asymmetric: key)
        }
        let uid = try context.uid(named)
        let object = try await context.fetch(uid)
        guard object.objectType == .publicKey else {
            throw EngineError(.invalidObjectType, "Certify needs a Public Key or a certificate request, not a \(object.objectType)")
        }
        let algorithm = object.cryptographicAlgorithm ?? CryptographicAlgorithm(rawValue: 0)
        let key = try await context.services.token.readAsymmetricKey(id: uid, algorithm: algorithm, isPrivate: false)
        var name = try CertificateProfile.subject(from: attributes)
        if name == nil, let cn = object.name {
            name = DistinguishedName([RelativeDistinguishedName(.init(type: .commonName, utf8String: cn))])
        }
        guard let name else { throw EngineError(.invalidField, "no subject: give Certificate Subject attributes or a Name") }
        let privateUID = object.linked(.privateKeyLink).first
        return Subject(publicKey: try TokenSigningKey.certificatePublicKey(key), algorithm: key.algorithm, name: name, requested: nil,
                       publicKeyUID: uid, privateKeyUID: privateUID, asymmetric: key)
    }

    func sign(_ subject: Subject, _ issuer: Issuer, _ attributes: [Attribute], _ context: RequestContext) async throws(EngineError) -> [UInt8] {
        let now = Date(timeIntervalSince1970: TimeInterval(context.now))
        let days = context.services.defaults.certificateValidityDays * (issuer.selfSigned ? 10 : 1)
        var notAfter = now.addingTimeInterval(TimeInterval(days) * 86400)
        if let limit = issuer.notAfter, limit < notAfter { notAfter = limit }
        do {
            var serial = try await context.services.token.random(count: 16)
            serial[0] = (serial[0] & 0x7F) | 0x01  // positive and of full length
            let extensions = try CertificateProfile.extensions(
                subjectKey: subject.publicKey, algorithm: subject.algorithm, isCA: issuer.selfSigned, requested: subject.requested,
                alternativeNames: CertificateProfile.generalNames(attributes),
                authorityKeyID: issuer.keyIdentifier ?? SubjectKeyIdentifier(hash: subject.publicKey).keyIdentifier)
            let certificate = try await Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial), publicKey: subject.publicKey,
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: notAfter,
                issuer: issuer.selfSigned ? subject.name : issuer.name, subject: subject.name,
                signatureAlgorithm: issuer.signer.defaultSignatureAlgorithm, extensions: extensions,
                issuerAsyncPrivateKey: Certificate.PrivateKey(issuer.signer))
            return try KeyDER.der(certificate)
        } catch { throw EngineError.from(error) }
    }
}
