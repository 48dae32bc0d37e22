import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The operator's HTTP listener, apart from the KMIP port (default loopback): `GET /metrics`
/// (Prometheus text format), `/healthz` (the process answers), `/readyz` (token logged in, store
/// answering, not draining), `/reload` (the last configuration reload, JSON). Read-only: nothing
/// here changes the server. Small by design: one request at a time per connection, a few
/// connections, bodies ignored, idle connections closed.
public final class AdminServer: Service, Sendable {
    /// One answer: status, content type, body.
    public struct Answer: Sendable {
        public var status: HTTPResponseStatus
        public var contentType: String
        public var body: String
        public init(_ status: HTTPResponseStatus, _ body: String, contentType: String = "text/plain; charset=utf-8") {
            self.status = status; self.contentType = contentType; self.body = body
        }
    }
    public typealias Route = @Sendable () async -> Answer

    let host: String
    let port: Int
    let routes: [String: Route]
    let logger: Logger
    private let bound = Mutex<Int?>(nil)
    private let open = Atomic<Int>(0)
    static let maxConnections = 32

    public init(host: String, port: Int, logger: Logger, routes: [String: Route]) {
        self.host = host; self.port = port; self.routes = routes; self.logger = logger
    }

    public var boundPort: Int? { bound.withLock { $0 } }

    public func run() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(10)))
                    try child.pipeline.syncOperations.addHandler(IdleCloser())
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let port = channel.channel.localAddress?.port ?? self.port
        bound.withLock { $0 = port }
        logger.info("admin listener", metadata: ["address": "\(host):\(port)", "paths": "/metrics /healthz /readyz /reload"])
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        // A few operators' tools at once; more are closed at once.
                        guard open.add(1, ordering: .relaxed).newValue <= Self.maxConnections else {
                            open.subtract(1, ordering: .relaxed)
                            try? await connection.executeThenClose { _, _ in }
                            continue
                        }
                        tasks.addTask {
                            await self.serve(connection)
                            self.open.subtract(1, ordering: .relaxed)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            channel.channel.close(promise: nil)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let h): head = h
                case .body: continue  // no route takes a body
                case .end:
                    guard let h = head else { return }
                    let answer = await answer(h)
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: answer.contentType)
                    headers.add(name: "Content-Length", value: "\(answer.body.utf8.count)")
                    headers.add(name: "Cache-Control", value: "no-store")
                    if !h.isKeepAlive { headers.add(name: "Connection", value: "close") }
                    try await outbound.write(.head(HTTPResponseHead(version: h.version, status: answer.status, headers: headers)))
                    if h.method != .HEAD { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: answer.body)))) }
                    try await outbound.write(.end(nil))
                    if !h.isKeepAlive { return }
                    head = nil
                }
            }
        }
    }

    func answer(_ head: HTTPRequestHead) async -> Answer {
        guard head.method == .GET || head.method == .HEAD else { return Answer(.methodNotAllowed, "only GET and HEAD\n") }
        let path = String(head.uri.prefix { $0 != "?" })
        guard let route = routes[path] else { return Answer(.notFound, "no such path; try /metrics /healthz /readyz /reload\n") }
        return await route()
    }
}
