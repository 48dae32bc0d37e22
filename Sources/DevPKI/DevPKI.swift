import Crypto
import _CryptoExtras
import Foundation
import KMIP
import KMIPEngine
import SwiftASN1
import X509

/// The development PKI, made with the server's own operations: the CA is a key pair generated in the
/// token (Create Key Pair) with a self-signed certificate (Certify, signed by C_Sign); the server
/// certificate (RSA, for 127.0.0.1/localhost, so the KMIP 1.x RSA key-exchange suites work) and a
/// client certificate are issued by Certify from requests whose keys are files, as TLS stacks need.
public struct DevPKI: Sendable {
    /// The identity that owns the CA objects (admins see them; clients do not).
    public static let owner = "kmipd-dev-pki"
    public static let caName = "kmipd development CA"
    let executor: BatchExecutor
    let directory: String

    public init(executor: BatchExecutor, directory: String) { self.executor = executor; self.directory = directory }

    public struct Result: Codable, Sendable {
        public var directory: String
        public var caCertificate: String
        public var serverCertificate: String
        public var serverKey: String
        public var clientCertificate: String
        public var clientKey: String
        /// Unique Identifiers of the CA's certificate and private key (the key never leaves the token).
        public var caCertificateUID: String
        public var caPrivateKeyUID: String
    }

    /// - Parameter serverKeyInToken: make the server's TLS key in the token (Create Key Pair, RSA 2048,
    ///   never extractable); `Result.serverKey` is then `token:<private key UID>` instead of a file.
    public func create(clientName: String = "kmip-dev-client", serverKeyInToken: Bool = false) async throws -> Result {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let existing = try await existingCA()
        let ca: (String, String)
        if let existing { ca = existing } else { ca = try await makeCA() }
        let (caCertUID, caKeyUID) = ca

        let serverUID: String, serverKeyRef: String
        if serverKeyInToken {
            (serverUID, serverKeyRef) = try await serverInToken(issuer: caCertUID)
        } else {
            let serverKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            serverUID = try await certify(
                subject: try DistinguishedName { OrganizationName("kmipd"); CommonName("localhost") },
                key: Certificate.PrivateKey(serverKey), algorithm: .sha256WithRSAEncryption, issuer: caCertUID,
                extensions: try Certificate.Extensions {
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
                })
            serverKeyRef = try write("server.key", serverKey.pemRepresentation, private: true)
        }
        let clientKey = P256.Signing.PrivateKey()
        let clientUID = try await certify(
            subject: try DistinguishedName { OrganizationName("kmipd"); CommonName(clientName) },
            key: Certificate.PrivateKey(clientKey), algorithm: .ecdsaWithSHA256, issuer: caCertUID,
            extensions: try Certificate.Extensions { try ExtendedKeyUsage([.clientAuth]) })

        let caPEM = try await pem(caCertUID)
        let caPath = try write("ca.crt", caPEM)
        let serverPath = try write("server.crt", try await pem(serverUID) + caPEM)
        let clientPath = try write("client.crt", try await pem(clientUID))
        let clientKeyPath = try write("client.key", clientKey.pemRepresentation, private: true)
        return Result(directory: directory, caCertificate: caPath, serverCertificate: serverPath, serverKey: serverKeyRef,
                      clientCertificate: clientPath, clientKey: clientKeyPath, caCertificateUID: caCertUID, caPrivateKeyUID: caKeyUID)
    }

