import ArgumentParser
import Foundation
import KMIPEngine
import KMIPServer
import KMIPTLS
import Logging
import UnixSignals
import PostgresStore
import ServiceLifecycle

/// `kmipd serve`: check that the store and the token belong together, finish what a crash interrupted,
/// then serve KMIP over mutual TLS until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve KMIP on the configured address.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        // Every log line names the node when several serve one store.
        let clusterNode = try StoreLocation(config).isCluster ? config.nodeName : config.node
        try LogSetup.bootstrap(config.log, node: clusterNode, source: config.source)
        let logger = Logger(label: "kmipd")
        // Before the token opens: its calls are timed from the first. Without an admin listener
        // nothing could read them, and swift-metrics stays on its no-op backend.
        let admin = try AdminListen(config)
        let metrics = admin.map { _ in MetricsExport() }
        // Before anything else: an existing store, this host's only kmipd on the token (or, in a
        // cluster, this node's lease on its name), and a store and token bound to each other. Only
        // then may reconciliation act on what the store recorded.
        let runtime = try await Runtime(config)
        let lock = try runtime.lockToken()
        let lease = try await claimNodeName(runtime, logger: logger)
        try await runtime.verifyBinding(logger: logger)
        let report = try await runtime.reconciler.run()
        if !report.isClean {
            logger.warning("reconciled token and store", metadata: [
                "abandonedCreates": "\(report.abandonedCreates.count)", "finishedDestroys": "\(report.finishedDestroys.count)",
                "unknownTokenObjects": "\(report.unknownTokenObjects.count) (left alone; see kmipd token reconcile)",
                "missingTokenObjects": "\(report.missingTokenObjects)"])
        }
        if lease != nil {
            logger.info("joined the cluster", metadata: ["reconciledIntents": "\(report.abandonedCreates.count)",
                                                         "inFlightElsewhere": "\(report.inFlightElsewhere.count)"])
        }
        let tls = try runtime.serverTLS(config)
        var engine = try runtime.services(logger: logger)
        engine.serverInfo.nodeName = clusterNode
        var clusterLocks: AdvisoryLocks?
        if let store = runtime.store as? PostgresObjectStore {
            clusterLocks = AdvisoryLocks(location: store.location, password: store.password)
            engine.locks = ObjectLocks(cluster: clusterLocks)
        }
        var executor = BatchExecutor(services: engine, maxBatchItems: config.limits.maxBatchItems)
        executor.limits.maxMessageSize = config.limits.maxMessageSize
        let server = KMIPServer(configuration: config.serverConfiguration, tls: tls, executor: executor, logger: logger)
        logger.info("token ready", metadata: ["token": "\(runtime.token.tokenInfo.label)", "objects": "\(runtime.token.objectCount)"])
        let reloader = Reloader(runtime: runtime, server: server, logger: logger)
        // Graceful shutdown goes through the services in reverse: the admin listener stops last, so
        // that /readyz answers "draining" for as long as the KMIP listener drains.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: server), .init(service: ReloadOnHangup(reloader: reloader))]
        if let admin, let metrics {
            let listener = AdminServer(host: admin.host, port: admin.port, logger: logger, routes: AdminRoutes(
                runtime: runtime, server: server, metrics: metrics, reloader: reloader).routes)
            // The default address is a convenience: when it is taken (a second kmipd on this host) the
            // server runs without it. An address the configuration names must be had.
            services.insert(.init(service: admin.configured ? listener : OptionalService(listener, logger: logger,
                                  what: "admin listener on the default \(admin.host):\(admin.port) (set admin.listen)"),
                                  successTerminationBehavior: .ignore), at: 0)
        }
        let pidFile = PidFile(config)
        do { try pidFile.write() } catch { logger.warning("\(error); kmipd reload cannot find this server (send SIGHUP instead)") }
        defer { pidFile.remove() }
        // SIGTERM: readiness false, drain (`Drain`); what still runs after the drain delay and timeout is cancelled.
        var groupConfig = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .seconds(config.limits.drainDelaySeconds + config.limits.drainTimeoutSeconds)
        let group = ServiceGroup(configuration: groupConfig)
        // The server (and the token with it) may be released on another thread while this one exits:
        // the token's sessions are closed first, so that nothing is inside the module when it tears down.
        do { try await group.run() } catch { await stop(runtime, lease, clusterLocks); throw error }
        await stop(runtime, lease, clusterLocks)
        withExtendedLifetime(lock) {}
    }

    /// In a cluster: this node's lease on its name, waiting (and saying so) while a previous holder's
    /// lease runs out.
    func claimNodeName(_ runtime: Runtime, logger: Logger) async throws -> NodeLease? {
        guard let store = runtime.store as? PostgresObjectStore else { return nil }
        let lease = NodeLease(store: store)
        do {
            try await lease.claim { holder in
                logger.warning("node name still leased; waiting for the lease to run out", metadata: ["holder": "\(holder)"])
            }
        } catch { throw CLIError("\(error.message) (set \"node\" in \(runtime.configuration.source))") }
        return lease
    }

    func stop(_ runtime: Runtime, _ lease: NodeLease?, _ locks: AdvisoryLocks?) async {
        await runtime.token.prepareForExit()
        await locks?.close()
        await lease?.release()
        await runtime.store.close()
    }
}

/// Reloads on every SIGHUP until the server stops; the files are read on a blocking-work thread.
struct ReloadOnHangup: Service {
    let reloader: Reloader
    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            await withTaskExecutorPreference(BlockingExecutor.shared) { _ = reloader.reload() }
        }
    }
}

/// A service whose failure is logged, not fatal.
struct OptionalService<S: Service>: Service {
    let inner: S
    let logger: Logger
    let what: String
    init(_ inner: S, logger: Logger, what: String) { self.inner = inner; self.logger = logger; self.what = what }
    func run() async throws {
        do { try await inner.run() } catch { logger.warning("running without the \(what)", metadata: ["reason": "\(error)"]) }
    }
}

/// `admin.listen`: "HOST:PORT" (default 127.0.0.1:9696), or "off".
struct AdminListen {
    var host: String
    var port: Int
    /// Named by the configuration (not the default).
    var configured: Bool

    init?(_ config: Configuration) throws {
        configured = config.admin.listen != nil
        let text = config.admin.listen ?? "127.0.0.1:9696"
        if text == "off" { return nil }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw CLIError("admin.listen \"\(text)\" in \(config.source): use HOST:PORT (e.g. 127.0.0.1:9696) or \"off\"")
        }
        host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
    }
}
