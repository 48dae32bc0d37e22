import KMIP
import KMIPNIO
import KMIPTLS
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One mutually authenticated TLS connection to a KMIP server. Requests are answered in order.
public final class KMIPConnection: Sendable {
    let channel: any Channel
    let collector: ResponseCollector

    public enum ClientError: Error, CustomStringConvertible {
        case closed
        case malformedResponse(String)
        public var description: String {
            switch self {
            case .closed: "the server closed the connection"
            case .malformedResponse(let m): "malformed response: \(m)"
            }
        }
    }

    init(channel: any Channel, collector: ResponseCollector) { self.channel = channel; self.collector = collector }

    public static func connect(host: String, port: Int, tls: TLSContext, maxMessageSize: Int = 16 << 20,
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> KMIPConnection {
        try await open(host: host, port: port, tls: tls, group: group) { ops in
            try ops.addHandler(ByteToMessageHandler(KMIPFrameDecoder(maxMessageSize: maxMessageSize, expectedTag: .responseMessage)))
        }
    }

    /// TLS, then `framing` (what turns TLS plaintext into TTLV response frames and requests into
    /// bytes: the frame decoder, or HTTP), then the collector that matches responses to requests.
    static func open(host: String, port: Int, tls: TLSContext, group: any EventLoopGroup,
                     framing: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void) async throws -> KMIPConnection {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(OpenSSLHandler(context: tls))
                    try framing(ch.pipeline.syncOperations)
                    try ch.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(host: host, port: port).get()
        let collector = try await channel.pipeline.handler(type: ResponseCollector.self).get()
        return KMIPConnection(channel: channel, collector: collector)
    }

    /// Sends raw bytes and waits for the next whole response frame.
    public func sendRaw(_ bytes: [UInt8]) async throws -> [UInt8] {
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let collector = self.collector
        let channel = self.channel
        channel.eventLoop.execute {
            guard collector.enqueue(promise) else { return }
            // A write that fails because the handshake failed reports the handshake's error.
            channel.writeAndFlush(ByteBuffer(bytes: bytes)).whenFailure { collector.fail(promise, $0) }
        }
        let frame = try await promise.futureResult.get()
        return Array(buffer: frame)
    }

    public func send(_ request: RequestMessage) async throws -> ResponseMessage {
        let bytes = try await sendRaw(TTLVEncoder.encode(request.ttlv))
        do {
            return try ResponseMessage(ttlv: try TTLVDecoder().decode(bytes))
        } catch { throw ClientError.malformedResponse(error.description) }
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Matches response frames to waiting requests, first in first out.
final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private var waiting: [EventLoopPromise<ByteBuffer>] = []
    /// The first error of the connection (a refused handshake, often before any request was sent).
    private var failure: (any Error)?

    /// Called on the channel's event loop only. False (and `p` failed) once the connection failed.
    func enqueue(_ p: EventLoopPromise<ByteBuffer>) -> Bool {
        if let failure { p.fail(failure); return false }
        waiting.append(p)
        return true
    }

    /// Fails a request whose write failed, with the connection's first error when there is one.
    func fail(_ p: EventLoopPromise<ByteBuffer>, _ error: any Error) {
        guard let i = waiting.firstIndex(where: { $0.futureResult === p.futureResult }) else { return }
        waiting.remove(at: i).fail(failure ?? error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !waiting.isEmpty else { return }
        waiting.removeFirst().succeed(frame)
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = error }
        failAll(error)
        context.close(promise: nil)
    }
    func channelInactive(context: ChannelHandlerContext) {
        if failure == nil { failure = KMIPConnection.ClientError.closed }
        failAll(failure!)
        context.fireChannelInactive()
    }
    private func failAll(_ error: any Error) {
        let w = waiting
        waiting.removeAll()
        for p in w { p.fail(error) }
    }
}
