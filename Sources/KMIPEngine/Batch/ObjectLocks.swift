import Foundation

/// One-at-a-time access per Unique Identifier for operations that read, change and write an object
/// (attribute edits, state changes, usage counts), so concurrent requests cannot lose each other's
/// updates. Operations that only read do not take it.
public final class ObjectLocks: @unchecked Sendable {
    private let lock = NSLock()
    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    public init() {}

    public func withLock<T>(_ uid: String, _ body: () async throws(EngineError) -> T) async throws(EngineError) -> T {
        await acquire(uid)
        defer { release(uid) }
        return try await body()
    }

    private func acquire(_ uid: String) async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            let free: Bool = lock.withLock {
                if held.insert(uid).inserted { return true }
                waiting[uid, default: []].append(cont)
                return false
            }
            if free { cont.resume() }
        }
    }

    private func release(_ uid: String) {
        let next: CheckedContinuation<Void, Never>? = lock.withLock {
            guard var queue = waiting[uid], !queue.isEmpty else {
                held.remove(uid)
                waiting[uid] = nil
                return nil
            }
            let first = queue.removeFirst()  // the lock passes straight to the next waiter
            waiting[uid] = queue.isEmpty ? nil : queue
            return first
        }
        next?.resume()
    }
}
