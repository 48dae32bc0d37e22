import Synchronization

/// One-at-a-time access per Unique Identifier for operations that read, change and write an object
/// (attribute edits, state changes, usage counts), so concurrent requests cannot lose each other's
/// updates. Operations that only read do not take it. A waiter whose task is cancelled (its connection
/// closed, the server stopping) leaves the queue at once.
public final class ObjectLocks: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Bool, Never>
    }
    private struct State {
        var held: Set<String> = []
        var waiting: [String: [Waiter]] = [:]
        /// Waiters that have asked (granted or queued), and those cancelled before they could ask.
        var registered: Set<Int> = []
        var cancelledBeforeWaiting: Set<Int> = []
        var nextID = 0
    }
    private let state = Mutex(State())
    /// Other nodes' changes, when several share one store (`ClusterLocks`); nil for a single node.
    private let cluster: (any ClusterLocks)?

    public init(cluster: (any ClusterLocks)? = nil) { self.cluster = cluster }

    /// The lock is taken here first, then across the cluster: a node asks the cluster for an object
    /// at most once at a time, however many of its requests wait for it.
    public func withLock<T>(_ uid: String, _ body: () async throws(EngineError) -> T) async throws(EngineError) -> T {
        guard await acquire(uid) else { throw EngineError(.generalFailure, "request cancelled while waiting for object \(uid)") }
        defer { release(uid) }
        guard let cluster else { return try await body() }
        try await cluster.acquire(uid)
        let result: Result<T, EngineError>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        await cluster.release(uid)
        return try result.get()
    }

    /// true once held; false when the task was cancelled first.
    private func acquire(_ uid: String) async -> Bool {
        let id = state.withLock { s in s.nextID += 1; return s.nextID }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<Bool, Never>) in
                let answer: Bool? = state.withLock { s in
                    if s.cancelledBeforeWaiting.remove(id) != nil { return false }
                    s.registered.insert(id)
                    if s.held.insert(uid).inserted { return true }
                    s.waiting[uid, default: []].append(Waiter(id: id, continuation: cont))
                    return nil
                }
                if let answer { cont.resume(returning: answer) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { s in
                if let i = s.waiting[uid]?.firstIndex(where: { $0.id == id }) {
                    let w = s.waiting[uid]!.remove(at: i)
                    if s.waiting[uid]!.isEmpty { s.waiting[uid] = nil }
                    return w
                }
                if !s.registered.contains(id) { s.cancelledBeforeWaiting.insert(id) }
                return nil
            }
            waiter?.continuation.resume(returning: false)
        }
        state.withLock { _ = $0.registered.remove(id) }
        return granted
    }

    private func release(_ uid: String) {
        let next: Waiter? = state.withLock { s in
            guard var queue = s.waiting[uid], !queue.isEmpty else {
                s.held.remove(uid)
                s.waiting[uid] = nil
                return nil
            }
            let first = queue.removeFirst()  // the lock passes straight to the next waiter
            s.waiting[uid] = queue.isEmpty ? nil : queue
            return first
        }
        next?.continuation.resume(returning: true)
    }
}

/// Serialises changes to one object among the nodes that share a store (implemented by the store
/// that can be shared). `release` must not fail: a lock a node cannot release is released by the
/// store when the node's connection ends.
public protocol ClusterLocks: Sendable {
    func acquire(_ uid: String) async throws(EngineError)
    func release(_ uid: String) async
}
