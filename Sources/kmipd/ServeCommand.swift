import ArgumentParser
import Foundation
import KMIPEngine
import KMIPServer
import KMIPTLS
import Logging
import ServiceLifecycle

/// `kmipd serve`: check that the store and the token belong together, finish what a crash interrupted,
/// then serve KMIP over mutual TLS until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve KMIP on the configured address.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "kmipd")
        let config = try options.load()
        // Before anything else: an existing store, this host's only kmipd on the token, and a store and
        // token bound to each other. Only then may reconciliation act on what the store recorded.
        let runtime = try Runtime(config)
        let lock = try runtime.lockToken()
        try await runtime.verifyBinding(logger: logger)
        let report = try await runtime.reconciler.run()
        if !report.isClean {
            logger.warning("reconciled token and store", metadata: [
                "abandonedCreates": "\(report.abandonedCreates.count)", "finishedDestroys": "\(report.finishedDestroys.count)",
                "unknownTokenObjects": "\(report.unknownTokenObjects.count) (left alone; see kmipd token reconcile)",
                "missingTokenObjects": "\(report.missingTokenObjects)"])
        }
        // tls.privateKey "token:<UID>": the server key is that private key in the token.
        let keyRef = config.tls.privateKey
        let tokenKey = keyRef.hasPrefix("token:") ? TokenTLSKey.inToken(runtime.token, privateKeyID: String(keyRef.dropFirst(6))) : nil
        let tls = try TLSContext(server: true, files: .init(certificateChain: config.path(config.tls.certificate),
                                                            privateKey: tokenKey == nil ? config.path(keyRef) : "",
                                                            trustedCA: config.path(config.tls.clientCA), tokenKey: tokenKey),
                                 options: config.tlsOptions)
        var executor = BatchExecutor(services: try runtime.services(logger: logger), maxBatchItems: config.limits.maxBatchItems)
        executor.limits.maxMessageSize = config.limits.maxMessageSize
        let server = KMIPServer(configuration: config.serverConfiguration, tls: tls, executor: executor, logger: logger)
        logger.info("token ready", metadata: ["token": "\(runtime.token.tokenInfo.label)", "objects": "\(runtime.token.objectCount)"])
        let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        // The server (and the token with it) may be released on another thread while this one exits:
        // the token's sessions are closed first, so that nothing is inside the module when it tears down.
        do { try await group.run() } catch { await runtime.token.prepareForExit(); throw error }
        await runtime.token.prepareForExit()
        withExtendedLifetime(lock) {}
    }
}
