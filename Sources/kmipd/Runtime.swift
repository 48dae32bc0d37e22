import Foundation
import HSMBackend
import KMIPEngine
import KMIPFiles
import Logging
import OperatorErrors
import Store

/// The wired server parts a command needs: the store (an existing one unless asked to create it;
/// migrated) and the token (logged in), and the checks that bind the two.
struct Runtime {
    let configuration: Configuration
    let profile: HSMProfile
    let token: PKCS11Token
    let store: any AdministeredStore
    let location: StoreLocation

    /// The store is opened first: a missing file, an unknown URL scheme or a file that is not a kmipd
    /// store is refused before the token is touched. `serve` never creates a store.
    init(_ configuration: Configuration, storeMode: StoreOpenMode = .openExisting) async throws {
        self.configuration = configuration
        location = try StoreLocation(configuration)
        store = try await location.open(configuration, mode: storeMode)
        (profile, token) = try Self.openToken(configuration)
    }

    /// The token alone (logged in), for what must work whatever state the store is in.
    static func openToken(_ configuration: Configuration) throws -> (HSMProfile, PKCS11Token) {
        try ProcessHardening.disableCoreDumps()
        let profile = try configuration.hsmProfile()
        let pin = profile.userPIN()
        ProcessHardening.scrubEnvironment(profile.pinEnv)
        guard let pin else {
            throw CLIError("no user PIN: set \(profile.pinEnv) or token.pinFile in the configuration")
        }
        // In a cluster other nodes change the token too (`PKCS11Token.shared`).
        let shared = (try? StoreLocation(configuration))?.isCluster ?? false
        return (profile, try PKCS11Token(profile: profile, pin: pin, shared: shared))
    }

    var bindCommand: String { "kmipd store bind --config \(configuration.source)" }
    var adoptCommand: String { "kmipd store adopt --config \(configuration.source)" }

    /// Keeps every other kmipd off this token while the caller runs. In a cluster (a PostgreSQL
    /// store) the nodes share the token by design: the store serialises them (`NodeLease`).
    func lockToken() throws -> TokenLock? {
        if location.isCluster { return nil }
        return try TokenLock(token: token.identity, directory: configuration.token.lockDirectory.map(configuration.path))
    }

    /// Refuses a store and a token that are not bound to each other (`BindingCheck`).
    func verifyBinding(logger: Logger? = nil) async throws {
        let identity = try await store.identity()
        let outcome = try await BindingCheck.verify(store: identity, storeName: store.name, token: try token.readBinding(),
                                                    tokenIdentity: token.identity, bindCommand: bindCommand, adoptCommand: adoptCommand)
        if outcome == .boundTokenRenamed {
            logger?.warning("the bound token reports a new serial or label; recorded", metadata: [
                "was": "\(identity.tokenLabel ?? "?") \(identity.tokenSerial ?? "?")", "now": "\(token.identity)"])
            var updated = identity
            updated.tokenSerial = token.identity.serial
            updated.tokenLabel = token.identity.label
            try await store.recordBinding(updated)
        }
    }

    /// Binds store and token to each other with a new binding id (token side first: a crash in between
    /// leaves a mismatch that start-up refuses, and repeating the command repairs it).
    @discardableResult
    func bind() async throws -> StoreIdentity {
        var identity = try await store.identity()
        let binding = TokenBinding(bindingID: UUID().uuidString.lowercased(), storeID: identity.storeID)
        try await token.writeBinding(binding)
        identity.bindingID = binding.bindingID
        identity.tokenSerial = token.identity.serial
        identity.tokenLabel = token.identity.label
        try await store.recordBinding(identity)
        return identity
    }

