import Foundation
import KMIP
import Synchronization

/// Streaming Encrypt/Decrypt in progress (KMIP 2.1 §6.1.17: Init Indicator, Correlation Value, Final
/// Indicator). Each stream belongs to the identity that began it, is used by one request at a time,
/// and is cancelled after an idle period; their number is bounded (each holds a token session).
public final class StreamRegistry: @unchecked Sendable {
    struct Entry: Sendable {
        var stream: any TokenStream
        var uid: String
        var owner: String
        var encrypt: Bool
        var tagLength: Int?
        var lastUsed: Int64
    }

    private let entries = Mutex<[[UInt8]: Entry]>([:])
    public let limit: Int
    public let idleSeconds: Int64

    public init(limit: Int = 64, idleSeconds: Int64 = 120) { self.limit = limit; self.idleSeconds = idleSeconds }

    /// Registers a new stream and returns its Correlation Value.
    func add(_ entry: Entry) throws(EngineError) -> [UInt8] {
        let key = withUnsafeBytes(of: UUID().uuid) { Array($0) }
        let ok: Bool = entries.withLock { entries in
            guard entries.count < limit else { return false }
            entries[key] = entry
            return true
        }
        guard ok else { throw EngineError(.generalFailure, "too many streaming operations in progress (\(limit))") }
        return key
    }

    /// Takes a stream out for one request (so two requests cannot use it at once).
    func take(_ key: [UInt8], owner: String) -> Entry? {
        entries.withLock { entries in
            guard let e = entries[key], e.owner == owner else { return nil }
            entries[key] = nil
            return e
        }
    }

    func putBack(_ key: [UInt8], _ entry: Entry) { entries.withLock { $0[key] = entry } }

    /// Streams idle for too long, removed (the caller cancels them).
    func expired(now: Int64) -> [Entry] {
        entries.withLock { entries in
            let old = entries.filter { now - $0.value.lastUsed > idleSeconds }
            for k in old.keys { entries[k] = nil }
            return Array(old.values)
        }
    }

    /// In a cluster a stream lives on the node that began it: a step sent to another node says so.
    static func nodeHint(_ context: RequestContext) -> String {
        context.services.serverInfo.nodeName.map { " on node \($0) (a stream's steps must reach the node that began it)" } ?? ""
    }
}
