import Foundation
import HSMBackend
import KMIPEngine
import Logging
import Store

/// The wired server parts a command needs: token (logged in), store (migrated), engine.
struct Runtime {
    let configuration: Configuration
    let profile: HSMProfile
    let token: PKCS11Token
    let store: SQLiteObjectStore

    init(_ configuration: Configuration) throws {
        self.configuration = configuration
        profile = try configuration.hsmProfile()
        guard let pin = profile.userPIN() else {
            throw CLIError("no user PIN: set \(profile.pinEnv) or token.pinFile in the configuration")
        }
        token = try PKCS11Token(profile: profile, pin: pin)
        let db = configuration.path(configuration.database)
        try FileManager.default.createDirectory(atPath: (db as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        store = try SQLiteObjectStore(path: db)
    }

    func services(logger: Logger) throws -> EngineServices {
        var info = ServerInfo()
        info.tokenDescription = "\(profile.name) token '\(token.tokenInfo.label)' serial \(token.tokenInfo.serial)"
        var policy = AccessPolicy(adminIdentities: Set(configuration.policy.admins),
                                  extractableByDefault: configuration.policy.extractableByDefault)
        policy.privateKeysExtractableByDefault = configuration.policy.privateKeysExtractableByDefault ?? false
        policy.acceptRNGSeed = configuration.policy.acceptRNGSeed ?? true
        policy.rngSeedMaximumBytes = configuration.policy.rngSeedMaximumBytes
        policy.defaultIssuerCertificate = configuration.policy.defaultIssuerCertificate
        if let days = configuration.policy.certificateValidityDays { policy.certificateValidityDays = days }
        if let file = configuration.policy.passwordFile { policy.passwords = try PasswordFile(path: configuration.path(file)) }
        policy.requireCredential = configuration.policy.requireCredential ?? false
        return EngineServices(store: store, token: token, policy: policy,
                              serverInfo: info, audit: Logger(label: "kmipd.audit"),
                              auditLog: try configuration.audit.map { try JSONLinesAudit(path: $0 == "-" ? "-" : configuration.path($0)) } ?? NoAudit())
    }

    func reconcile() async throws -> Reconciler.Report {
        try await Reconciler(store: store, token: token).run(ownsID: Reconciler.isServerUID)
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Prints a value as pretty JSON (the output of every provisioning command).
func printJSON(_ value: some Encodable) {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    if let d = try? enc.encode(value), let s = String(data: d, encoding: .utf8) { print(s) }
}
