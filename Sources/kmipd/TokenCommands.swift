import ArgumentParser
import Foundation
import DevPKI
import HSMBackend
import KMIPEngine
import Logging

/// `kmipd token …`: provisioning for scripts, JSON out.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Provision and inspect the token.",
                                                    subcommands: [Init.self, Status.self, Reconcile.self, RemoveUnknown.self, TokenBench.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Initialise the token (label from the configuration; SO PIN from KMIPD_SO_PIN or --so-pin-file; user PIN as for serve).")
        @OptionGroup var options: ConfigOption
        @Option(help: "A file holding the SO PIN.") var soPinFile: String?

        func run() async throws {
            let config = try options.load()
            let profile = try config.hsmProfile()
            guard let pin = profile.userPIN() else { throw CLIError("no user PIN: set \(profile.pinEnv) or token.pinFile") }
            let so = try soPinFile.map { try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
                ?? ProcessInfo.processInfo.environment["KMIPD_SO_PIN"]
            guard let so, !so.isEmpty else { throw CLIError("no SO PIN: set KMIPD_SO_PIN or --so-pin-file") }
            guard let module = profile.modulePath() else { throw CLIError("no PKCS#11 module among \(profile.modules)") }
            printJSON(try TokenProvisioning.initialize(modulePath: module, label: profile.tokenLabel, soPIN: so, userPIN: pin,
                                                      provisioning: profile.provisioning))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report the token, the store and their binding.")
        @OptionGroup var options: ConfigOption
        struct Report: Codable {
            var profile: String; var tested: Bool; var module: String; var label: String; var serial: String
            var manufacturer: String; var model: String; var tokenObjects: Int
            var storedObjects: Int?; var pendingRows: Int?; var storeId: String?
            /// "ok", or why the store cannot be used with this token.
            var binding: String
        }
        /// Reports the token even when the store is missing or is not its store (what an operator
        /// needs to see then).
        func run() async throws {
            let config = try options.load()
            let runtime: Runtime?, profile: HSMProfile, token: PKCS11Token
            var binding = "ok"
            do {
                let r = try await Runtime(config)
                (runtime, profile, token) = (r, r.profile, r.token)
                do { try await r.verifyBinding() } catch { binding = "\(error)" }
            } catch {
                binding = "\(error)"
                runtime = nil
                (profile, token) = try Runtime.openToken(config)
            }
            let counts = try await runtime?.store.counts()
            let t = token.tokenInfo
            printJSON(Report(profile: profile.name, tested: profile.tested, module: token.module.path,
                             label: t.label, serial: t.serial, manufacturer: t.manufacturer, model: t.model,
                             tokenObjects: token.objectCount, storedObjects: counts?.objects, pendingRows: counts?.pending,
                             storeId: try await runtime?.store.identity().storeID, binding: binding))
        }
    }

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report what a crash left between the store and the token; with --apply, finish it as start-up does.")
        @OptionGroup var options: ConfigOption
        @Flag(help: "Destroy the token objects of interrupted Creates and Destroys (refused while a server runs on the token).")
        var apply = false
        struct Report: Codable { var applied: Bool; var report: Reconciler.Report }
        func run() async throws {
            let runtime = try await Runtime(try options.load())
            try await runtime.verifyBinding()
            guard apply else {
                printJSON(Report(applied: false, report: try await runtime.reconciler.plan()))
                return
            }
            let lock = try runtime.lockToken()
            defer { withExtendedLifetime(lock) {} }
            printJSON(Report(applied: true, report: try await runtime.reconciler.run()))
        }
    }
}

/// `kmipd pki init`: the development PKI, CA key in the token.
struct PKICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pki", abstract: "Development PKI.", subcommands: [Init.self])
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a CA (key in the token), a server and a client certificate.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Output folder.") var out: String = ".kmipd/pki"
        @Flag(help: "Make the server's TLS key in the token; its reference (token:<UID>) goes in tls.privateKey.")
        var serverKeyInToken = false
        func run() async throws {
            let runtime = try await Runtime(try options.load())
            let lock = try runtime.lockToken()
            defer { withExtendedLifetime(lock) {} }
            try await runtime.verifyBinding()
            printJSON(try await DevPKI(executor: BatchExecutor(services: try runtime.services(logger: Logger(label: "kmipd"))), directory: out)
                .create(serverKeyInToken: serverKeyInToken))
        }
    }
}
