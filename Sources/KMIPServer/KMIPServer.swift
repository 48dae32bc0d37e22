import Foundation
import KMIP
import KMIPEngine
import KMIPNIO
import KMIPTLS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Synchronization
import NIOPosix
import ServiceLifecycle

/// The KMIP listener as a `Service`: TLS, framing and one task per connection. It only moves frames;
/// the batch executor does the work. Graceful shutdown (`Drain`) stops accepting, closes idle
/// connections and lets requests in flight finish.
public final class KMIPServer: Service, Sendable {
    public let configuration: ServerConfiguration
    let logger: Logger
    let group: any EventLoopGroup
    private let bound = Mutex<(EventLoopPromise<Int>?, Int?)>((nil, nil))
    private let admission: ConnectionAdmission
    /// What a reload replaces: new handshakes take the TLS context current then, each request the
    /// executor (with its access policy) current then.
    private let material: Mutex<(tls: TLSContext, executor: BatchExecutor)>
    let drain = Drain()
    private let requestIDs = RequestIDs()

    public init(configuration: ServerConfiguration, tls: TLSContext, executor: BatchExecutor,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "kmipd.server")) {
        self.configuration = configuration; self.material = Mutex((tls, executor)); self.group = group; self.logger = logger
        admission = ConnectionAdmission(maxHandshakes: configuration.maxHandshakes, maxConnections: configuration.maxConnections)
    }

    /// Replaces the TLS material and/or the executor; connections already open go on as they are.
    public func reload(tls: TLSContext? = nil, executor: BatchExecutor? = nil) {
        material.withLock { m in
            if let tls { m.tls = tls }
            if let executor { m.executor = executor }
        }
    }

    public var executor: BatchExecutor { material.withLock { $0.executor } }

    /// Connections in their handshake and established ones, now.
    public var connectionCounts: (handshaking: Int, established: Int) { admission.counts }

    /// True from the moment graceful shutdown began (readiness is false from then on).
    public var isDraining: Bool { drain.isDraining }

    /// The port actually bound (useful with port 0), once listening.
    public func boundPort() async throws -> Int {
        let future: EventLoopFuture<Int> = bound.withLock { state in
            if let p = state.1 { return group.next().makeSucceededFuture(p) }
            if state.0 == nil { state.0 = group.next().makePromise(of: Int.self) }
            return state.0!.futureResult
        }
        return try await future.get()
    }

    public func run() async throws {
        let config = configuration
        let admission = self.admission
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Each connection keeps its last read buffer for the next read: start small (an idle
            // connection holds it), grow for large messages.
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536))
            .bind(host: config.host, port: config.port) { child in
                child.eventLoop.makeCompletedFuture {
                    let tls = self.material.withLock { $0.tls }
                    let handler = OpenSSLHandler(context: tls, handshakeTimeout: config.handshakeTimeout, recordTimeout: config.messageTimeout)
                    try child.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: config.idleTimeout))
                    try child.pipeline.syncOperations.addHandler(IdleCloser())
                    try child.pipeline.syncOperations.addHandler(handler)
                    try child.pipeline.syncOperations.addHandler(AdmissionHandler(admission))
                    // TTLV frames or HTTP requests, by the first byte (`ProtocolSwitch`).
                    try child.pipeline.syncOperations.addHandler(ProtocolSwitch(maxMessageSize: config.maxMessageSize,
                                                                                messageTimeout: config.messageTimeout))
                    // Requests are answered in order, one at a time per connection; at most
                    // maxPendingRequests more are read ahead before the server stops reading.
                    let pending = max(1, config.maxPendingRequests)
                    let async = try NIOAsyncChannel<InboundRequest, ByteBuffer>(wrappingChannelSynchronously: child, configuration: .init(
                        backPressureStrategy: .init(lowWatermark: max(1, pending / 2), highWatermark: pending)))
                    return Connection(channel: async, peer: handler.peerBox)
                }
            }
        let port = channel.channel.localAddress?.port ?? config.port
        let waiter = bound.withLock { state -> EventLoopPromise<Int>? in state.1 = port; return state.0 }
        waiter?.succeed(port)
        logger.info("kmipd listening", metadata: ["address": "\(config.host):\(port)"])

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                try await channel.executeThenClose { inbound in
                    // Admission (ConnectionAdmission) closes what is over the limits; a closed
                    // connection's task ends at once.
                    for try await connection in inbound {
                        // Each connection's requests run on the blocking-work threads: decoded, executed
                        // (store reads and token calls in place) and answered there.
                        tasks.addTask(executorPreference: BlockingExecutor.shared) { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.drain.begin(delay: config.drainDelay, listener: channel.channel, logger: self.logger)
        }
    }

    /// An accepted connection. One that is never served — still queued when the server stops or is
    /// cancelled — must still finish its writer: NIO stops the process when a NIOAsyncChannel is
    /// dropped otherwise (seen in CI: a test stopping its server while a connection was queued).
    final class Connection: Sendable {
        let channel: NIOAsyncChannel<InboundRequest, ByteBuffer>
        let peer: PeerBox
        init(channel: NIOAsyncChannel<InboundRequest, ByteBuffer>, peer: PeerBox) { self.channel = channel; self.peer = peer }
        deinit {
            // Finishing twice is harmless; executeThenClose has already finished a served one.
            Self.finish(channel)
            channel.channel.close(promise: nil)
        }
        /// `outbound` is deprecated in favour of executeThenClose, which a deinit cannot call.
        private static func finish(_ c: NIOAsyncChannel<InboundRequest, ByteBuffer>) { c.outbound.finish() }
    }

    /// One connection: frames in, responses out, in order. Errors stay with this connection.
    func serve(_ connection: Connection) async {
        let remote = connection.channel.channel.remoteAddress?.description ?? "?"
        guard let id = drain.open(connection.channel.channel) else { return }  // the drain delay is over: not served
        defer { drain.close(id) }
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                for try await request in inbound {
                    guard let peer = connection.peer.value else { return }  // no verified identity: close
                    guard drain.busy(id) else { return }  // a request read after the drain delay is not served
                    let bytes = Array(buffer: request.body)
                    let now = Int64(Date().timeIntervalSince1970)
                    let requestID = requestIDs.next()
                    if logger.logLevel <= .debug {
                        logger.debug("request", metadata: ["request": "\(requestID)", "remote": "\(remote)", "identity": "\(peer.subject)",
                                                           "bytes": "\(bytes.count)"])
                    }
                    let response = await answer(bytes, request.encoding, identity: peer.subject, now: now, requestID: requestID)
                    try await outbound.write(ByteBuffer(bytes: response))
                    guard drain.idle(id) else { return }  // the drain delay is over: answered, now close
                }
            }
        } catch {
            logger.debug("connection closed", metadata: ["remote": "\(remote)", "reason": "\(error)"])
        }
    }
}

extension KMIPServer {
    /// One request in its encoding, answered in the same encoding. XML and JSON are read into a tree
    /// under the same limits as TTLV (`TTLVXML.decode`, `TTLVJSON.decode`).
    func answer(_ bytes: [UInt8], _ encoding: MessageEncoding, identity: String, now: Int64, requestID: String) async -> [UInt8] {
        let executor = self.executor
        if encoding == .ttlv { return await executor.process(bytes, identity: identity, now: now, requestID: requestID) }
        let tree = Result { () throws(KMIPCodecError) in try encoding.decode(bytes, limits: executor.limits) }
        return encoding.encode(await executor.process(tree: tree, identity: identity, now: now, requestID: requestID))
    }
}

/// Closes a connection that has been idle past the configured timeout.
final class IdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil); return }
        context.fireUserInboundEventTriggered(event)
    }
}
