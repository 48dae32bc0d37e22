import Foundation
import KMIP

/// Streaming for Sign, Signature Verify and MAC (KMIP 2.1 §6.1.53 etc.): the parts of the message are
/// gathered (they are the client's data, not key material; at most `maxBytes`) and the token signs or
/// MACs the whole message at Final.
enum MessageStreaming {
    static let maxBytes = 16 << 20

    /// A stream that keeps what it is given.
    final class Buffer: TokenStream, @unchecked Sendable {
        private var data = [UInt8]()
        private let lock = NSLock()
        func update(_ part: [UInt8]) async throws(EngineError) -> [UInt8] { try append(part); return [] }
        func finish() async throws(EngineError) -> [UInt8] { take() }
        func cancel() async { _ = take() }

        // Locks are taken in synchronous helpers (never across a suspension point).
        private func append(_ part: [UInt8]) throws(EngineError) {
            lock.lock(); defer { lock.unlock() }
            guard data.count + part.count <= MessageStreaming.maxBytes else {
                throw EngineError(.invalidField, "a streamed message may be at most \(MessageStreaming.maxBytes) bytes")
            }
            data += part
        }
        private func take() -> [UInt8] {
            lock.lock(); defer { lock.unlock() }
            let d = data
            data = []
            return d
        }
    }

    enum Step { case more(TTLV), whole([UInt8]) }

    /// For a streamed request: the response to send now (more parts to come), or nil once the whole
    /// message is in `request.data`. Requests that do not stream pass through untouched.
    static func gather(_ payload: TTLV, _ request: inout CryptoRequest, _ context: RequestContext) async throws(EngineError) -> TTLV? {
        guard Streaming.isStreaming(payload) else { return nil }
        switch try await step(payload, request, context) {
        case .more(let response): return response
        case .whole(let message): request.data = message; return nil
        }
    }

    /// Adds this request's Data to its stream: `.more(response)` until Final, then `.whole(message)`.
    static func step(_ payload: TTLV, _ request: CryptoRequest, _ context: RequestContext) async throws(EngineError) -> Step {
        let registry = context.services.streams
        for stale in registry.expired(now: context.now) { await stale.stream.cancel() }
        let data = request.data ?? []
        var entry: StreamRegistry.Entry
        var key: [UInt8]?
        if let correlation = payload.first(.correlationValue)?.bytes {
            guard let e = registry.take(correlation, owner: context.identity), e.uid == request.object.uid else {
                throw EngineError(.invalidField, "no streaming operation with that Correlation Value for this key")
            }
            entry = e; key = correlation
        } else {
            entry = StreamRegistry.Entry(stream: Buffer(), uid: request.object.uid, owner: context.identity, encrypt: true,
                                         tagLength: nil, lastUsed: context.now)
        }
        _ = try await entry.stream.update(data)
        if payload.first(.finalIndicator)?.bool == true { return .whole(try await entry.stream.finish()) }
        entry.lastUsed = context.now
        let correlation: [UInt8]
        if let key { registry.putBack(key, entry); correlation = key } else { correlation = try registry.add(entry) }
        return .more(.structure(.responsePayload, [TTLV(.uniqueIdentifier, .textString(request.object.uid)),
                                                   TTLV(.correlationValue, .byteString(correlation))]))
    }
}
