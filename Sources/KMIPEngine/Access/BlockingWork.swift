import Synchronization

/// CPU-heavy blocking work (scrypt: 32 MiB and tens of milliseconds each) on the blocking-work threads
/// (`BlockingExecutor`), never the Swift cooperative pool — with two cores, two logins there would stall
/// every request of the server. At most `threads` such jobs run at once, so requests keep the other
/// threads, and at most `maxWaiting` are admitted; beyond that the work is refused at once.
public final class BlockingWork: Sendable {
    private struct State {
        var admitted = 0
        var running = 0
        var queue: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    let threads: Int
    let maxWaiting: Int

    public init(threads: Int, maxWaiting: Int) {
        self.threads = max(1, threads)
        self.maxWaiting = maxWaiting
    }

    /// nil when too much is waiting already (the caller refuses the request).
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        let admitted = state.withLock { s -> Bool in
            guard s.admitted < maxWaiting else { return false }
            s.admitted += 1
            return true
        }
        guard admitted else { return nil }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.running < threads { s.running += 1; return true }
                s.queue.append(c)
                return false
            }
            if now { c.resume() }
        }
        defer {
            let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
                s.admitted -= 1
                if s.queue.isEmpty { s.running -= 1; return nil }
                return s.queue.removeFirst()  // its place passes straight to the next
            }
            next?.resume()
        }
        return await withTaskExecutorPreference(BlockingExecutor.shared) { body() }
    }
}
