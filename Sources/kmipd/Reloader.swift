import CoreMetrics
import Foundation
import KMIPEngine
import KMIPServer
import KMIPTLS
import Logging
import OperatorErrors
import Synchronization

/// Re-reads the configuration on SIGHUP (`kmipd reload` sends it): the server certificate and key,
/// the client CA, the CRL, the password file, admins and groups. New handshakes and new requests use
/// the new material; open connections go on. Nothing is replaced unless all of it is valid, and the
/// outcome is logged, counted (`kmipd_config_reloads_total`) and kept for `GET /reload`.
final class Reloader: Sendable {
    struct Status: Codable, Sendable {
        /// Reloads attempted since start (0: none yet).
        var generation = 0
        var ok = true
        var message = "no reload yet"
        var time: String?
    }

    let runtime: Runtime
    let server: KMIPServer
    let logger: Logger
    private let state = Mutex(Status())

    init(runtime: Runtime, server: KMIPServer, logger: Logger) { self.runtime = runtime; self.server = server; self.logger = logger }

    var status: Status { state.withLock { $0 } }

    @discardableResult
    func reload() -> Status {
        let outcome: (ok: Bool, message: String)
        do { outcome = (true, try apply()) } catch { outcome = (false, Readable.reason(error)) }
        let status = state.withLock { s -> Status in
            s.generation += 1; s.ok = outcome.ok; s.message = outcome.message; s.time = ISO8601DateFormatter().string(from: Date())
            return s
        }
        if outcome.ok { logger.notice("configuration reloaded", metadata: ["changes": "\(outcome.message)"]) }
        else { logger.error("configuration reload refused; the previous settings stay in force", metadata: ["reason": "\(outcome.message)"]) }
        CoreMetrics.Counter(label: "kmipd_config_reloads_total", dimensions: [("result", outcome.ok ? "success" : "failure")]).increment()
        if outcome.ok { CoreMetrics.Gauge(label: "kmipd_config_last_reload_success_timestamp_seconds").record(Date().timeIntervalSince1970) }
        return status
    }

    /// Builds everything first, then swaps: a failure leaves the server as it was.
    private func apply() throws -> String {
        let fresh = try Configuration.load(runtime.configuration.source)
        let tls = try runtime.serverTLS(fresh)
        var executor = server.executor
        executor.services.policy = try Runtime.accessPolicy(fresh)
        server.reload(tls: tls, executor: executor)
        let old = runtime.configuration
        let restartOnly = [("listen", old.listen.host != fresh.listen.host || old.listen.port != fresh.listen.port),
                           ("token", old.token.profile != fresh.token.profile || old.token.label != fresh.token.label),
                           ("database", old.database != fresh.database), ("audit", old.audit != fresh.audit),
                           ("admin", old.admin.listen != fresh.admin.listen), ("node", old.node != fresh.node)]
            .filter(\.1).map(\.0)
        if !restartOnly.isEmpty {
            logger.warning("changed settings that take effect only after a restart", metadata: ["settings": "\(restartOnly.joined(separator: ", "))"])
        }
        let tlsParts = "certificate, key, client CA" + (fresh.tls.crlFile == nil ? "" : ", CRL")
        let policyParts = "admins (\(fresh.policy.admins.count)), groups (\(fresh.policy.groups?.count ?? 0))"
            + (fresh.policy.passwordFile == nil ? "" : ", password file")
        return "tls \(tlsParts); policy \(policyParts)" + (restartOnly.isEmpty ? "" : "; restart needed for \(restartOnly.joined(separator: ", "))")
    }
}

extension Runtime {
    /// The server's TLS context from `config`: files, or `tls.privateKey` "token:<UID>" for a server
    /// key that is a private key in the token.
    func serverTLS(_ config: Configuration) throws -> TLSContext {
        let keyRef = config.tls.privateKey
        let tokenKey = keyRef.hasPrefix("token:") ? TokenTLSKey.inToken(token, privateKeyID: String(keyRef.dropFirst(6))) : nil
        do {
            return try TLSContext(server: true, files: .init(certificateChain: config.path(config.tls.certificate),
                                                             privateKey: tokenKey == nil ? config.path(keyRef) : "",
                                                             trustedCA: config.path(config.tls.clientCA), tokenKey: tokenKey),
                                  options: config.tlsOptions)
        } catch {
            throw CLIError("tls (in \(config.source)): \(error.message)")
        }
    }
}