    /// A server key pair made in the token (the private half never extractable) and its certificate,
    /// issued by the CA through Certify with the public key's identifier.
    func serverInToken(issuer: String) async throws -> (certificate: String, keyRef: String) {
        let pair = try await call(.createKeyPair, [
            .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.rsa.rawValue)),
                                           TTLV(.cryptographicLength, .integer(2048))]),
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMask.sign.rawValue))),
                                               TTLV(.extractable, .boolean(false)), name("kmipd TLS server key")]),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMask.verify.rawValue))),
                                              name("kmipd TLS server public key")]),
        ])
        guard let priv = pair.first(.privateKeyUniqueIdentifier)?.text, let pub = pair.first(.publicKeyUniqueIdentifier)?.text else {
            throw PKIError("Create Key Pair returned no identifiers")
        }
        let cert = try await call(.certify, [TTLV(.uniqueIdentifier, .textString(pub)), .structure(.attributes, [
            linkTTLV(.parentLink, issuer),
            .structure(.certificateSubject, [TTLV(.certificateSubjectDistinguishedName, .textString("CN=localhost,O=kmipd"))]),
            .structure(.alternativeName, [TTLV(.alternativeNameValue, .textString("localhost")),
                                          TTLV(.alternativeNameType, .enumeration(AlternativeNameType.dnsName.rawValue))]),
            .structure(.alternativeName, [TTLV(.alternativeNameValue, .textString("127.0.0.1")),
                                          TTLV(.alternativeNameType, .enumeration(AlternativeNameType.ipAddress.rawValue))]),
        ])])
        guard let certUID = cert.first(.uniqueIdentifier)?.text else { throw PKIError("Certify returned no identifier") }
        for uid in [priv, pub, certUID] { _ = try await call(.activate, [TTLV(.uniqueIdentifier, .textString(uid))]) }
        return (certUID, "token:" + priv)
    }

    /// The CA made by an earlier run: its certificate by Name, its key through the links.
    func existingCA() async throws -> (String, String)? {
        let found = try await call(.locate, [.structure(.attributes, [TTLV(.objectType, .enumeration(ObjectType.certificate.rawValue)),
                                                                      name(Self.caName)])])
        guard let cert = found.first(.uniqueIdentifier)?.text else { return nil }
        let attrs = try await call(.getAttributes, [TTLV(.uniqueIdentifier, .textString(cert))])
        guard let pub = link(attrs, .publicKeyLink) else { return nil }
        guard let priv = link(try await call(.getAttributes, [TTLV(.uniqueIdentifier, .textString(pub))]), .privateKeyLink) else { return nil }
        return (cert, priv)
    }

    /// The CA key is EC P-256 where the token generates EC keys, RSA 2048 where it does not
    /// (openCryptoki's soft token).
    func makeCA() async throws -> (String, String) {
        do { return try await makeCA(.ec, bits: 256) } catch let e as PKIError where e.reason == .featureNotSupported {
            return try await makeCA(.rsa, bits: 2048)
        }
    }

    func makeCA(_ algorithm: CryptographicAlgorithm, bits: Int32) async throws -> (String, String) {
        let pair = try await call(.createKeyPair, [
            .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(algorithm.rawValue)),
                                           TTLV(.cryptographicLength, .integer(bits))]),
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMask.sign.rawValue))),
                                               name(Self.caName + " key")]),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMask.verify.rawValue))),
                                              name(Self.caName + " public key")]),
        ])
        guard let priv = pair.first(.privateKeyUniqueIdentifier)?.text, let pub = pair.first(.publicKeyUniqueIdentifier)?.text else {
            throw PKIError("Create Key Pair returned no identifiers")
        }
        let cert = try await call(.certify, [TTLV(.uniqueIdentifier, .textString(pub)), .structure(.attributes, [
            linkTTLV(.privateKeyLink, priv), name(Self.caName),
            .structure(.certificateSubject, [TTLV(.certificateSubjectDistinguishedName, .textString("CN=\(Self.caName),O=kmipd"))]),
        ])])
        guard let certUID = cert.first(.uniqueIdentifier)?.text else { throw PKIError("Certify returned no identifier") }
        for uid in [priv, pub, certUID] { _ = try await call(.activate, [TTLV(.uniqueIdentifier, .textString(uid))]) }
        return (certUID, priv)
    }

    /// A further client certificate from the CA (for tests of what TLS refuses): its usages and the
    /// moment it is issued at (the certificate is valid from then, for the policy's validity).
    public func issueClient(name: String, usages: [ExtendedKeyUsage.Usage], at now: Date, into prefix: String) async throws -> (cert: String, key: String) {
        guard let (ca, _) = try await existingCA() else { throw PKIError("no development CA yet") }
        let key = P256.Signing.PrivateKey()
        let uid = try await certify(subject: try DistinguishedName { OrganizationName("kmipd"); CommonName(name) },
                                    key: Certificate.PrivateKey(key), algorithm: .ecdsaWithSHA256, issuer: ca,
                                    extensions: try Certificate.Extensions { try ExtendedKeyUsage(usages) }, now: now)
        return (try write(prefix + ".crt", try await pem(uid)), try write(prefix + ".key", key.pemRepresentation, private: true))
    }

    /// A PKCS#10 request signed by the file key, certified by the CA through Certify.
    func certify(subject: DistinguishedName, key: Certificate.PrivateKey, algorithm: Certificate.SignatureAlgorithm,
                 issuer: String, extensions: Certificate.Extensions, now: Date = Date()) async throws -> String {
        let attributes = CertificateSigningRequest.Attributes([try .init(ExtensionRequest(extensions: extensions))])
        let csr = try CertificateSigningRequest(version: .v1, subject: subject, privateKey: key, attributes: attributes,
                                                signatureAlgorithm: algorithm)
        var s = DER.Serializer()
        try s.serialize(csr)
        let r = try await call(.certify, [
            TTLV(.certificateRequestType, .enumeration(CertificateRequestType.pkcs10.rawValue)),
            TTLV(.certificateRequestValue, .byteString(s.serializedBytes)),
            .structure(.attributes, [linkTTLV(.parentLink, issuer)]),
        ], now: now)
        guard let uid = r.first(.uniqueIdentifier)?.text else { throw PKIError("Certify returned no identifier") }
        return uid
    }

    func pem(_ uid: String) async throws -> String {
        let got = try await call(.get, [TTLV(.uniqueIdentifier, .textString(uid))])
        guard let der = got.first(.certificate)?.first(.certificateValue)?.bytes else { throw PKIError("Get returned no certificate") }
        return try Certificate(derEncoded: der).serializeAsPEM().pemString + "\n"
    }

    /// One operation through the engine, as the PKI's own identity, in KMIP 2.1.
    func call(_ operation: KMIP.Operation, _ payload: [TTLV], now: Date = Date()) async throws -> TTLV {
        let request = RequestMessage(header: RequestHeader(protocolVersion: .v2_1, batchCount: 1),
                                     batchItems: [RequestBatchItem(operation: operation, payload: .structure(.requestPayload, payload))])
        let response = await executor.execute(request, identity: Self.owner, now: Int64(now.timeIntervalSince1970))
        guard let item = response.batchItems.first, item.resultStatus == .success, let p = item.payload else {
            let item = response.batchItems.first
            throw PKIError("\(operation.name) failed: \(item?.resultReason?.name ?? "?"): \(item?.resultMessage ?? "")", reason: item?.resultReason)
        }
        return p
    }

    func name(_ n: String) -> TTLV {
        .structure(.name, [TTLV(.nameValue, .textString(n)), TTLV(.nameType, .enumeration(NameType.uninterpretedTextString.rawValue))])
    }
    func linkTTLV(_ type: LinkType, _ uid: String) -> TTLV {
        .structure(.link, [TTLV(.linkType, .enumeration(type.rawValue)), TTLV(.linkedObjectIdentifier, .textString(uid))])
    }
    func link(_ attributes: TTLV, _ type: LinkType) -> String? {
        attributes.first(.attributes)?.all(.link).first { $0.first(.linkType)?.enumValue == type.rawValue }?.first(.linkedObjectIdentifier)?.text
    }

    func write(_ name: String, _ text: String, private: Bool = false) throws -> String {
        let p = (directory as NSString).appendingPathComponent(name)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        if `private` { chmod(p, 0o600) }
        return p
    }
}

struct PKIError: Error, CustomStringConvertible {
    var description: String
    var reason: ResultReason?
    init(_ d: String, reason: ResultReason? = nil) { description = d; self.reason = reason }
}
