import KMIP
import SwiftASN1
import X509

/// Attributes a server derives from an X.509 certificate it registers (KMIP 2.1 §4.7, §4.8, §4.22, §4.61–4.63
/// and the 1.x X.509 Certificate Identifier/Subject/Issuer): type, length, subject and issuer fields,
/// serial number, signature algorithm.
enum CertificateAttributes {
    /// Attributes the server derives from the certificate value (a client cannot set or copy them).
    static let derived: Set<Attribute.Key> = Set(([
        .certificateType, .certificateLength, .certificateIdentifier, .certificateSubject, .certificateIssuer,
        .certificateSerialNumber, .x509CertificateIdentifier, .x509CertificateSubject, .x509CertificateIssuer,
        .digitalSignatureAlgorithm,
        // KMIP 1.4 Certificate Attributes fields (§3.49), each its own attribute there.
        .certificateSubjectCN, .certificateSubjectO, .certificateSubjectOU, .certificateSubjectEmail, .certificateSubjectC,
        .certificateSubjectST, .certificateSubjectL, .certificateSubjectUID, .certificateSubjectSerialNumber, .certificateSubjectTitle,
        .certificateSubjectDC, .certificateSubjectDNQualifier,
        .certificateIssuerCN, .certificateIssuerO, .certificateIssuerOU, .certificateIssuerEmail, .certificateIssuerC,
        .certificateIssuerST, .certificateIssuerL, .certificateIssuerUID, .certificateIssuerSerialNumber, .certificateIssuerTitle,
        .certificateIssuerDC, .certificateIssuerDNQualifier,
    ] as [Tag]).map { Attribute.Key.tag($0) })

    /// The 1.4 Certificate Attributes fields (KMIP 1.4 §3.49) from the distinguished names.
    static let subjectFields: [(ASN1ObjectIdentifier, Tag)] = [
        (.commonName, .certificateSubjectCN), (.organizationName, .certificateSubjectO), (.organizationalUnitName, .certificateSubjectOU),
        (.countryName, .certificateSubjectC), (.stateOrProvinceName, .certificateSubjectST), (.localityName, .certificateSubjectL),
    ]
    static let issuerFields: [(ASN1ObjectIdentifier, Tag)] = [
        (.commonName, .certificateIssuerCN), (.organizationName, .certificateIssuerO), (.organizationalUnitName, .certificateIssuerOU),
        (.countryName, .certificateIssuerC), (.stateOrProvinceName, .certificateIssuerST), (.localityName, .certificateIssuerL),
    ]
    static func isDerived(_ a: Attribute) -> Bool { derived.contains(a.key) }

    struct Parsed {
        var attributes: [Attribute]
        var subjectDER: [UInt8]
    }

    static func parse(_ der: [UInt8]) throws(EngineError) -> Parsed {
        let cert: Certificate
        do { cert = try Certificate(derEncoded: der) } catch {
            // Stored all the same when its outline can be read; only what needs the rest is missing.
            guard let outline = try? CertificateOutline.read(der) else {
                throw EngineError(.invalidField, "Certificate Value is not a DER X.509 certificate: \(error)")
            }
            return Parsed(attributes: common(der, serial: outline.serialNumber, issuerDER: outline.issuerDER, subjectDER: outline.subjectDER),
                          subjectDER: outline.subjectDER)
        }
        let subjectDER: [UInt8], issuerDER: [UInt8]
        do { subjectDER = try KeyDER.der(cert.subject); issuerDER = try KeyDER.der(cert.issuer) } catch {
            throw EngineError(.invalidField, "certificate names: \(error)")
        }
        var out = common(der, serial: Array(cert.serialNumber.bytes), issuerDER: issuerDER, subjectDER: subjectDER)
        out += fields(cert.subject, subjectFields)
        out += fields(cert.issuer, issuerFields)
        if let alg = signatureAlgorithm(cert.signatureAlgorithm) {
            out.append(Attribute(.digitalSignatureAlgorithm, .enumeration(alg.rawValue)))
        }
        return Parsed(attributes: out, subjectDER: subjectDER)
    }

    /// Type, length, serial number and the X.509 identifiers (KMIP 1.4 §3.13–3.15; 2.1 keeps them).
    static func common(_ der: [UInt8], serial: [UInt8], issuerDER: [UInt8], subjectDER: [UInt8]) -> [Attribute] {
        [Attribute(.certificateType, .enumeration(CertificateType.x509.rawValue)),
         Attribute(.certificateLength, .integer(Int32(clamping: der.count))),
         Attribute(.certificateSerialNumber, .byteString(serial)),
         Attribute(.x509CertificateIdentifier, .structure([
            TTLV(.issuerDistinguishedName, .byteString(issuerDER)), TTLV(.certificateSerialNumber, .byteString(serial))])),
         Attribute(.x509CertificateSubject, .structure([TTLV(.subjectDistinguishedName, .byteString(subjectDER))])),
         Attribute(.x509CertificateIssuer, .structure([TTLV(.issuerDistinguishedName, .byteString(issuerDER))]))]
    }

    static func fields(_ name: DistinguishedName, _ map: [(ASN1ObjectIdentifier, Tag)]) -> [Attribute] {
        var out = [Attribute]()
        for (oid, tag) in map {
            for rdn in name {
                for a in rdn where a.type == oid {
                    out.append(Attribute(tag, .textString(a.value.description)))
                }
            }
        }
        return out
    }

    static func signatureAlgorithm(_ a: Certificate.SignatureAlgorithm) -> DigitalSignatureAlgorithm? {
        switch a {
        case .sha1WithRSAEncryption: .sha1WithRSAEncryption
        case .sha256WithRSAEncryption: .sha256WithRSAEncryption
        case .sha384WithRSAEncryption: .sha384WithRSAEncryption
        case .sha512WithRSAEncryption: .sha512WithRSAEncryption
        case .ecdsaWithSHA256: .ecdsaWithSHA256
        case .ecdsaWithSHA384: .ecdsaWithSHA384
        case .ecdsaWithSHA512: .ecdsaWithSHA512
        default: nil  // Ed25519 has no Digital Signature Algorithm value in KMIP 2.1
        }
    }
}

extension ASN1ObjectIdentifier {
    static let commonName: ASN1ObjectIdentifier = [2, 5, 4, 3]
    static let countryName: ASN1ObjectIdentifier = [2, 5, 4, 6]
    static let localityName: ASN1ObjectIdentifier = [2, 5, 4, 7]
    static let stateOrProvinceName: ASN1ObjectIdentifier = [2, 5, 4, 8]
    static let organizationName: ASN1ObjectIdentifier = [2, 5, 4, 10]
    static let organizationalUnitName: ASN1ObjectIdentifier = [2, 5, 4, 11]
}
