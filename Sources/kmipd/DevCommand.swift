import ArgumentParser
import Foundation
import DevPKI
import HSMBackend
import KMIPEngine
import Logging
import PKCS11

/// `kmipd dev init`: the embedded default state folder that `scripts/serve` uses: a SoftHSM2 token
/// directory (or, with another `--profile`, that module's token initialised), PINs, the configuration,
/// the store (made and bound to the token) and the dev PKI. Idempotent.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dev", abstract: "Development state.", subcommands: [Init.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (or reuse) a development state folder.")
        @Option(help: "The state folder.") var state: String = ".kmipd"
        @Option(help: "The HSM profile: a path, or a name found among the installed profiles.") var profile: String = "softhsm2"
        @Option(help: "Port to listen on.") var port: Int = 5696
        @Flag(help: "Make the server's TLS key in the token (RSA 2048, never extractable) instead of a key file.")
        var serverKeyInToken = false

        struct Report: Codable { var state: String; var config: String; var tokenCreated: Bool; var pki: String }

        func run() async throws {
            let fm = FileManager.default
            let dir = URL(fileURLWithPath: state).standardizedFileURL.path
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            chmod(dir, 0o700)
            let profilePath = try ProfileLocator.find(profile)
            let softHSM = try HSMProfile.load(path: profilePath).usesSoftHSM2
            // SoftHSM2 keeps its token in the state folder; other modules keep theirs where they do.
            if softHSM { _ = try TokenProvisioning.configureSoftHSM(stateDir: dir) }
            let configPath = dir + "/kmipd.json"
            if !fm.fileExists(atPath: configPath) {
                let softHSMConf = softHSM ? ", \"softhsmConf\": \"softhsm2.conf\"" : ""
                let text = """
                {
                  "listen": { "host": "127.0.0.1", "port": \(port) },
                  "token": { "profile": "\(profilePath)", "label": "kmipd", "pinFile": "user.pin"\(softHSMConf) },
                  "database": "kmipd.sqlite",
                  "audit": "audit.jsonl",
                  "tls": { "certificate": "pki/server.crt", "privateKey": "pki/server.key", "clientCA": "pki/ca.crt" },
                  "policy": { "admins": [], "extractableByDefault": true },
                  "limits": { "maxMessageSize": 1048576, "maxConnections": 1024, "maxBatchItems": 256,
                              "idleTimeoutSeconds": 300, "handshakeTimeoutSeconds": 10, "messageTimeoutSeconds": 30,
                              "maxPendingRequests": 8 }
                }

                """
                try text.write(toFile: configPath, atomically: true, encoding: .utf8)
                chmod(configPath, 0o600)
            }
            let config = try Configuration.load(configPath)
            let hsm = try config.hsmProfile()
            guard let module = hsm.modulePath() else { throw CLIError("\(hsm.name) is not installed (no module among \(hsm.modules))") }
            // PINs as long as the token takes, up to 16 hexadecimal digits (openCryptoki: at most 8).
            let pinFile = dir + "/user.pin", soFile = dir + "/so.pin"
            let longest = (try? Module.shared(path: module).tokens().map(\.pinLength.upperBound).min()) ?? 16
            for f in [pinFile, soFile] where !fm.fileExists(atPath: f) {
                try TokenProvisioning.randomPIN(length: min(16, longest)).write(toFile: f, atomically: true, encoding: .utf8)
                chmod(f, 0o600)
            }
            let pin = try String(contentsOfFile: pinFile, encoding: .utf8), so = try String(contentsOfFile: soFile, encoding: .utf8)
            let token = try TokenProvisioning.initialize(modulePath: module, label: hsm.tokenLabel, soPIN: so, userPIN: pin,
                                                         provisioning: hsm.provisioning)
            // The store: made and bound on the first run; a store made before binding existed is bound
            // now when nothing speaks against it. Then the same check as `serve`.
            let storePath = try StoreLocation(config).name
            let runtime = try await Runtime(config, storeMode: fm.fileExists(atPath: storePath) ? .openExisting : .create)
            let pkiDir = dir + "/pki"
            let needsPKI = !fm.fileExists(atPath: pkiDir + "/client.key")
            let lock = try await runtime.store.identity().isBound && !needsPKI ? nil : runtime.lockToken()
            defer { withExtendedLifetime(lock) {} }
            if try await !runtime.store.identity().isBound {
                let bound = try await StoreCommand.Init.bindIfFree(runtime)
                if let note = bound.note { throw CLIError("\(storePath): \(note)") }
            }
            try await runtime.verifyBinding()
            if needsPKI {
                let pki = try await DevPKI(executor: BatchExecutor(services: try runtime.services(logger: Logger(label: "kmipd"))),
                                           directory: pkiDir).create(serverKeyInToken: serverKeyInToken)
                if serverKeyInToken { try Self.setServerKey(pki.serverKey, in: configPath) }
            }
            printJSON(Report(state: dir, config: configPath, tokenCreated: token.created, pki: pkiDir))
        }

        /// Points the configuration's tls.privateKey at the token key ("token:<UID>").
        static func setServerKey(_ ref: String, in configPath: String) throws {
            let data = try Data(contentsOf: URL(fileURLWithPath: configPath))
            guard var json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  var tls = json["tls"] as? [String: Any] else { throw CLIError("\(configPath) has no tls section") }
            tls["privateKey"] = ref
            json["tls"] = tls
            let out = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try out.write(to: URL(fileURLWithPath: configPath))
            chmod(configPath, 0o600)
        }
    }
}
