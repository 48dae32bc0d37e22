import Foundation
import HSMBackend
import KMIPEngine
import KMIPServer
import KMIPTLS
import NIOCore
import OperatorErrors

/// `kmipd` configuration (JSON). Relative paths are resolved against the configuration file's folder.
struct Configuration: Codable {
    struct Listen: Codable { var host = "127.0.0.1"; var port = 5696 }
    struct TLS: Codable {
        var certificate: String
        var privateKey: String
        var clientCA: String
        /// "TLSv1.2" (default) or "TLSv1.3".
        var minimumVersion: String?
        /// TLS 1.2 cipher list and TLS 1.3 suites, OpenSSL syntax (defaults: TLSContext.tls12Ciphers, OpenSSL's).
        var ciphers: String?
        var ciphersuites: String?
        /// PEM CRL(s) of the client CA, checked on every handshake.
        var crlFile: String?
    }
    struct Token: Codable {
        var profile: String
        var label: String?
        var pinFile: String?
        /// For SoftHSM2: the configuration file to point SOFTHSM2_CONF at before the module loads.
        var softhsmConf: String?
        /// Where the lock file that keeps a second kmipd off this token goes (`TokenLock`).
        var lockDirectory: String?
    }
    struct Policy: Codable {
        var admins: [String] = []
        var extractableByDefault = true
        var privateKeysExtractableByDefault: Bool? = nil
        var acceptRNGSeed: Bool? = nil
        /// Seed bytes of one RNG Seed request passed to the token (0: ignored); all when absent.
        var rngSeedMaximumBytes: Int? = nil
        var defaultIssuerCertificate: String? = nil
        var certificateValidityDays: Int? = nil
        /// Usernames and scrypt hashes for KMIP Username and Password credentials (`kmipd passwd`).
        var passwordFile: String? = nil
        /// Refuse requests that carry no valid credential.
        var requireCredential: Bool? = nil
        /// Who may choose the nonce of a GCM or CTR Encrypt: "refuse", "ifMayDecrypt" (default), "accept".
        var clientNonces: AccessPolicy.ClientNonces? = nil
        /// Certificates that act as one identity ("group:NAME"): by listed subjects or a subject field.
        var groups: [ClientGroup]? = nil
    }
    /// The operator's HTTP listener (`AdminServer`): "HOST:PORT", or "off".
    struct Admin: Codable {
        var listen: String?
    }
    /// Log lines on standard error: `level` trace…critical (default info), `format` text or json.
    struct Log: Codable {
        var level: String?
        var format: String?
    }
    /// Every limit may be left out; the default then applies.
    struct Limits: Codable {
        var maxMessageSize = 1 << 20
        var maxConnections = 1024
        var maxHandshakes = 256
        var maxBatchItems = 256
        var idleTimeoutSeconds: Int64 = 300
        var handshakeTimeoutSeconds: Int64 = 10
        var messageTimeoutSeconds: Int64 = 30
        var maxPendingRequests = 8
        /// On SIGTERM: seconds to keep accepting after readiness went false, then seconds in-flight
        /// requests may take.
        var drainDelaySeconds: Int64 = 0
        var drainTimeoutSeconds: Int64 = 30

