import KMIP
import KMIPNIO
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

/// The frame decoder (KMIP 2.1 §9.1 framing) under NIO's own decoder verifier, which feeds every input
/// byte by byte, in pieces and whole, and checks the same frames come out with nothing left over.
@Suite struct FrameDecoderTests {
    static func message(_ tag: KMIP.Tag, _ children: [TTLV]) -> ByteBuffer {
        ByteBuffer(bytes: TTLVEncoder.encode(.structure(tag, children)))
    }

    @Test func framesWholeMessagesHoweverTheBytesArrive() throws {
        let small = Self.message(.requestMessage, [TTLV(.uniqueIdentifier, .textString("a"))])
        let large = Self.message(.requestMessage, [TTLV(.data, .byteString(Array(repeating: 7, count: 3000)))])
        var both = small
        var copy = large
        both.writeBuffer(&copy)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(small, [small]), (large, [large]), (both, [small, large])],
            decoderFactory: { KMIPFrameDecoder(maxMessageSize: 4096) })
    }

    @Test func refusesAnOversizedMessageFromItsHeader() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(KMIPFrameDecoder(maxMessageSize: 64)))
        // Only the 8-byte header is sent: the length it claims is refused before any body is buffered.
        let header = ByteBuffer(bytes: [0x42, 0x00, 0x78, 0x01, 0x00, 0x10, 0x00, 0x00])
        #expect(throws: KMIPFrameDecoder.FrameError.tooLarge(0x10_0008)) { try channel.writeInbound(header) }
        _ = try? channel.finish()
    }

    @Test func refusesWhatIsNotARequestMessage() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(KMIPFrameDecoder(maxMessageSize: 4096)))
        let response = Self.message(.responseMessage, [])
        #expect(throws: KMIPFrameDecoder.FrameError.notAKMIPMessage) { try channel.writeInbound(response) }
        _ = try? channel.finish()
    }

    @Test func aClientAcceptsResponseMessages() throws {
        let response = Self.message(.responseMessage, [TTLV(.uniqueIdentifier, .textString("b"))])
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(response, [response])],
            decoderFactory: { KMIPFrameDecoder(maxMessageSize: 4096, expectedTag: .responseMessage) })
    }
}
