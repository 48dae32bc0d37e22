import ArgumentParser
import Foundation
import KMIPEngine

extension TokenCommand {
    /// `kmipd token remove-unknown`: the one command that destroys token objects no row of the store
    /// describes. Start-up never does (`Reconciler`); an operator does it here, by choice, after seeing
    /// the list — on a store and token bound to each other, with no server running on the token.
    struct RemoveUnknown: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-unknown",
            abstract: "Destroy token objects the store does not describe (kmipd's, or those named with --id), after confirmation.")
        @OptionGroup var options: ConfigOption
        @Option(name: .customLong("id"), help: "Remove only this CKA_ID (repeatable); needed for objects kmipd did not make.")
        var ids: [String] = []
        @Flag(help: "Do not ask for confirmation.") var yes = false

        struct Report: Codable { var removed: [String]; var notUnknown: [String] }

        func run() async throws {
            let runtime = try await Runtime(try options.load())
            let lock = try runtime.lockToken()
            defer { withExtendedLifetime(lock) {} }
            try await runtime.verifyBinding()
            // An object the store describes is never removed here (Destroy is the KMIP way to do that).
            let (chosen, notUnknown) = try await runtime.unknownObjects(named: ids)
            guard !chosen.isEmpty else {
                printJSON(Report(removed: [], notUnknown: notUnknown))
                return
            }
            FileHandle.standardError.write(Data(("Token objects the store does not describe, to be destroyed in \(runtime.token.identity):\n"
                                                 + chosen.map { "  \($0)\n" }.joined()).utf8))
            try confirm("Destroy these \(chosen.count) token objects? Nothing brings them back.", yes: yes)
            for id in chosen { try await runtime.token.destroy(id: id) }
            printJSON(Report(removed: chosen, notUnknown: notUnknown))
        }
    }
}
