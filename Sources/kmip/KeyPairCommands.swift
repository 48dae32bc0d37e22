import ArgumentParser
import Foundation
import KMIP
import KMIPClient

struct CreateKeyPair: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-key-pair",
                                                    abstract: "Create an RSA or EC key pair in the server's token.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "RSA or EC.") var algorithm = "RSA"
    @Option(help: "RSA: 2048, 3072, 4096; EC: 256, 384, 521.") var length: Int32 = 2048
    @Option(help: "Name for the public key (the private key gets NAME-private).") var name: String?
    @Flag(help: "Let the private key leave the token (it does not by default).") var extractable = false
    func run() async throws {
        guard let alg = CryptographicAlgorithm(named: algorithm) else { throw ValidationError("unknown algorithm \(algorithm)") }
        try await perform(connection) { c in
            var priv: [Attribute] = [Attribute(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMask.sign.rawValue)))]
            var pub: [Attribute] = [Attribute(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMask.verify.rawValue)))]
            if let name { pub.append(KMIPClient.name(name)); priv.append(KMIPClient.name(name + "-private")) }
            if extractable { priv.append(Attribute(.extractable, .boolean(true))) }
            let common = [Attribute(.cryptographicAlgorithm, .enumeration(alg.rawValue)), Attribute(.cryptographicLength, .integer(length))]
            let v2 = c.version.isV2
            return try await c.call(.createKeyPair, [
                c.attributeList(common, tag: v2 ? .commonAttributes : .commonTemplateAttribute),
                c.attributeList(priv, tag: v2 ? .privateKeyAttributes : .privateKeyTemplateAttribute),
                c.attributeList(pub, tag: v2 ? .publicKeyAttributes : .publicKeyTemplateAttribute),
            ])
        }
    }
}

struct Certify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Have the server issue a certificate, signed with an issuer key held in its token.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier of the public key to certify (omit with --csr).") var publicKey: String?
    @Option(help: "A PKCS#10 request file (PEM or DER) to certify instead of a public key.") var csr: String?
    @Option(help: "Unique Identifier of the issuer certificate.") var issuer: String?
    @Option(help: "Self-sign with this private key (the subject's own): makes a CA certificate.") var selfSignedWith: String?
    @Option(help: "Subject, e.g. \"CN=host,O=Example\" (default: the key's Name).") var subject: String?
    @Option(help: "Subject alternative names: dns:NAME, ip:ADDRESS, email:ADDRESS (repeatable).") var san: [String] = []
    func run() async throws {
        guard (publicKey == nil) != (csr == nil) else { throw ValidationError("give a public key UID or --csr, not both") }
        var attrs = [Attribute]()
        if let issuer { attrs.append(Self.link(.parentLink, issuer)) }
        if let selfSignedWith { attrs.append(Self.link(.privateKeyLink, selfSignedWith)) }
        if let subject {
            attrs.append(Attribute(.certificateSubject, .structure([
                TTLV(.certificateSubjectDistinguishedName, .textString(subject))])))
        }
        for s in san {
            let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
            let types: [String: AlternativeNameType] = ["dns": .dnsName, "ip": .ipAddress, "email": .emailAddress, "uri": .uri]
            guard parts.count == 2, let t = types[parts[0].lowercased()] else { throw ValidationError("--san takes dns:, ip:, email: or uri:") }
            attrs.append(Attribute(.alternativeName, .structure([
                TTLV(.alternativeNameValue, .textString(parts[1])), TTLV(.alternativeNameType, .enumeration(t.rawValue))])))
        }
        var payload = [TTLV]()
        if let publicKey { payload.append(TTLV(.uniqueIdentifier, .textString(publicKey))) }
        if let csr {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: csr)))
            let isPEM = bytes.starts(with: Array("-----".utf8))
            payload.append(TTLV(.certificateRequestType, .enumeration((isPEM ? CertificateRequestType.pem : .pkcs10).rawValue)))
            payload.append(TTLV(.certificateRequestValue, .byteString(bytes)))
        }
        try await perform(connection) { c in
            try await c.call(.certify, payload + c.attributeItems(attrs))
        }
    }

    static func link(_ type: LinkType, _ uid: String) -> Attribute {
        Attribute(.link, .structure([TTLV(.linkType, .enumeration(type.rawValue)), TTLV(.linkedObjectIdentifier, .textString(uid))]))
    }
}
