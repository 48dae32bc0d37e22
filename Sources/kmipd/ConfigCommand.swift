import ArgumentParser
import Foundation
import HSMBackend
import KMIPTLS
import OperatorErrors

/// `kmipd config check`: everything `serve` would refuse, found before it is started — one line per
/// problem naming the setting, exit status 1 when there is any.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Check a configuration.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a configuration: settings, files, TLS material, token and store.",
            discussion: "Example: kmipd config check --config /etc/kmipd/kmipd.json")
        @OptionGroup var options: ConfigOption
        @Flag(help: "Do not log in to the token or open the store (files and settings only).") var offline = false

        func run() async throws {
            let config: Configuration
            do { config = try options.load() } catch {
                print("\(error)")
                throw ExitCode(1)
            }
            var problems: [String] = []
            func problem(_ setting: String, _ text: String) { problems.append("\(config.source): \(setting): \(text)") }
            let fm = FileManager.default
            func file(_ setting: String, _ value: String?) {
                guard let value else { return }
                let p = config.path(value)
                if !fm.fileExists(atPath: p) { problem(setting, "\(p) does not exist") }
                else if !fm.isReadableFile(atPath: p) { problem(setting, "\(p) is not readable by this user") }
            }
            func folder(_ setting: String, _ value: String?) {
                guard let value, value != "-" else { return }
                let dir = (config.path(value) as NSString).deletingLastPathComponent
                var isDir: ObjCBool = false
                if !fm.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue { problem(setting, "folder \(dir) does not exist") }
                else if !fm.isWritableFile(atPath: dir) { problem(setting, "folder \(dir) is not writable by this user") }
            }
            file("tls.certificate", config.tls.certificate)
            if !config.tls.privateKey.hasPrefix("token:") { file("tls.privateKey", config.tls.privateKey) }
            file("tls.clientCA", config.tls.clientCA)
            file("tls.crlFile", config.tls.crlFile)
            file("token.pinFile", config.token.pinFile)
            file("token.softhsmConf", config.token.softhsmConf)
            file("policy.passwordFile", config.policy.passwordFile)
            file("databasePasswordFile", config.databasePasswordFile)
            folder("audit", config.audit)
            folder("pidFile", config.pidFile ?? "kmipd.pid")
            do { _ = try AdminListen(config) } catch { problems.append("\(error)") }
            if let level = config.log.level, !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level.lowercased()) {
                problem("log.level", "\"\(level)\" is not one of trace, debug, info, notice, warning, error, critical")
            }
            if let format = config.log.format, !["text", "json"].contains(format) { problem("log.format", "\"\(format)\" is not text or json") }
            if !(1...65535).contains(config.listen.port) { problem("listen.port", "\(config.listen.port) is not a port") }
            do { _ = try Runtime.accessPolicy(config) } catch { problems.append("\(config.source): \(error)") }
            var profile: HSMProfile?
            do { profile = try config.hsmProfile() } catch { problem("token.profile", "\(error)") }
            if let profile, profile.modulePath() == nil { problem("token.profile", "no PKCS#11 module among \(profile.modules.joined(separator: ", "))") }
            // The TLS material as the server loads it (key file and certificate match, CA, CRL).
            if problems.isEmpty, !config.tls.privateKey.hasPrefix("token:") {
                do {
                    _ = try TLSContext(server: true, files: .init(certificateChain: config.path(config.tls.certificate),
                                                                  privateKey: config.path(config.tls.privateKey),
                                                                  trustedCA: config.path(config.tls.clientCA)), options: config.tlsOptions)
                } catch { problem("tls", error.message) }
            }
            if problems.isEmpty && !offline {
                do {
                    let runtime = try await Runtime(config)
                    try await runtime.verifyBinding()
                    _ = try await runtime.store.counts()
                    if config.tls.privateKey.hasPrefix("token:") { _ = try runtime.serverTLS(config) }
                    await runtime.token.prepareForExit()
                    await runtime.store.close()
                } catch { problems.append("\(config.source): token or store: \(Readable.reason(error))") }
            }
            if problems.isEmpty {
                print("\(config.source): OK" + (offline ? " (files and settings; token and store not checked)" : ""))
                return
            }
            for p in problems { print(p) }
            throw ExitCode(1)
        }
    }
}