    /// Why an unbound store and this token may not simply be bound (nil: they may). A token that
    /// belongs to another store, or that holds kmipd objects this store does not describe at all,
    /// needs the deliberate `store adopt --take-over`.
    func reasonNotToBind() async throws -> String? {
        if let other = try await token.readBinding() {
            return "\(token.identity) belongs to store id \(other.storeID); to make this store its store instead: `\(adoptCommand) --take-over`"
        }
        let unknown = try await reconciler.plan().unknownTokenObjects.filter(Reconciler.isServerUID)
        let described = try await store.counts().objects
        if described == 0 && !unknown.isEmpty {
            return "the store is empty but \(token.identity) holds \(unknown.count) kmipd objects: to rebuild the store from the token: `\(adoptCommand) --take-over`"
        }
        return nil
    }

    var reconciler: Reconciler { Reconciler(store: store, token: token) }

    /// Token objects the store does not describe that a command may act on: those named (only if
    /// unknown), or else every unknown one in kmipd's UID form — never another application's unnamed.
    func unknownObjects(named ids: [String]) async throws -> (chosen: [String], notUnknown: [String]) {
        let unknown = try await reconciler.plan().unknownTokenObjects
        return ids.isEmpty ? (unknown.filter(Reconciler.isServerUID), []) : (ids.filter(unknown.contains), ids.filter { !unknown.contains($0) })
    }

    func services(logger: Logger) throws -> EngineServices {
        var info = ServerInfo()
        info.tokenDescription = "\(profile.name) token '\(token.tokenInfo.label)' serial \(token.tokenInfo.serial)"
        var defaults = ServerDefaults(extractableByDefault: configuration.policy.extractableByDefault)
        defaults.privateKeysExtractableByDefault = configuration.policy.privateKeysExtractableByDefault ?? true
        defaults.acceptRNGSeed = configuration.policy.acceptRNGSeed ?? true
        defaults.rngSeedMaximumBytes = configuration.policy.rngSeedMaximumBytes
        defaults.defaultIssuerCertificate = configuration.policy.defaultIssuerCertificate
        if let days = configuration.policy.certificateValidityDays { defaults.certificateValidityDays = days }
        let auditLog: any AuditSink
        do { auditLog = try configuration.audit.map { try JSONLinesAudit(path: $0 == "-" ? "-" : configuration.path($0)) } ?? NoAudit() } catch {
            throw CLIError("audit (in \(configuration.source)): \(Readable.reason(error))")
        }
        return EngineServices(store: MeasuredStore(store), token: token, policy: try Self.accessPolicy(configuration), defaults: defaults,
                              serverInfo: info, audit: Logger(label: "kmipd.audit"), auditLog: auditLog)
    }

    /// Who may do what: admins, the password file and groups (what `kmipd reload` re-reads).
    static func accessPolicy(_ configuration: Configuration) throws -> AccessPolicy {
        var policy = AccessPolicy(adminIdentities: Set(configuration.policy.admins))
        if let file = configuration.policy.passwordFile {
            do { policy.passwords = try PasswordFile(path: configuration.path(file)) } catch {
                throw CLIError("policy.passwordFile \(configuration.path(file)): \(Readable.reason(error))")
            }
        }
        policy.requireCredential = configuration.policy.requireCredential ?? false
        if let nonces = configuration.policy.clientNonces { policy.clientNonces = nonces }
        for g in configuration.policy.groups ?? [] {
            guard !g.name.isEmpty, !(g.members ?? []).isEmpty || (g.subjectField != nil && g.subjectValue != nil) else {
                throw CLIError("policy.groups: group \"\(g.name)\" needs a name and \"members\" or \"subjectField\" with \"subjectValue\"")
            }
            policy.groups.append(g)
        }
        return policy
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Asks before an irreversible change: the operator types `yes` (or passed --yes).
func confirm(_ question: String, yes: Bool) throws {
    if yes { return }
    FileHandle.standardError.write(Data("\(question) Type yes to go on: ".utf8))
    guard readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) == "yes" else {
        throw CLIError("not confirmed; nothing changed")
    }
}

/// Prints a value as pretty JSON (the output of every provisioning command).
func printJSON(_ value: some Encodable) {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    if let d = try? enc.encode(value), let s = String(data: d, encoding: .utf8) { print(s) }
}
