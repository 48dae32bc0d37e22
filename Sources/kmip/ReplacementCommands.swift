import ArgumentParser
import Foundation
import KMIP
import KMIPClient
import OperatorErrors

/// Re-key (KMIP 2.1 §6.1.46; 1.4 §4.4): a replacement key made in the token, linked to the old one.
struct ReKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "re-key", abstract: "Rotate a symmetric key: a new key replaces it (linked both ways), the old one stays for decryption.",
        discussion: """
            The replacement copies the old key's attributes and takes over its Names. With --offset its \
            Activation Date is now plus the offset and its other dates move with it; without, it keeps the \
            old key's dates. Attributes given here override the copied ones.

            Examples:
              kmip re-key UID
              kmip re-key UID --offset 7d --name db-master-2027
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier of the key to replace.") var uid: String
    @Option(help: "Time from now to the replacement's Activation Date: seconds, or 90s, 15m, 12h, 30d.") var offset: String?
    @OptionGroup var attributes: AttributeOptions
    func run() async throws {
        let offsetItem = try offset.map { try typed($0, .offset) }
        let attrs = try attributes.attributes()
        try await perform(connection, .reKey) { c in
            var payload = [TTLV(.uniqueIdentifier, .textString(uid))]
            if let offsetItem { payload.append(offsetItem) }
            if !attrs.isEmpty { payload += c.attributeItems(attrs) }
            return try await c.call(.reKey, payload)
        }
    }
}

/// Re-key Key Pair (KMIP 2.1 §6.1.47; 1.4 §4.5).
struct ReKeyKeyPair: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "re-key-key-pair", abstract: "Rotate a key pair: a new pair in the token replaces the one of this private key.",
        discussion: """
            Examples:
              kmip re-key-key-pair PRIVATE-KEY-UID --offset 1d
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier of the private key to replace.") var privateKey: String
    @Option(help: "Time from now to the new pair's Activation Date (as for re-key).") var offset: String?
    @OptionGroup var attributes: AttributeOptions
    func run() async throws {
        let offsetItem = try offset.map { try typed($0, .offset) }
        let attrs = try attributes.attributes()
        try await perform(connection, .reKeyKeyPair) { c in
            var payload = [TTLV(.privateKeyUniqueIdentifier, .textString(privateKey))]
            if let offsetItem { payload.append(offsetItem) }
            if !attrs.isEmpty { payload.append(c.attributeList(attrs, tag: c.version.isV2 ? .commonAttributes : .commonTemplateAttribute)) }
            return try await c.call(.reKeyKeyPair, payload)
        }
    }
}

/// Re-certify (KMIP 2.1 §6.1.45; 1.4 §4.8): a new certificate for the same key (or a new request).
struct ReCertify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "re-certify", abstract: "Renew a certificate the server issued: a new one replaces it, linked both ways.",
        discussion: """
            Examples:
              kmip re-certify CERT-UID
              kmip re-certify CERT-UID --csr renewed.csr --offset 1d
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier of the certificate to replace.") var uid: String
    @Option(help: "A PKCS#10 request file (PEM or DER) for the new certificate.") var csr: String?
    @Option(help: "Time from now to the new certificate's Activation Date.") var offset: String?
    @OptionGroup var attributes: AttributeOptions
    func run() async throws {
        let offsetItem = try offset.map { try typed($0, .offset) }
        let attrs = try attributes.attributes()
        let request = try csr.map(certificateRequest)
        try await perform(connection, .reCertify, preferring: .v2_1) { c in
            var payload = [TTLV(.uniqueIdentifier, .textString(uid))] + (request ?? [])
            if let offsetItem { payload.append(offsetItem) }
            if !attrs.isEmpty { payload += c.attributeItems(attrs) }
            return try await c.call(.reCertify, payload)
        }
    }
}

/// A PKCS#10 request file as Certificate Request Type and Value (KMIP 2.1 §6.1.6).
func certificateRequest(_ path: String) throws -> [TTLV] {
    let bytes: [UInt8]
    do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch { throw CommandFailure("reading \(path)", error) }
    let isPEM = bytes.starts(with: Array("-----".utf8))
    return [TTLV(.certificateRequestType, .enumeration((isPEM ? CertificateRequestType.pem : .pkcs10).rawValue)),
            TTLV(.certificateRequestValue, .byteString(bytes))]
}
