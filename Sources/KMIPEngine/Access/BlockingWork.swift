import Foundation
import Synchronization

/// A small bounded pool of threads of its own for CPU-heavy blocking work (scrypt: 32 MiB and tens of
/// milliseconds each), so it never occupies the Swift cooperative pool — with two cores, two logins
/// there would stall every request of the server. At most `threads` run at once and at most
/// `maxWaiting` wait; beyond that the work is refused at once.
/// (`@unchecked`: OperationQueue is thread-safe but not marked Sendable.)
public final class BlockingWork: @unchecked Sendable {
    private let queue: OperationQueue
    private let waiting = Mutex(0)
    let maxWaiting: Int

    public init(name: String, threads: Int, maxWaiting: Int) {
        let q = OperationQueue()
        q.name = name
        q.maxConcurrentOperationCount = threads
        q.qualityOfService = .userInitiated
        queue = q
        self.maxWaiting = maxWaiting
    }

    /// nil when the pool is full (the caller refuses the request).
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        let admitted = waiting.withLock { n -> Bool in
            guard n < maxWaiting else { return false }
            n += 1
            return true
        }
        guard admitted else { return nil }
        defer { waiting.withLock { $0 -= 1 } }
        return await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
            queue.addOperation { c.resume(returning: body()) }
        }
    }
}
