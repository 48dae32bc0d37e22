import ArgumentParser
import Foundation
import KMIP
import KMIPClient

/// Input for the cryptographic commands: --hex, --file, or standard input.
struct DataInput: ParsableArguments {
    @Option(help: "The data, hex.") var hex: String?
    @Option(help: "Read the data from this file.") var file: String?

    func bytes() throws -> [UInt8] {
        if let hex {
            guard let b = TTLVXML.hex(hex) else { throw ValidationError("--hex is not hex") }
            return b
        }
        if let file { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) }
        return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }
}

/// Cryptographic Parameters from command-line names (spec names, XML spelling accepted).
struct ParameterOptions: ParsableArguments {
    @Option(help: "Block cipher mode: CBC, ECB, GCM, CTR.") var mode: String?
    @Option(help: "Padding: PKCS5, None, OAEP, PKCS1_v1_5, PSS.") var padding: String?
    @Option(help: "Hashing algorithm: SHA_256, SHA_384, SHA_512, SHA_1.") var hash: String?
    @Option(help: "GCM tag length in bytes.") var tagLength: Int32?
    @Option(help: "IV/Counter/Nonce, hex (made by the server when omitted).") var iv: String?

    func parameters() throws -> [TTLV] {
        var p = [TTLV]()
        if let mode {
            guard let m = BlockCipherMode(named: mode) else { throw ValidationError("unknown mode \(mode)") }
            p.append(TTLV(.blockCipherMode, .enumeration(m.rawValue)))
        }
        if let padding {
            guard let m = PaddingMethod(named: padding) else { throw ValidationError("unknown padding \(padding)") }
            p.append(TTLV(.paddingMethod, .enumeration(m.rawValue)))
        }
        if let hash {
            guard let h = HashingAlgorithm(named: hash) else { throw ValidationError("unknown hash \(hash)") }
            p.append(TTLV(.hashingAlgorithm, .enumeration(h.rawValue)))
        }
        if let tagLength { p.append(TTLV(.tagLength, .integer(tagLength))) }
        var out = p.isEmpty ? [] : [TTLV.structure(.cryptographicParameters, p)]
        if let iv {
            guard let b = TTLVXML.hex(iv) else { throw ValidationError("--iv is not hex") }
            out.append(TTLV(.ivCounterNonce, .byteString(b)))
        }
        return out
    }
}

/// Sends `operation` on `uid` with the parameters, the data and any `extra` fields; prints the answer.
func sendData(_ operation: KMIP.Operation, _ uid: String, _ connection: ConnectionOptions, _ params: ParameterOptions,
              _ input: DataInput, extra: [TTLV] = []) async throws {
    let payload = try params.parameters() + [TTLV(.data, .byteString(try input.bytes()))] + extra
    try await perform(connection) { c in try await c.simple(operation, uid: uid, payload) }
}

struct Encrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Encrypt with a key in the server's token.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var uid: String
    @OptionGroup var params: ParameterOptions
    @OptionGroup var input: DataInput
    func run() async throws { try await sendData(.encrypt, uid, connection, params, input) }
}

struct Decrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decrypt with a key in the server's token.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var uid: String
    @OptionGroup var params: ParameterOptions
    @Option(help: "GCM Authenticated Encryption Tag, hex.") var tag: String?
    @OptionGroup var input: DataInput
    func run() async throws {
        let t = try tag.map { t -> [UInt8] in
            guard let b = TTLVXML.hex(t) else { throw ValidationError("--tag is not hex") }
            return b
        }
        try await sendData(.decrypt, uid, connection, params, input, extra: t.map { [TTLV(.authenticatedEncryptionTag, .byteString($0))] } ?? [])
    }
}

struct Sign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sign with a private key in the server's token.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var uid: String
    @OptionGroup var params: ParameterOptions
    @OptionGroup var input: DataInput
    func run() async throws { try await sendData(.sign, uid, connection, params, input) }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Verify a signature with a public key in the server's token.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var uid: String
    @Option(help: "The signature, hex.") var signature: String
    @OptionGroup var params: ParameterOptions
    @OptionGroup var input: DataInput
    func run() async throws {
        guard let sig = TTLVXML.hex(signature) else { throw ValidationError("--signature is not hex") }
        try await sendData(.signatureVerify, uid, connection, params, input, extra: [TTLV(.signatureData, .byteString(sig))])
    }
}

struct MAC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "MAC with a key in the server's token (or verify one with --verify).")
    @OptionGroup var connection: ConnectionOptions
    @Argument var uid: String
    @Option(help: "A MAC to verify, hex.") var verify: String?
    @OptionGroup var input: DataInput
    func run() async throws {
        let data = try input.bytes()
        let expected = try verify.map { v -> [UInt8] in
            guard let b = TTLVXML.hex(v) else { throw ValidationError("--verify is not hex") }
            return b
        }
        try await perform(connection) { c in
            if let expected {
                return try await c.simple(.macVerify, uid: uid, [TTLV(.data, .byteString(data)), TTLV(.macData, .byteString(expected))])
            }
            return try await c.simple(.mac, uid: uid, [TTLV(.data, .byteString(data))])
        }
    }
}

struct RNG: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Random bytes from the server's token.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "How many bytes.") var length: Int32 = 32
    func run() async throws {
        try await perform(connection) { c in try await c.call(.rngRetrieve, [TTLV(.dataLength, .integer(length))]) }
    }
}

struct Hash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A digest computed by the server's token (KMIP 2.0+).")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "SHA_256, SHA_384, SHA_512, SHA_1.") var algorithm = "SHA_256"
    @OptionGroup var input: DataInput
    func run() async throws {
        guard let h = HashingAlgorithm(named: algorithm) else { throw ValidationError("unknown hash \(algorithm)") }
        let data = try input.bytes()
        try await perform(connection, .hash) { c in
            try await c.call(.hash, [.structure(.cryptographicParameters, [TTLV(.hashingAlgorithm, .enumeration(h.rawValue))]),
                                     TTLV(.data, .byteString(data))])
        }
    }
}
