import KMIP
import KMIPNIO
import NIOCore
import NIOHTTP1

/// One request message as the connection loop sees it: its bytes and their encoding.
struct InboundRequest: Sendable {
    var body: ByteBuffer
    var encoding: MessageEncoding
}

/// KMIP over raw TLS and KMIP over HTTPS share the port (Additional Message Encodings §2.2 allows it
/// when both are served): the first byte after the handshake decides. A TTLV request starts with the
/// Request Message tag (0x42…); anything else is taken as HTTP. This handler then puts the decoders
/// for that protocol after itself and leaves.
final class ProtocolSwitch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let maxMessageSize: Int
    let messageTimeout: TimeAmount

    init(maxMessageSize: Int, messageTimeout: TimeAmount) { self.maxMessageSize = maxMessageSize; self.messageTimeout = messageTimeout }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        let ops = context.pipeline.syncOperations
        do {
            if first == 0x42 {
                try ops.addHandlers([ByteToMessageHandler(KMIPFrameDecoder(maxMessageSize: maxMessageSize, messageTimeout: messageTimeout)),
                                     TTLVRequests()], position: .after(self))
            } else {
                let clock = HTTPRequestClock(timeout: messageTimeout)
                try ops.addHandlers([clock, HTTPResponseEncoder(),
                                     ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)),
                                     HTTPKMIPHandler(maxBodySize: maxMessageSize, clock: clock)], position: .after(self))
            }
        } catch {
            context.close(promise: nil)
            return
        }
        // On to the decoders just added, then out of the way.
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// TTLV frames are requests in the TTLV encoding.
final class TTLVRequests: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = InboundRequest
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(wrapInboundOut(InboundRequest(body: unwrapInboundIn(data), encoding: .ttlv)))
    }
}

/// A request's bytes must all arrive within the message timeout once its first byte has (slow
/// headers or a trickled body close the connection), as for TTLV frames.
final class HTTPRequestClock: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if deadline == nil {
            deadline = context.eventLoop.scheduleTask(in: timeout) { context.close(promise: nil) }
        }
        context.fireChannelRead(data)
    }

    /// The request read so far is complete: the next byte starts the clock again.
    func requestComplete() {
        deadline?.cancel()
        deadline = nil
    }

    func handlerRemoved(context: ChannelHandlerContext) { requestComplete() }
    func channelInactive(context: ChannelHandlerContext) { requestComplete(); context.fireChannelInactive() }
}
