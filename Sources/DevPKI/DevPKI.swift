import Crypto
import _CryptoExtras
import Foundation
import HSMBackend
import KMIPEngine
import SwiftASN1
import X509

/// A development PKI whose CA key is generated in the token and signs through it (C_Sign): a server
/// certificate for 127.0.0.1/localhost (RSA, so the KMIP 1.x RSA key-exchange suites work) and a
/// client certificate. Leaf keys are files, as TLS stacks need them.
public struct DevPKI: Sendable {
    public static let caKeyID = "kmipd-dev-ca"
    let token: PKCS11Token
    let directory: String
    public init(token: PKCS11Token, directory: String) { self.token = token; self.directory = directory }

    public struct Result: Codable, Sendable {
        public var directory: String
        public var caCertificate: String
        public var serverCertificate: String
        public var serverKey: String
        public var clientCertificate: String
        public var clientKey: String
        public var caKeyInToken: String
    }

    /// Creates the CA (if its key is not in the token yet), a server and a client certificate.
    public func create(clientName: String = "kmip-dev-client") async throws -> Result {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let point = try await token.ensureP256SigningKey(id: Self.caKeyID, label: "kmipd development CA")
        let caPublic = Certificate.PublicKey(try P256.Signing.PublicKey(x963Representation: point))
        let caKey = Certificate.PrivateKey(TokenP256Key(token: token, id: Self.caKeyID, publicKey: caPublic))
        let caName = try DistinguishedName { CommonName("kmipd development CA"); OrganizationName("kmipd") }
        let now = Date()
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: caPublic, notValidBefore: now - 3600,
            notValidAfter: now + 10 * 365 * 86400, issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            }, issuerPrivateKey: caKey)

        let serverKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let server = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey), notValidBefore: now - 3600,
            notValidAfter: now + 825 * 86400, issuer: caName,
            subject: try DistinguishedName { CommonName("localhost"); OrganizationName("kmipd") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            }, issuerPrivateKey: caKey)

        let clientKey = P256.Signing.PrivateKey()
        let client = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(clientKey.publicKey), notValidBefore: now - 3600,
            notValidAfter: now + 825 * 86400, issuer: caName,
            subject: try DistinguishedName { CommonName(clientName); OrganizationName("kmipd") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            }, issuerPrivateKey: caKey)

        func write(_ name: String, _ text: String, private: Bool = false) throws -> String {
            let p = (directory as NSString).appendingPathComponent(name)
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            if `private` { chmod(p, 0o600) }
            return p
        }
        let caPath = try write("ca.crt", try ca.serializeAsPEM().pemString)
        _ = try write("server.crt", try server.serializeAsPEM().pemString + "\n" + (try ca.serializeAsPEM().pemString) + "\n")
        _ = try write("server.key", serverKey.pemRepresentation, private: true)
        let clientPath = try write("client.crt", try client.serializeAsPEM().pemString + "\n")
        let clientKeyPath = try write("client.key", clientKey.pemRepresentation, private: true)
        return Result(directory: directory, caCertificate: caPath, serverCertificate: directory + "/server.crt",
                      serverKey: directory + "/server.key", clientCertificate: clientPath, clientKey: clientKeyPath,
                      caKeyInToken: "CKA_ID=\(Self.caKeyID)")
    }
}

/// A P-256 private key that stays in the token: swift-certificates hands us the TBS bytes, we hash
/// them on the host, the token signs the digest, and raw r‖s becomes a DER ECDSA-Sig-Value.
struct TokenP256Key: CustomPrivateKey {
    let token: PKCS11Token
    let id: String
    let publicKey: Certificate.PublicKey
    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { .ecdsaWithSHA256 }
    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [.ecdsaWithSHA256] }

    func signSynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        guard signatureAlgorithm == .ecdsaWithSHA256 else { throw PKIError("the token CA signs with ECDSA-SHA256 only") }
        let digest = Array(SHA256.hash(data: Array(bytes)))
        let raw = try token.signDigestECDSASync(id: id, digest: digest)
        let der = try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation
        return try Certificate.Signature(signatureAlgorithm: .ecdsaWithSHA256, signatureBytes: ASN1BitString(bytes: ArraySlice(der)))
    }

    // Required by the protocol; the key never leaves the token, so there is nothing to serialise.
    func serialize(into coder: inout DER.Serializer) throws { throw PKIError("a token key cannot be exported") }
    init(token: PKCS11Token, id: String, publicKey: Certificate.PublicKey) { self.token = token; self.id = id; self.publicKey = publicKey }
    static var defaultPEMDiscriminator: String { "PRIVATE KEY" }
    static func == (a: Self, b: Self) -> Bool { a.id == b.id && a.publicKey == b.publicKey }
    func hash(into h: inout Hasher) { h.combine(id) }
}

struct PKIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
