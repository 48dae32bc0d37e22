import ArgumentParser
import Foundation
import KMIP
import KMIPClient

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Query operations, object types and server information.")
    @OptionGroup var connection: ConnectionOptions
    func run() async throws {
        try await perform(connection) { c in
            try await c.call(.query, [QueryFunction.queryOperations, .queryObjects, .queryServerInformation].map {
                TTLV(.queryFunction, .enumeration($0.rawValue)) })
        }
    }
}

struct DiscoverVersions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "discover-versions", abstract: "Protocol versions the server speaks.")
    @OptionGroup var connection: ConnectionOptions
    func run() async throws { try await perform(connection) { c in try await c.call(.discoverVersions, []) } }
}

struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a symmetric key in the server's token.",
        discussion: """
            Examples:
              kmip create --name db-master --group databases --non-extractable
              kmip create --algorithm HMAC-SHA256 --usage MACGenerate,MACVerify
              kmip create --name tape-7 --grant "CN=tape1:Get" --activation-date now+1d
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Algorithm: AES, 3DES, HMAC-SHA256, … (spec name).") var algorithm = "AES"
    @Option(help: "Length in bits.") var length: Int32 = 256
    @OptionGroup var attributes: AttributeOptions
    func run() async throws {
        guard let alg = CryptographicAlgorithm(named: algorithm) else { throw ValidationError("unknown algorithm \(algorithm)") }
        var attrs = [Attribute(.cryptographicAlgorithm, .enumeration(alg.rawValue)), Attribute(.cryptographicLength, .integer(length))]
        attrs += try attributes.attributes()
        if !attrs.contains(where: { $0.tag == .cryptographicUsageMask }) {
            // Without --usage: what the algorithm is for (an HMAC key MACs, others encrypt).
            let mac = alg.name.uppercased().hasPrefix("HMAC")
            attrs.append(Attribute(.cryptographicUsageMask, .integer(Int32(bitPattern: mac
                ? CryptographicUsageMask.macGenerate.rawValue | CryptographicUsageMask.macVerify.rawValue
                : CryptographicUsageMask.encrypt.rawValue | CryptographicUsageMask.decrypt.rawValue))))
        }
        try await perform(connection) { c in try await c.send(CreateRequest(objectType: .symmetricKey, attributes: attrs)) }
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Get an object (key material only if it is extractable).",
        discussion: """
            Examples:
              kmip get UID
              kmip get UID --format PKCS_8
              kmip get UID --wrap-with KEK-UID
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @OptionGroup var output: KeyOutputOptions
    func run() async throws {
        let more = try output.fields()
        try await perform(connection, .get) { c in try await c.simple(.get, uid: uid, more) }
    }
}

struct GetAttributes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-attributes", abstract: "All attributes, or the named ones.",
        discussion: """
            Examples:
              kmip get-attributes UID
              kmip get-attributes UID --attribute State --attribute "Activation Date"
              kmip get-attributes UID --attribute x-kmipd-grant
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Option(name: .customLong("attribute"), help: "Attribute name: spec name or x-NAME (repeatable).") var names: [String] = []
    func run() async throws {
        let canonical = try names.map(canonicalName)
        try await perform(connection, .getAttributes) { c in try await c.send(GetAttributesRequest(uniqueIdentifier: uid, names: canonical)) }
    }
}

struct Activate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Activate an object.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var uid: String
    func run() async throws { try await perform(connection) { c in try await c.simple(.activate, uid: uid) } }
}

struct Revoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revoke an object.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var uid: String
    @Option(help: "Revocation reason (spec name, e.g. CessationOfOperation, KeyCompromise).") var reason = "CessationOfOperation"
    func run() async throws {
        guard let r = RevocationReasonCode(named: reason) else { throw ValidationError("unknown reason \(reason)") }
        try await perform(connection) { c in
            try await c.simple(.revoke, uid: uid, [.structure(.revocationReason, [TTLV(.revocationReasonCode, .enumeration(r.rawValue))])])
        }
    }
}

struct Destroy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Destroy an object's key material (metadata stays).")
    @OptionGroup var connection: ConnectionOptions
    @Argument var uid: String
    func run() async throws { try await perform(connection) { c in try await c.simple(.destroy, uid: uid) } }
}
