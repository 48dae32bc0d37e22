import SwiftASN1

/// The few fields of an X.509 certificate (RFC 5280 §4.1 TBSCertificate) kmipd reads from one that
/// swift-certificates cannot parse whole (an unusual extension, a non-canonical encoding): the serial
/// number and the issuer and subject names as their own DER bytes. The certificate is still stored and
/// returned byte for byte; attributes that need the rest of it are left out.
enum CertificateOutline {
    struct Outline {
        var serialNumber: [UInt8]
        var issuerDER: [UInt8]
        var subjectDER: [UInt8]
    }

    struct Unreadable: Error {}

    static func read(_ der: [UInt8]) throws -> Outline {
        let certificate = try DER.parse(der)
        guard certificate.identifier == .sequence, case .constructed(let top) = certificate.content,
              let tbs = top.first(where: { _ in true }), tbs.identifier == .sequence, case .constructed(let fields) = tbs.content else {
            throw Unreadable()
        }
        var f = fields.makeIterator()
        var node = f.next()
        // [0] EXPLICIT version, absent for v1 certificates.
        if let n = node, n.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) { node = f.next() }
        guard let serial = node, serial.identifier == .integer, case .primitive(let serialBytes) = serial.content else { throw Unreadable() }
        guard let signature = f.next(), signature.identifier == .sequence,
              let issuer = f.next(), issuer.identifier == .sequence,
              let validity = f.next(), validity.identifier == .sequence,
              let subject = f.next(), subject.identifier == .sequence else { throw Unreadable() }
        return Outline(serialNumber: Array(serialBytes), issuerDER: Array(issuer.encodedBytes), subjectDER: Array(subject.encodedBytes))
    }
}