        init() {}
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Limits()
            maxMessageSize = try c.decodeIfPresent(Int.self, forKey: .maxMessageSize) ?? d.maxMessageSize
            maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? d.maxConnections
            maxHandshakes = try c.decodeIfPresent(Int.self, forKey: .maxHandshakes) ?? d.maxHandshakes
            maxBatchItems = try c.decodeIfPresent(Int.self, forKey: .maxBatchItems) ?? d.maxBatchItems
            idleTimeoutSeconds = try c.decodeIfPresent(Int64.self, forKey: .idleTimeoutSeconds) ?? d.idleTimeoutSeconds
            handshakeTimeoutSeconds = try c.decodeIfPresent(Int64.self, forKey: .handshakeTimeoutSeconds) ?? d.handshakeTimeoutSeconds
            messageTimeoutSeconds = try c.decodeIfPresent(Int64.self, forKey: .messageTimeoutSeconds) ?? d.messageTimeoutSeconds
            maxPendingRequests = try c.decodeIfPresent(Int.self, forKey: .maxPendingRequests) ?? d.maxPendingRequests
            drainDelaySeconds = try c.decodeIfPresent(Int64.self, forKey: .drainDelaySeconds) ?? d.drainDelaySeconds
            drainTimeoutSeconds = try c.decodeIfPresent(Int64.self, forKey: .drainTimeoutSeconds) ?? d.drainTimeoutSeconds
        }
    }

    /// The audit log: a file path (created 0600) or "-" for standard output; none when absent.
    var audit: String?
    var listen = Listen()
    var tls: TLS
    var token: Token
    var database: String
    /// The PostgreSQL password's file (first line), when `KMIPD_DATABASE_PASSWORD` is not set.
    var databasePasswordFile: String?
    /// This node's name in a cluster (logs, audit lines, Query, intent rows); default: the host name.
    var node: String?
    var policy = Policy()
    var limits = Limits()
    var admin = Admin()
    var log = Log()
    /// Where `serve` writes its process id (for `kmipd reload`); default `kmipd.pid` beside this file.
    var pidFile: String?

    /// The folder relative paths start from.
    var baseDirectory = ""
    /// The configuration file, for messages that name a setting.
    var source = "the configuration"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, tls, token, database, databasePasswordFile, node, policy, limits, audit, admin, log, pidFile
    }

    /// Reads and checks the file: a setting kmipd does not know is refused (a mistyped policy key
    /// must not silently leave the default in force), as is a value of the wrong kind.
    static func load(_ path: String) throws -> Configuration {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CLIError("cannot read the configuration \(Readable.reason(error)) (make one with `kmipd dev init`, or pass --config FILE)")
        }
        let unknown: [String]
        do { unknown = try ConfigurationKeys.unknown(in: data) } catch {
            throw CLIError("configuration \(url.path): \(Readable.reason(error))")
        }
        if !unknown.isEmpty {
            throw CLIError("configuration \(url.path): unknown setting\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")) (see README, Configuration)")
        }
        var c: Configuration
        do { c = try JSONDecoder().decode(Configuration.self, from: data) } catch {
            throw CLIError("configuration \(url.path): \(Readable.reason(error))")
        }
        c.baseDirectory = url.deletingLastPathComponent().path
        c.source = url.path
        return c
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decodeIfPresent(Listen.self, forKey: .listen) ?? Listen()
        tls = try c.decode(TLS.self, forKey: .tls)
        token = try c.decode(Token.self, forKey: .token)
        database = try c.decode(String.self, forKey: .database)
        databasePasswordFile = try c.decodeIfPresent(String.self, forKey: .databasePasswordFile)
        node = try c.decodeIfPresent(String.self, forKey: .node)
        policy = try c.decodeIfPresent(Policy.self, forKey: .policy) ?? Policy()
        limits = try c.decodeIfPresent(Limits.self, forKey: .limits) ?? Limits()
        audit = try c.decodeIfPresent(String.self, forKey: .audit)
        admin = try c.decodeIfPresent(Admin.self, forKey: .admin) ?? Admin()
        log = try c.decodeIfPresent(Log.self, forKey: .log) ?? Log()
        pidFile = try c.decodeIfPresent(String.self, forKey: .pidFile)
    }

    init(tls: TLS, token: Token, database: String) { self.tls = tls; self.token = token; self.database = database }

    func path(_ p: String) -> String {
        p.hasPrefix("/") ? p : (baseDirectory as NSString).appendingPathComponent(p)
    }

    /// The HSM profile with this configuration's overrides applied; SOFTHSM2_CONF set when given.
    func hsmProfile() throws -> HSMProfile {
        let file = try ProfileLocator.find(token.profile, relativeTo: baseDirectory)
        var profile: HSMProfile
        do { profile = try HSMProfile.load(path: file) } catch {
            throw CLIError("HSM profile \(file) (token.profile in \(source)): \(Readable.reason(error))")
        }
        if let l = token.label { profile.tokenLabel = l }
        if let f = token.pinFile { profile.pinFile = path(f) }
        if let conf = token.softhsmConf { setenv("SOFTHSM2_CONF", path(conf), 1) }
        return profile
    }

    var tlsOptions: TLSContext.Options {
        TLSContext.Options(minimumVersion: tls.minimumVersion ?? "TLSv1.2", ciphers: tls.ciphers ?? TLSContext.tls12Ciphers,
                           ciphersuites: tls.ciphersuites, crlFile: tls.crlFile.map(path))
    }

    var serverConfiguration: ServerConfiguration {
        var c = ServerConfiguration(host: listen.host, port: listen.port, maxMessageSize: limits.maxMessageSize,
                            maxConnections: limits.maxConnections, idleTimeout: .seconds(limits.idleTimeoutSeconds),
                            handshakeTimeout: .seconds(limits.handshakeTimeoutSeconds),
                            messageTimeout: .seconds(limits.messageTimeoutSeconds), maxPendingRequests: limits.maxPendingRequests,
                            maxHandshakes: limits.maxHandshakes)
        c.drainDelay = .seconds(limits.drainDelaySeconds)
        c.drainTimeout = .seconds(limits.drainTimeoutSeconds)
        return c
    }
}
