import ArgumentParser
import Foundation
import KMIPEngine
import Store

/// `kmipd store init` and `kmipd store bind`: the only ways a store comes to be, and the deliberate
/// binding of a store to its token (`BindingCheck`).
extension StoreCommand {
    struct Report: Codable {
        var store: String
        var storeId: String
        var token: String
        var bound: Bool
        var note: String?
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the store the configuration names and bind it to the token (when the token is new to kmipd).")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let runtime = try await Runtime(try options.load(), storeMode: .create)
            let lock = try runtime.lockToken()
            defer { withExtendedLifetime(lock) {} }
            printJSON(try await Self.bindIfFree(runtime))
        }

        /// Binds a new (or never bound) store to a token no store describes yet; otherwise leaves the
        /// store unbound and says what would make it the token's.
        static func bindIfFree(_ runtime: Runtime) async throws -> Report {
            var report = Report(store: runtime.store.name, storeId: try await runtime.store.identity().storeID,
                                token: "\(runtime.token.identity)", bound: false)
            if let reason = try await runtime.reasonNotToBind() {
                report.note = "not bound: \(reason)"
            } else {
                try await runtime.bind()
                report.bound = true
            }
            return report
        }
    }

    struct Bind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bind a store made before binding existed to its token (refused when the token belongs to another store).")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let runtime = try await Runtime(try options.load())
            let lock = try runtime.lockToken()
            defer { withExtendedLifetime(lock) {} }
            if try await runtime.store.identity().isBound {
                try await runtime.verifyBinding()
                printJSON(Report(store: runtime.store.name, storeId: try await runtime.store.identity().storeID,
                                 token: "\(runtime.token.identity)", bound: true, note: "already bound"))
                return
            }
            if let reason = try await runtime.reasonNotToBind() { throw CLIError(reason) }
            let identity = try await runtime.bind()
            printJSON(Report(store: runtime.store.name, storeId: identity.storeID, token: "\(runtime.token.identity)", bound: true))
        }
    }
}
