import KMIP
import KMIPTLS
import NIOCore
import NIOHTTP1
import NIOPosix

/// KMIP over HTTPS for the client (Additional Message Encodings 1.0 §2.4): each TTLV request the
/// connection sends goes out as `POST PATH` in the chosen encoding, and each answer comes back to
/// the connection as TTLV, so everything above `KMIPConnection` works unchanged on either transport.
final class HTTPKMIPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTPClientRequestPart

    let encoding: MessageEncoding
    let path: String
    let host: String
    private var status: HTTPResponseStatus = .ok
    private var body: ByteBuffer?
    /// A client reads what its own server says: far larger than a request may be.
    static let responseLimits = TTLVLimits(maxMessageSize: 64 << 20)

    init(encoding: MessageEncoding, path: String, host: String) { self.encoding = encoding; self.path = path; self.host = host }

    struct HTTPFailure: Error, CustomStringConvertible {
        var status: HTTPResponseStatus
        var body: String
        var description: String { "HTTP \(status.code) \(status.reasonPhrase): \(body.prefix(200))" }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let ttlv = Array(buffer: unwrapOutboundIn(data))
        let bytes: [UInt8]
        do { bytes = encoding == .ttlv ? ttlv : encoding.encode(try TTLVDecoder(limits: Self.responseLimits).decode(ttlv)) } catch {
            promise?.fail(error); return
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Type", value: encoding.contentType)
        headers.add(name: "Content-Length", value: String(bytes.count))
        headers.add(name: "Cache-Control", value: "no-cache")
        context.write(wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            status = h.status
            body = context.channel.allocator.buffer(capacity: 4096)
        case .body(var part):
            body?.writeBuffer(&part)
        case .end:
            guard let b = body else { return }
            body = nil
            guard status == .ok else {
                context.fireErrorCaught(HTTPFailure(status: status, body: String(buffer: b)))
                return
            }
            do {
                let tree = try encoding.decode(Array(buffer: b), limits: Self.responseLimits)
                context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: TTLVEncoder.encode(tree))))
            } catch {
                context.fireErrorCaught(error)
            }
        }
    }
}

extension KMIPConnection {
    /// A connection that speaks KMIP over HTTPS, `encoding` on the wire.
    public static func connectHTTPS(host: String, port: Int, tls: TLSContext, encoding: MessageEncoding, path: String = "/kmip",
                                    group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> KMIPConnection {
        try await open(host: host, port: port, tls: tls, group: group) { ops in
            try ops.addHTTPClientHandlers()
            try ops.addHandler(HTTPKMIPClientHandler(encoding: encoding, path: path, host: host))
        }
    }
}
