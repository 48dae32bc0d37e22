import ArgumentParser
import Foundation
import KMIP
import KMIPClient

struct CreateKeyPair: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-key-pair", abstract: "Create an RSA or EC key pair in the server's token.",
        discussion: """
            --name NAME names the public key NAME and the private key NAME-private. --usage is the private \
            key's usage mask (default Sign), --public-usage the public key's (default Verify); the other \
            attributes go to both keys. The private key stays in the token unless --extractable.

            Examples:
              kmip create-key-pair --algorithm EC --length 384 --name "Ops CA" --group pki
              kmip create-key-pair --length 3072 --usage Decrypt --public-usage Encrypt
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "RSA or EC.") var algorithm = "RSA"
    @Option(help: "RSA: 2048, 3072, 4096; EC: 256, 384, 521.") var length: Int32 = 2048
    @Option(help: "The public key's usage mask (default Verify).") var publicUsage: String?
    @OptionGroup var attributes: AttributeOptions
    func run() async throws {
        guard let alg = CryptographicAlgorithm(named: algorithm) else { throw ValidationError("unknown algorithm \(algorithm)") }
        guard attributes.name.count <= 1 else { throw ValidationError("give one --name: the private key gets NAME-private") }
        var common = attributes
        common.name = []; common.usage = nil; common.extractability = nil
        let shared = [Attribute(.cryptographicAlgorithm, .enumeration(alg.rawValue)), Attribute(.cryptographicLength, .integer(length))]
            + (try common.attributes())
        func mask(_ text: String) throws -> Attribute { Attribute(.cryptographicUsageMask, .integer(Int32(bitPattern: try usageMask(text)))) }
        var priv = [try mask(attributes.usage ?? "Sign")], pub = [try mask(publicUsage ?? "Verify")]
        if let name = attributes.name.first { pub.append(KMIPClient.name(name)); priv.append(KMIPClient.name(name + "-private")) }
        if let e = attributes.extractability { priv.append(Attribute(.extractable, .boolean(e == .extractable))) }
        try await perform(connection, .createKeyPair) { c in
            try await c.send(CreateKeyPairRequest(attributes: KeyPairAttributes(common: shared, privateKey: priv, publicKey: pub)))
        }
    }
}

struct Certify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Have the server issue a certificate, signed with an issuer key held in its token.",
        discussion: """
            Examples:
              kmip certify CA-PUB-UID --self-signed-with CA-PRIV-UID --subject "CN=Ops CA"
              kmip certify --csr host.csr --issuer CA-CERT-UID --san dns:host.example
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier of the public key to certify (omit with --csr).") var publicKey: String?
    @Option(help: "A PKCS#10 request file (PEM or DER) to certify instead of a public key.") var csr: String?
    @Option(help: "Unique Identifier of the issuer certificate.") var issuer: String?
    @Option(help: "Self-sign with this private key (the subject's own): makes a CA certificate.") var selfSignedWith: String?
    @Option(help: "Subject, e.g. \"CN=host,O=Example\" (default: the key's Name).") var subject: String?
    @Option(help: "Subject alternative names: dns:NAME, ip:ADDRESS, email:ADDRESS (repeatable).") var san: [String] = []
    @OptionGroup var attributes: AttributeOptions
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
        attrs += try attributes.attributes()
        var payload = [TTLV]()
        if let publicKey { payload.append(TTLV(.uniqueIdentifier, .textString(publicKey))) }
        if let csr { payload += try certificateRequest(csr) }
        // KMIP 2.x names the subject and issuer as this command does (Certificate Subject, Links).
        try await perform(connection, .certify, preferring: .v2_1) { c in
            try await c.call(.certify, payload + c.attributeItems(attrs))
        }
    }

    static func link(_ type: LinkType, _ uid: String) -> Attribute {
        Attribute(.link, .structure([TTLV(.linkType, .enumeration(type.rawValue)), TTLV(.linkedObjectIdentifier, .textString(uid))]))
    }
}
