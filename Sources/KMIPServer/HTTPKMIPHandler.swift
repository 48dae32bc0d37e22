import KMIP
import NIOCore
import NIOHTTP1

/// KMIP over HTTPS (Additional Message Encodings 1.0 §2): `POST /kmip` with a Content-Type of
/// `application/octet-stream` (TTLV), `text/xml` or `application/json`, and a body of at most the
/// KMIP message size limit. Each request becomes an `InboundRequest`; each answer the loop writes
/// (in order) goes out as `200` with the request's Content-Type, Content-Length and
/// `Cache-Control: no-cache`. Faults of HTTP itself get an HTTP status and a close; KMIP errors are
/// KMIP responses inside a 200.
final class HTTPKMIPHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = InboundRequest
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTPServerResponsePart

    static let path = "/kmip"
    let maxBodySize: Int
    let clock: HTTPRequestClock

    /// The request being read.
    private var head: HTTPRequestHead?
    private var encoding = MessageEncoding.ttlv
    private var body: ByteBuffer?
    /// Requests handed on and not yet answered, oldest first: how to answer each.
    private var answering: [(encoding: MessageEncoding, version: HTTPVersion, keepAlive: Bool)] = []
    /// An HTTP fault found while earlier requests were still being answered: sent after them.
    private var fault: HTTPResponseStatus?
    private var closing = false

    init(maxBodySize: Int, clock: HTTPRequestClock) { self.maxBodySize = maxBodySize; self.clock = clock }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing, fault == nil else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            guard h.method == .POST else { return refuse(context, .methodNotAllowed) }
            guard h.uri.split(separator: "?").first.map(String.init) == Self.path else { return refuse(context, .notFound) }
            guard h.version.major == 1 else { return refuse(context, .httpVersionNotSupported) }
            let chunked = h.headers[canonicalForm: "transfer-encoding"].contains { $0.lowercased() == "chunked" }
            let lengths = h.headers["content-length"]
            guard chunked || lengths.count == 1, let length = chunked ? 0 : Int(lengths[0]), length >= 0 else {
                return refuse(context, lengths.count > 1 ? .badRequest : .lengthRequired)
            }
            guard length <= maxBodySize else { return refuse(context, .payloadTooLarge) }
            guard let type = h.headers.first(name: "content-type") else { return refuse(context, .unsupportedMediaType) }
            guard let e = MessageEncoding(contentType: type) else { return refuse(context, .unsupportedMediaType) }
            if h.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: .continue))), promise: nil)
            }
            head = h; encoding = e
            body = context.channel.allocator.buffer(capacity: min(length, 64 * 1024))
        case .body(var part):
            guard head != nil else { return }
            guard (body?.readableBytes ?? 0) + part.readableBytes <= maxBodySize else { return refuse(context, .payloadTooLarge) }
            body?.writeBuffer(&part)
        case .end:
            guard let h = head, let b = body else { return }
            clock.requestComplete()
            head = nil; body = nil
            answering.append((encoding, h.version, h.isKeepAlive))
            context.fireChannelRead(wrapInboundOut(InboundRequest(body: b, encoding: encoding)))
        }
    }

    /// The KMIP answer to the oldest unanswered request.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !answering.isEmpty else { promise?.fail(ChannelError.ioOnClosedChannel); return }
        let request = answering.removeFirst()
        let body = unwrapOutboundIn(data)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: request.encoding.contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Cache-Control", value: "no-cache")
        if !request.keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        done.cascade(to: promise)
        if !request.keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
        else if answering.isEmpty, let status = fault { send(context, status) }
    }

    /// A malformed request (the HTTP decoder's error): 400, then close.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { refuse(context, .badRequest) } else { context.fireErrorCaught(error) }
    }

    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus) {
        head = nil; body = nil
        if answering.isEmpty { send(context, status) } else { fault = status }
    }

    private func send(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus) {
        guard !closing else { return }
        closing = true
        let text = "\(status.code) \(status.reasonPhrase): KMIP over HTTPS is POST \(Self.path) with Content-Type application/octet-stream, text/xml or application/json and a Content-Length\n"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        headers.add(name: "Connection", value: "close")
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "POST") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
