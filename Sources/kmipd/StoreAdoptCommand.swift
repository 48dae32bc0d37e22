import ArgumentParser
import Foundation
import KMIPEngine

extension StoreCommand {
    /// `kmipd store adopt`: rebuild a lost store, or bring an old backup up to date, from the token —
    /// never the other way round. Token objects the store does not describe become metadata-only rows.
    struct Adopt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register token objects the store does not know (kmipd's, or those named with --id) as objects of this store.")
        @OptionGroup var options: ConfigOption
        @Flag(help: "Make this store the token's store even though the token belongs to another one (or to none).")
        var takeOver = false
        @Option(help: "The owner of the adopted objects (a client identity); the default is an identity no client has, so only admins see them until granted.")
        var owner = "kmipd-adopted"
        @Option(name: .customLong("id"), help: "Adopt only this CKA_ID (repeatable); needed for objects kmipd did not make.")
        var ids: [String] = []
        @Flag(help: "Do not ask for confirmation.") var yes = false

        struct Report: Codable {
            var store: String
            var tookOver: Bool
            var adopted: [String]
            var skipped: [String]
        }

        func run() async throws {
            let runtime = try await Runtime(try options.load())
            let lock = try runtime.lockToken()
            defer { withExtendedLifetime(lock) {} }
            if takeOver {
                let current = try await runtime.token.readBinding()
                try confirm("Make \(runtime.store.name) the store of \(runtime.token.identity)"
                            + (current.map { " (now the store with id \($0.storeID), which will no longer start on it)" } ?? "") + "?", yes: yes)
                try await runtime.bind()
            } else {
                try await runtime.verifyBinding()
            }
            let (chosen, notUnknown) = try await runtime.unknownObjects(named: ids)
            let result = try await Adoption(store: runtime.store, token: runtime.token)
                .run(ids: chosen, owner: owner, now: Int64(Date().timeIntervalSince1970))
            printJSON(Report(store: runtime.store.name, tookOver: takeOver, adopted: result.adopted, skipped: result.skipped + notUnknown))
        }
    }
}
