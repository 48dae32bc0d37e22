import Foundation
import KMIP
import SwiftASN1
import X509

/// The X.509 content kmipd puts in a certificate it issues: Basic Constraints, Key Usage, Extended Key
/// Usage (serverAuth and clientAuth unless the request names others — a missing EKU is the most
/// common reason a KMIP client refuses a certificate), Subject Alternative Names, and key identifiers.
enum CertificateProfile {
    static func extensions(subjectKey: Certificate.PublicKey, algorithm: CryptographicAlgorithm, isCA: Bool,
                           requested: Certificate.Extensions?, alternativeNames: [GeneralName],
                           authorityKeyID: ArraySlice<UInt8>) throws -> Certificate.Extensions {
        let requestedEKU = try requested?.extendedKeyUsage
        let requestedSAN = try requested?.subjectAlternativeNames
        let sans = (requestedSAN.map(Array.init) ?? []) + alternativeNames
        return try Certificate.Extensions {
            if isCA {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            } else {
                Critical(BasicConstraints.notCertificateAuthority)
                if algorithm == .rsa {
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                } else if algorithm == .ed25519 {
                    Critical(KeyUsage(digitalSignature: true))
                } else {
                    Critical(KeyUsage(digitalSignature: true, keyAgreement: true))
                }
                try requestedEKU ?? ExtendedKeyUsage([.serverAuth, .clientAuth])
            }
            if !sans.isEmpty { SubjectAlternativeNames(sans) }
            SubjectKeyIdentifier(hash: subjectKey)
            AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
        }
    }

    /// A subject from the request's attributes: 2.x Certificate Subject CN/O/OU/C/ST/L fields, or the
    /// 1.x Certificate Subject's distinguished name text ("CN=…,O=…").
    static func subject(from attributes: [Attribute]) throws(EngineError) -> DistinguishedName? {
        let fields: [(Tag, ASN1ObjectIdentifier)] = [(.certificateSubjectC, .countryName), (.certificateSubjectST, .stateOrProvinceName),
                                                     (.certificateSubjectL, .localityName), (.certificateSubjectO, .organizationName),
                                                     (.certificateSubjectOU, .organizationalUnitName), (.certificateSubjectCN, .commonName)]
        var rdns = [RelativeDistinguishedName]()
        for (tag, oid) in fields {
            for a in attributes where a.name == tag.name {
                guard let v = a.value.text else { throw EngineError(.invalidField, "\(a.name) must be text") }
                rdns.append(RelativeDistinguishedName(.init(type: oid, utf8String: v)))
            }
        }
        if !rdns.isEmpty { return DistinguishedName(rdns) }
        if let dn = attributes.first(.certificateSubject)?.value.first(.certificateSubjectDistinguishedName)?.text {
            return try parse(dn)
        }
        return nil
    }

    /// "CN=a,O=b" (RFC 4514) to a distinguished name, most significant RDN first.
    static func parse(_ text: String) throws(EngineError) -> DistinguishedName {
        let known: [String: ASN1ObjectIdentifier] = ["CN": .commonName, "O": .organizationName, "OU": .organizationalUnitName,
                                                     "C": .countryName, "ST": .stateOrProvinceName, "L": .localityName]
        var rdns = [RelativeDistinguishedName]()
        for (type, value) in SubjectName.fields(of: text) {
            guard let oid = known[type.uppercased()] else {
                throw EngineError(.invalidField, "cannot read '\(type)=\(value)' in the subject (CN, O, OU, C, ST, L are understood)")
            }
            rdns.append(RelativeDistinguishedName(.init(type: oid, utf8String: value)))
        }
        // RFC 4514 writes the most specific RDN first; the DER order is the reverse.
        return DistinguishedName(rdns.reversed())
    }

    /// Alternative Name attributes (KMIP 2.1 §4.2) as X.509 general names.
    static func generalNames(_ attributes: [Attribute]) -> [GeneralName] {
        attributes.all(.alternativeName).compactMap { a in
            guard let value = a.value.first(.alternativeNameValue)?.text,
                  let type = a.value.first(.alternativeNameType)?.enumValue.map(AlternativeNameType.init(rawValue:)) else { return nil }
            switch type {
            case .dnsName: return .dnsName(value)
            case .emailAddress: return .rfc822Name(value)
            case .uri: return .uniformResourceIdentifier(value)
            case .ipAddress:
                let octets = value.split(separator: ".").compactMap { UInt8($0) }
                return octets.count == 4 ? .ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets))) : nil
            default: return nil
            }
        }
    }
}
