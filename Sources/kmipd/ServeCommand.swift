import ArgumentParser
import Foundation
import KMIPEngine
import KMIPServer
import KMIPTLS
import Logging
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
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            if let clusterNode { handler.metadata["node"] = "\(clusterNode)" }
            return handler
        }
        let logger = Logger(label: "kmipd")
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
        // tls.privateKey "token:<UID>": the server key is that private key in the token.
        let keyRef = config.tls.privateKey
        let tokenKey = keyRef.hasPrefix("token:") ? TokenTLSKey.inToken(runtime.token, privateKeyID: String(keyRef.dropFirst(6))) : nil
        let tls = try TLSContext(server: true, files: .init(certificateChain: config.path(config.tls.certificate),
                                                            privateKey: tokenKey == nil ? config.path(keyRef) : "",
                                                            trustedCA: config.path(config.tls.clientCA), tokenKey: tokenKey),
                                 options: config.tlsOptions)
        var services = try runtime.services(logger: logger)
        services.serverInfo.nodeName = clusterNode
        var clusterLocks: AdvisoryLocks?
        if let store = runtime.store as? PostgresObjectStore {
            clusterLocks = AdvisoryLocks(location: store.location, password: store.password)
            services.locks = ObjectLocks(cluster: clusterLocks)
        }
        var executor = BatchExecutor(services: services, maxBatchItems: config.limits.maxBatchItems)
        executor.limits.maxMessageSize = config.limits.maxMessageSize
        let server = KMIPServer(configuration: config.serverConfiguration, tls: tls, executor: executor, logger: logger)
        logger.info("token ready", metadata: ["token": "\(runtime.token.tokenInfo.label)", "objects": "\(runtime.token.objectCount)"])
        let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
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
