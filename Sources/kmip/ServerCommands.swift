import ArgumentParser
import Foundation
import KMIP
import KMIPClient

/// Ping (KMIP 2.1 §6.1.36): an empty request and answer; exit status 0 means the server is serving.
struct Ping: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check that the server answers (KMIP 2.0+).")
    @OptionGroup var connection: ConnectionOptions
    func run() async throws { try await perform(connection, .ping) { c in try await c.call(.ping, []) } }
}

/// Log (KMIP 2.0+, 2.1 §6.1.29): a line into the server's audit log.
struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a message into the server's audit log (KMIP 2.0+).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The message.") var message: String
    func run() async throws { try await perform(connection, .log) { c in try await c.call(.log, [TTLV(.logMessage, .textString(message))]) } }
}

/// Interop (KMIP 2.1 §6.1.26): the OASIS test harness's begin / end / reset bracket.
struct Interop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Begin, end or reset an interoperability test case (KMIP 2.0+).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Begin, End or Reset.") var function: String
    @Argument(help: "The test case's identifier.") var identifier: String?
    func run() async throws {
        let f = try typed(function, .interopFunction)
        try await perform(connection, .interop) { c in
            try await c.call(.interop, [f] + (identifier.map { [TTLV(.interopIdentifier, .textString($0))] } ?? []))
        }
    }
}

/// RNG Seed (KMIP 2.1 §6.1.50; 1.3+): seed data for the server's generator (the token may ignore it).
struct RNGSeed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rng-seed", abstract: "Give the server's random number generator seed data.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var input: DataInput
    func run() async throws {
        let data = try input.bytes()
        try await perform(connection, .rngSeed) { c in try await c.call(.rngSeed, [TTLV(.data, .byteString(data))]) }
    }
}
