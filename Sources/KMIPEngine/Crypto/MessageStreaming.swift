import Foundation
import KMIP
import Synchronization

/// Streaming for Sign, Signature Verify and MAC (KMIP 2.1 §6.1.55 etc.): the parts of the message are
/// gathered (they are the client's data, not key material; at most `maxBytes`) and the token signs or
/// MACs the whole message at Final.
enum MessageStreaming {
    static let maxBytes = 16 << 20

    /// A stream that keeps what it is given.
    final class Buffer: TokenStream, @unchecked Sendable {
        private let data = Mutex([UInt8]())
        func update(_ part: [UInt8]) async throws(EngineError) -> [UInt8] { try append(part); return [] }
        func finish() async throws(EngineError) -> [UInt8] { take() }
        func cancel() async { _ = take() }

        // Locks are taken in synchronous helpers (never across a suspension point).
        private func append(_ part: [UInt8]) throws(EngineError) {
            let fits = data.withLock { d in
                guard d.count + part.count <= MessageStreaming.maxBytes else { return false }
                d += part
                return true
            }
            guard fits else { throw EngineError(.invalidField, "a streamed message may be at most \(MessageStreaming.maxBytes) bytes") }
        }
        private func take() -> [UInt8] {
            data.withLock { d in defer { d = [] }; return d }
        }
    }

    /// For a streamed request: the Correlation Value to answer now (more parts to come), or nil once the
    /// whole message is in `request.data`. Requests that do not stream pass through untouched.
    static func gather(_ payload: some CryptographicRequest, _ request: inout CryptoRequest,
                       _ context: RequestContext) async throws(EngineError) -> [UInt8]? {
        guard payload.stream.isStreaming else { return nil }
        switch try await gather(payload.stream, request.data ?? [], subject: request.object.uid, context) {
        case .more(let correlation): return correlation
        case .whole(let message): request.data = message; return nil
        }
    }

    enum Step { case more(correlation: [UInt8]), whole([UInt8]) }

    /// One step of a gathered stream about `subject` (a key's Unique Identifier, or what Hash names):
    /// the Correlation Value to answer (the same on every step), or the whole message at Final.
    static func gather(_ stream: StreamFields, _ data: [UInt8], subject: String, _ context: RequestContext) async throws(EngineError) -> Step {
        let registry = context.services.streams
        for stale in registry.expired(now: context.now) { await stale.stream.cancel() }
        var entry: StreamRegistry.Entry
        var key: [UInt8]?
        if let correlation = stream.correlationValue {
            guard let e = registry.take(correlation, owner: context.identity), e.uid == subject else {
                throw EngineError(.invalidField, "no streaming operation with that Correlation Value for this request\(StreamRegistry.nodeHint(context))")
            }
            entry = e; key = correlation
        } else {
            entry = StreamRegistry.Entry(stream: Buffer(), uid: subject, owner: context.identity, encrypt: true,
                                         tagLength: nil, lastUsed: context.now)
        }
        _ = try await entry.stream.update(data)
        if stream.isFinal { return .whole(try await entry.stream.finish()) }
        entry.lastUsed = context.now
        if let key { registry.putBack(key, entry); return .more(correlation: key) }
        return .more(correlation: try registry.add(entry))
    }
}
