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
    static let configuration = CommandConfiguration(abstract: "Create a symmetric key in the server's token.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Algorithm: AES, 3DES, HMAC-SHA256, … (spec name).") var algorithm = "AES"
    @Option(help: "Length in bits.") var length: Int32 = 256
    @Option(help: "Usage mask names, comma separated.") var usage = "Encrypt,Decrypt"
    @Option(help: "Name attribute.") var name: String?
    @Flag(help: "Ask for a key that never leaves the token.") var nonExtractable = false
    func run() async throws {
        guard let alg = CryptographicAlgorithm(named: algorithm) else { throw ValidationError("unknown algorithm \(algorithm)") }
        let mask = try usageMask(usage)
        try await perform(connection) { c in
            var extra = [Attribute]()
            if nonExtractable { extra.append(Attribute(.extractable, .boolean(false))) }
            let uid = try await c.create(algorithm: alg, length: length, usage: mask, name: name, extra: extra)
            return .structure(.responsePayload, [TTLV(.uniqueIdentifier, .textString(uid))])
        }
    }
}

struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Register a symmetric key, secret data or an opaque object.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "symmetric-key, secret-data or opaque.") var type = "symmetric-key"
    @Option(help: "The value, hex.") var hex: String
    @Option(help: "Algorithm for a symmetric key.") var algorithm = "AES"
    @Option(help: "Usage mask names, comma separated.") var usage = "Encrypt,Decrypt"
    @Option(help: "Name attribute.") var name: String?
    func run() async throws {
        guard let bytes = TTLVXML.hex(hex), !bytes.isEmpty else { throw ValidationError("--hex must be non-empty hex") }
        let mask = try usageMask(usage)
        try await perform(connection) { c in
            var attrs = [Attribute(.cryptographicUsageMask, .integer(Int32(bitPattern: mask)))]
            if let name { attrs.append(KMIPClient.name(name)) }
            let objectType: ObjectType, object: TTLV
            switch type {
            case "symmetric-key":
                guard let alg = CryptographicAlgorithm(named: algorithm) else { throw ValidationError("unknown algorithm \(algorithm)") }
                objectType = .symmetricKey
                object = .structure(.symmetricKey, [.structure(.keyBlock, [
                    TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
                    .structure(.keyValue, [TTLV(.keyMaterial, .byteString(bytes))]),
                    TTLV(.cryptographicAlgorithm, .enumeration(alg.rawValue)),
                    TTLV(.cryptographicLength, .integer(Int32(bytes.count * 8)))])])
            case "secret-data":
                objectType = .secretData
                object = .structure(.secretData, [TTLV(.secretDataType, .enumeration(SecretDataType.password.rawValue)),
                    .structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.opaque.rawValue)),
                                           .structure(.keyValue, [TTLV(.keyMaterial, .byteString(bytes))])])])
            case "opaque":
                objectType = .opaqueObject
                attrs.removeFirst()
                object = .structure(.opaqueObject, [TTLV(.opaqueDataType, .enumeration(OpaqueDataType.unknown.rawValue)),
                                                     TTLV(.opaqueDataValue, .byteString(bytes))])
            default: throw ValidationError("--type is symmetric-key, secret-data or opaque")
            }
            return try await c.call(.register, [TTLV(.objectType, .enumeration(objectType.rawValue))] + c.attributeItems(attrs) + [object])
        }
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Get an object (key material only if it is extractable).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Option(help: "Key format: Raw, TransparentSymmetricKey, PKCS_1, PKCS_8, X_509, ECPrivateKey, TransparentRSAPublicKey, TransparentECPublicKey, …") var format: String?
    func run() async throws {
        var more = [TTLV]()
        if let format {
            guard let f = KeyFormatType(named: format) else { throw ValidationError("unknown key format \(format)") }
            more.append(TTLV(.keyFormatType, .enumeration(f.rawValue)))
        }
        try await perform(connection) { c in try await c.simple(.get, uid: uid, more) }
    }
}

struct Locate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Find objects by name, type or state.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Name attribute.") var name: String?
    @Option(help: "Object type (SymmetricKey, SecretData, OpaqueObject).") var objectType: String?
    @Option(help: "State (PreActive, Active, …).") var state: String?
    @Option(help: "Maximum Items.") var max: Int32?
    func run() async throws {
        var attrs = [Attribute]()
        if let name { attrs.append(KMIPClient.name(name)) }
        if let objectType {
            guard let t = ObjectType(named: objectType) else { throw ValidationError("unknown object type \(objectType)") }
            attrs.append(Attribute(.objectType, .enumeration(t.rawValue)))
        }
        if let state {
            guard let s = State(named: state) else { throw ValidationError("unknown state \(state)") }
            attrs.append(Attribute(.state, .enumeration(s.rawValue)))
        }
        try await perform(connection) { c in
            var payload = [TTLV]()
            if let max { payload.append(TTLV(.maximumItems, .integer(max))) }
            payload += c.version.isV2 ? AttributeList.encode(attrs, version: c.version) : attrs.map(\.v1)
            return try await c.call(.locate, payload)
        }
    }
}

struct GetAttributes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get-attributes", abstract: "All attributes, or the named ones.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Option(name: .customLong("attribute"), help: "Attribute name (repeatable).") var names: [String] = []
    func run() async throws {
        try await perform(connection) { c in
            let refs: [TTLV] = try names.map { n in
                if c.version.isV2 {
                    guard let t = Tag(named: n) else { throw ValidationError("unknown attribute \(n)") }
                    return TTLV(.attributeReference, .enumeration(t.rawValue))
                }
                return TTLV(.attributeName, .textString(n))
            }
            return try await c.simple(.getAttributes, uid: uid, refs)
        }
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

func usageMask(_ s: String) throws -> UInt32 {
    var mask: UInt32 = 0
    for part in s.split(separator: ",") where !part.isEmpty {
        guard let v = CryptographicUsageMask(named: String(part)) else { throw ValidationError("unknown usage \(part)") }
        mask |= v.rawValue
    }
    return mask
}
