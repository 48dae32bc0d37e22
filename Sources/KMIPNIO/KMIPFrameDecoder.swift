import KMIP
import NIOCore

/// Splits the TLS plaintext into whole KMIP messages (KMIP 2.1 §9.1: an 8-byte TTLV header whose
/// length field is at offset 4). The size is checked from the header, before the body is buffered.
/// A message that has started must be complete within `messageTimeout`, or the connection is closed.
public struct KMIPFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public let maxMessageSize: Int
    /// The tag a frame must start with: Request Message for a server, Response Message for a client.
    public let expectedTag: Tag
    public let messageTimeout: TimeAmount?
    private var deadline: Scheduled<Void>?

    public init(maxMessageSize: Int, expectedTag: Tag = .requestMessage, messageTimeout: TimeAmount? = nil) {
        self.maxMessageSize = maxMessageSize; self.expectedTag = expectedTag; self.messageTimeout = messageTimeout
    }

    public enum FrameError: Error, Equatable {
        case notAKMIPMessage
        case tooLarge(Int)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= 8,
              let header = buffer.getBytes(at: buffer.readerIndex, length: 8) else { return waitForMore(context, buffer) }
        let tag = UInt32(header[0]) << 16 | UInt32(header[1]) << 8 | UInt32(header[2])
        guard tag == expectedTag.rawValue, header[3] == ItemType.structure.rawValue else { throw FrameError.notAKMIPMessage }
        guard let total = TTLVDecoder.frameLength(header), total <= maxMessageSize else {
            throw FrameError.tooLarge(TTLVDecoder.frameLength(header) ?? 0)
        }
        guard buffer.readableBytes >= total, let frame = buffer.readSlice(length: total) else { return waitForMore(context, buffer) }
        deadline?.cancel()
        deadline = nil
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    /// Starts the clock when part of a message is buffered.
    private mutating func waitForMore(_ context: ChannelHandlerContext, _ buffer: ByteBuffer) -> DecodingState {
        if let messageTimeout, deadline == nil, buffer.readableBytes > 0 {
            let channel = context.channel
            deadline = context.eventLoop.scheduleTask(in: messageTimeout) { channel.close(promise: nil) }
        }
        return .needMoreData
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    public mutating func decoderRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
