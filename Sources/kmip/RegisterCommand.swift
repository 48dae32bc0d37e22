import ArgumentParser
import Foundation
import KMIP
import KMIPClient
import OperatorErrors

/// Register (KMIP 2.1 §6.1.43; 1.4 §4.3): an object the client brings, kept in the token.
struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register a key, certificate, secret or opaque object the client brings (kept in the token).",
        discussion: """
            The value comes from --hex, --file or standard input; PEM files are read as DER, and the PEM \\
            label decides a key's format (PRIVATE KEY: PKCS#8, RSA PRIVATE KEY: PKCS#1, EC PRIVATE KEY, \\
            PUBLIC KEY: X.509 SubjectPublicKeyInfo).

            Examples:
              kmip register --hex 000102030405060708090a0b0c0d0e0f --name imported-aes
              kmip register --type certificate --file partner-ca.pem --name partner-ca
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
        let (bytes, label) = try Self.der(try input.bytes())
        guard !bytes.isEmpty else { throw ValidationError("the value is empty") }
        var attrs = try attributes.attributes()
        let objectType: ObjectType, object: TTLV
        switch type {
        case "symmetric-key":
            let alg = try typed(algorithm ?? "AES", .cryptographicAlgorithm)
            objectType = .symmetricKey
            object = .structure(.symmetricKey, [Self.keyBlock(.raw, bytes, alg, length: bytes.count * 8)])
        case "private-key", "public-key":
            guard let algorithm else { throw ValidationError("--algorithm RSA or EC: which kind of key this is") }
            let formats: [String: KeyFormatType] = ["PRIVATE KEY": .pkcs8, "RSA PRIVATE KEY": .pkcs1, "EC PRIVATE KEY": .eCPrivateKey,
                                                    "PUBLIC KEY": .x509, "RSA PUBLIC KEY": .pkcs1]
            let isPrivate = type == "private-key"
            guard let format = label.map({ formats[$0] }) ?? (isPrivate ? .pkcs8 : .x509) else {
                throw ValidationError("a PEM \(label ?? "") file is not a key (PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, PUBLIC KEY)")
            }
            objectType = isPrivate ? .privateKey : .publicKey
            object = .structure(isPrivate ? .privateKey : .publicKey,
                                [Self.keyBlock(format, bytes, try typed(algorithm, .cryptographicAlgorithm), length: nil)])
        case "certificate":
            objectType = .certificate
            object = .structure(.certificate, [TTLV(.certificateType, .enumeration(CertificateType.x509.rawValue)),
                                               TTLV(.certificateValue, .byteString(bytes))])
        case "secret-data":
            objectType = .secretData
            object = .structure(.secretData, [TTLV(.secretDataType, .enumeration(SecretDataType.password.rawValue)),
                .structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.opaque.rawValue)),
                                       .structure(.keyValue, [TTLV(.keyMaterial, .byteString(bytes))])])])
        case "opaque":
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

    static func keyBlock(_ format: KeyFormatType, _ bytes: [UInt8], _ algorithm: TTLV, length: Int?) -> TTLV {
        var fields = [TTLV(.keyFormatType, .enumeration(format.rawValue)), .structure(.keyValue, [TTLV(.keyMaterial, .byteString(bytes))]),
                      algorithm]
        if let length { fields.append(TTLV(.cryptographicLength, .integer(Int32(clamping: length)))) }
        return .structure(.keyBlock, fields)
    }

    /// The bytes, and for a PEM file its label with the base64 body decoded (the first block only).
    static func der(_ bytes: [UInt8]) throws -> ([UInt8], String?) {
        guard let text = String(bytes: bytes, encoding: .utf8), let begin = text.range(of: "-----BEGIN ") else { return (bytes, nil) }
        guard let labelEnd = text.range(of: "-----", range: begin.upperBound..<text.endIndex),
              let end = text.range(of: "-----END ", range: labelEnd.upperBound..<text.endIndex) else {
            throw ValidationError("the PEM file has no END line")
        }
        let label = String(text[begin.upperBound..<labelEnd.lowerBound])
        let body = text[labelEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)) else { throw ValidationError("the PEM \(label) body is not base64") }
        return ([UInt8](der), label)
    }
}
