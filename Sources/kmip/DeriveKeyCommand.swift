import ArgumentParser
import Foundation
import KMIP
import KMIPClient

/// Derive Key (KMIP 2.1 §6.1.14; 1.4 §4.6): a new symmetric key or secret from a base object whose
/// usage mask allows Derive Key.
struct DeriveKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "derive-key", abstract: "Derive a symmetric key (or secret data) from a key or secret the server holds.",
        discussion: """
            Methods (spec names): PBKDF2, HASH, HMAC, ENCRYPT, NIST800-108-C, HKDF, Asymmetric Key. The base \
            object needs DeriveKey in its usage mask; ENCRYPT derives as many bits as --data has.

            Examples:
              kmip derive-key BASE-UID --method HMAC --hash SHA_256 --data 00112233
              kmip derive-key BASE-UID --method PBKDF2 --salt 73616c74 --iterations 1000
              kmip derive-key BASE-UID --method ENCRYPT --mode ECB --length 128 \\
                  --data 00112233445566778899aabbccddeeff
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The base object's Unique Identifier (then any other the method uses, e.g. the peer's public key).")
    var uids: [String]
    @Option(help: "Derivation Method.") var method: String
    @Option(help: "symmetric-key or secret-data.") var type = "symmetric-key"
    @Option(help: "Algorithm of a derived symmetric key.") var algorithm = "AES"
    @Option(help: "Length to derive, in bits.") var length: Int32 = 256
    @Option(help: "Derivation Data, hex.") var data: String?
    @Option(help: "Salt, hex.") var salt: String?
    @Option(help: "Iteration Count (PBKDF2).") var iterations: Int32?
    @Option(help: "Initialization Vector, hex.") var iv: String?
    @Option(help: "Hashing Algorithm of the method: SHA_256, SHA_384, SHA_512, SHA_1.") var hash: String?
    @Option(help: "Block Cipher Mode (ENCRYPT).") var mode: String?
    @Option(help: "Padding Method (ENCRYPT).") var padding: String?
    @OptionGroup var attributes: AttributeOptions

    func run() async throws {
        guard !uids.isEmpty else { throw ValidationError("give the base object's Unique Identifier") }
        let methodItem = try typed(method, .derivationMethod)
        let objectType: ObjectType
        var attrs = [Attribute(.cryptographicLength, .integer(length))]
        switch type {
        case "symmetric-key":
            objectType = .symmetricKey
            attrs.append(Attribute(key: .tag(.cryptographicAlgorithm), value: try typed(algorithm, .cryptographicAlgorithm)))
        case "secret-data": objectType = .secretData
        default: throw ValidationError("--type is symmetric-key or secret-data")
        }
        attrs += try attributes.attributes()
        if objectType == .symmetricKey, !attrs.contains(where: { $0.tag == .cryptographicUsageMask }) {
            attrs.append(Attribute(.cryptographicUsageMask, .integer(Int32(bitPattern:
                CryptographicUsageMask.encrypt.rawValue | CryptographicUsageMask.decrypt.rawValue))))
        }
        var cryptoParameters = [TTLV]()
        for (text, tag) in [(hash, Tag.hashingAlgorithm), (mode, .blockCipherMode), (padding, .paddingMethod)] {
            if let text { cryptoParameters.append(try typed(text, tag)) }
        }
        var parameters = cryptoParameters.isEmpty ? [] : [TTLV.structure(.cryptographicParameters, cryptoParameters)]
        for (text, tag) in [(iv, Tag.initializationVector), (data, .derivationData), (salt, .salt)] {
            if let text { parameters.append(try typed(text, tag)) }
        }
        if let iterations {
            guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
            parameters.append(TTLV(.iterationCount, .integer(iterations)))
        }
        try await perform(connection, .deriveKey) { c in
            try await c.call(.deriveKey, [TTLV(.objectType, .enumeration(objectType.rawValue))]
                + uids.map { TTLV(.uniqueIdentifier, .textString($0)) }
                + [methodItem, .structure(.derivationParameters, parameters)] + c.attributeItems(attrs))
        }
    }
}
