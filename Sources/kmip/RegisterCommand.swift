import ArgumentParser
import Foundation
import KMIP
import KMIPClient
import OperatorErrors
import X509

/// Register (KMIP 2.1 §6.1.43; 1.4 §4.3): an object the client brings, kept in the token.
struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register a key, certificate, secret or opaque object the client brings (kept in the token).",
        discussion: """
            The value comes from --hex, --file or standard input; PEM files are read as DER, and the PEM \\
            label decides a key's format (PRIVATE KEY: PKCS#8, RSA PRIVATE KEY: PKCS#1, EC PRIVATE KEY, \\
            PUBLIC KEY: X.509 SubjectPublicKeyInfo). A key is taken from a file with exactly one block of its \\
            kind (a key and its certificate in one file are fine). Every CERTIFICATE block of a chain or \\
            bundle file is registered, with the same attributes, each linked to its issuer (Certificate \\
            Link) when the next certificate in the file issued it; the answers print as an array, the last \\
            certificate of the file first.

            Examples:
              kmip register --hex 000102030405060708090a0b0c0d0e0f --name imported-aes
              kmip register --type certificate --file partner-ca.pem --name partner-ca
              kmip register --type certificate --file partner-chain.pem --group partner-chain
              kmip register --type private-key --algorithm EC --file host.key --non-extractable
              kmip register --type secret-data --file db-password.txt --name db-password
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "symmetric-key, private-key, public-key, certificate, secret-data or opaque.") var type = "symmetric-key"
    @OptionGroup var input: DataInput
    @Option(help: "Algorithm of a key: AES, 3DES, HMAC-SHA256, … for a symmetric key (default AES); RSA or EC for a key pair's half.")
    var algorithm: String?
    @OptionGroup var attributes: AttributeOptions

    func run() async throws {
        let raw = try input.bytes()
        let blocks = try PEMBlock.blocks(raw)
        var attrs = try attributes.attributes()
        let objectType: ObjectType, object: TTLV
        switch type {
        case "certificate":
            let certificates = blocks.map { $0.filter { $0.label == "CERTIFICATE" }.map(\.der) } ?? [raw]
            guard let first = certificates.first, !first.isEmpty else {
                throw ValidationError(blocks == nil ? "the value is empty" : "the PEM file holds no CERTIFICATE block")
            }
            return try await registerChain(certificates, attrs)
        case "private-key", "public-key":
            guard let algorithm else { throw ValidationError("--algorithm RSA or EC: which kind of key this is") }
            let isPrivate = type == "private-key"
            let formats = isPrivate ? Self.privateKeyFormats : Self.publicKeyFormats
            let (bytes, label) = try Self.one(raw, blocks, labelled: formats.keys.sorted(), kind: isPrivate ? "private key" : "public key")
            objectType = isPrivate ? .privateKey : .publicKey
            object = .structure(isPrivate ? .privateKey : .publicKey,
                                [Self.keyBlock(label.flatMap { formats[$0] } ?? (isPrivate ? .pkcs8 : .x509), bytes,
                                               try typed(algorithm, .cryptographicAlgorithm), length: nil)])
        case "symmetric-key":
            let (bytes, _) = try Self.one(raw, blocks, labelled: nil, kind: "value")
            let alg = try typed(algorithm ?? "AES", .cryptographicAlgorithm)
            objectType = .symmetricKey
            object = .structure(.symmetricKey, [Self.keyBlock(.raw, bytes, alg, length: bytes.count * 8)])
        case "secret-data":
            let (bytes, _) = try Self.one(raw, blocks, labelled: nil, kind: "value")
            objectType = .secretData
            object = .structure(.secretData, [TTLV(.secretDataType, .enumeration(SecretDataType.password.rawValue)),
                .structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.opaque.rawValue)),
                                       .structure(.keyValue, [TTLV(.keyMaterial, .byteString(bytes))])])])
        case "opaque":
            let (bytes, _) = try Self.one(raw, blocks, labelled: nil, kind: "value")
            objectType = .opaqueObject
            object = .structure(.opaqueObject, [TTLV(.opaqueDataType, .enumeration(OpaqueDataType.unknown.rawValue)),
                                                 TTLV(.opaqueDataValue, .byteString(bytes))])
        default: throw ValidationError("--type is symmetric-key, private-key, public-key, certificate, secret-data or opaque")
        }
        if objectType == .symmetricKey || objectType == .secretData, !attrs.contains(where: { $0.tag == .cryptographicUsageMask }) {
            attrs.append(Attribute(.cryptographicUsageMask, .integer(Int32(bitPattern:
                CryptographicUsageMask.encrypt.rawValue | CryptographicUsageMask.decrypt.rawValue))))
        }
        try await perform(connection, .register) { c in
            try await c.call(.register, [TTLV(.objectType, .enumeration(objectType.rawValue))] + c.attributeItems(attrs) + [object])
        }
    }

    static let privateKeyFormats: [String: KeyFormatType] = ["PRIVATE KEY": .pkcs8, "RSA PRIVATE KEY": .pkcs1, "EC PRIVATE KEY": .eCPrivateKey]
    static let publicKeyFormats: [String: KeyFormatType] = ["PUBLIC KEY": .x509, "RSA PUBLIC KEY": .pkcs1]

    /// The one value a file holds: the bytes as they are, or the one PEM block with one of `labels` (any
    /// label when nil). A file with none or several is refused: picking one would register the wrong thing.
    static func one(_ raw: [UInt8], _ blocks: [PEMBlock]?, labelled labels: [String]?, kind: String) throws -> ([UInt8], String?) {
        guard let blocks else {
            guard !raw.isEmpty else { throw ValidationError("the value is empty") }
            return (raw, nil)
        }
        let matching = blocks.filter { labels?.contains($0.label) ?? true }
        guard matching.count == 1, let block = matching.first else {
            let wanted = labels.map { " (" + $0.joined(separator: ", ") + ")" } ?? ""
            throw ValidationError("the PEM file holds \(matching.count) \(kind) blocks\(wanted); give a file with exactly one")
        }
        return (block.der, block.label)
    }

    /// A chain or bundle file: every certificate registered with the same attributes, from the last in
    /// the file to the first, each linked to the next one in the file when that one issued it (KMIP 2.1
    /// §4.31: a certificate's Certificate Link names the certificate of the CA that signed it). Answers
    /// print in the order registered.
    func registerChain(_ certificates: [[UInt8]], _ attrs: [Attribute]) async throws {
        let parsed = certificates.map { try? Certificate(derEncoded: $0) }
        try await performEach(connection, .register) { c, answers in
            var issuerUID: String?
            for i in certificates.indices.reversed() {
                var own = attrs
                if let issuerUID, let cert = parsed[i], let issuer = parsed[i + 1], cert.issuer == issuer.subject {
                    own.append(Certify.link(.certificateLink, issuerUID))
                }
                let object = TTLV.structure(.certificate, [TTLV(.certificateType, .enumeration(CertificateType.x509.rawValue)),
                                                           TTLV(.certificateValue, .byteString(certificates[i]))])
                let answer = try await c.call(.register, [TTLV(.objectType, .enumeration(ObjectType.certificate.rawValue))]
                                                         + c.attributeItems(own) + [object])
                answers.add(answer)
                issuerUID = answer.first(.uniqueIdentifier)?.text
            }
        }
    }

    static func keyBlock(_ format: KeyFormatType, _ bytes: [UInt8], _ algorithm: TTLV, length: Int?) -> TTLV {
        var fields = [TTLV(.keyFormatType, .enumeration(format.rawValue)), .structure(.keyValue, [TTLV(.keyMaterial, .byteString(bytes))]),
                      algorithm]
        if let length { fields.append(TTLV(.cryptographicLength, .integer(Int32(clamping: length)))) }
        return .structure(.keyBlock, fields)
    }
}
