import ArgumentParser
import Foundation
import DevPKI
import HSMBackend
import KMIPEngine
import Logging
import KMIPEngine

/// `kmipd token …`: provisioning for scripts, JSON out.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Provision and inspect the token.",
                                                    subcommands: [Init.self, Status.self, Reconcile.self, TokenBench.self])

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
            printJSON(try TokenProvisioning.initialize(modulePath: module, label: profile.tokenLabel, soPIN: so, userPIN: pin))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report the token and the store.")
        @OptionGroup var options: ConfigOption
        struct Report: Codable {
            var profile: String; var tested: Bool; var module: String; var label: String; var serial: String
            var manufacturer: String; var model: String; var tokenObjects: Int; var storedObjects: Int; var pendingRows: Int
        }
        func run() async throws {
            let runtime = try Runtime(try options.load())
            let counts = try await runtime.store.counts()
            let t = runtime.token.tokenInfo
            printJSON(Report(profile: runtime.profile.name, tested: runtime.profile.tested, module: runtime.token.module.path,
                             label: t.label, serial: t.serial, manufacturer: t.manufacturer, model: t.model,
                             tokenObjects: runtime.token.objectCount, storedObjects: counts.objects, pendingRows: counts.pending))
        }
    }

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve token objects and rows left by a crash; report them.")
        @OptionGroup var options: ConfigOption
        func run() async throws {
            printJSON(try await Runtime(try options.load()).reconcile())
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
            let runtime = try Runtime(try options.load())
            printJSON(try await DevPKI(executor: BatchExecutor(services: try runtime.services(logger: Logger(label: "kmipd"))), directory: out)
                .create(serverKeyInToken: serverKeyInToken))
        }
    }
}
