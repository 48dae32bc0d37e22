import Foundation
import Synchronization

/// The threads blocking work runs on: a bounded pool of its own, used as the task executor of every
/// request. A request is decoded, executed and answered on one of these threads, so its SQLite reads
/// and PKCS#11 calls run where they are made — no hop to another thread — and never on a NIO event
/// loop or the Swift cooperative pool (whose two threads would stall behind a slow token call).
/// Work that suspends (waiting for a session, a lock or a commit) frees its thread meanwhile.
public final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    private struct Queue {
        var jobs: [UnownedJob] = []
        var head = 0
    }
    private let queue = Mutex(Queue())
    /// One signal per job queued.
    private let ready = DispatchSemaphore(value: 0)
    public let threads: Int

    /// The process's pool: twice the cores, at least four (token calls and fsyncs wait more than they compute).
    public static let shared = BlockingExecutor(name: "kmipd.work", threads: max(4, ProcessInfo.processInfo.activeProcessorCount * 2))

    public init(name: String, threads: Int) {
        self.threads = max(1, threads)
        for i in 0..<self.threads {
            let threadName = "\(name).\(i)"
            let thread = Thread { [unowned self] in
                // Named from inside: on Linux a name set before start is not given to the thread.
                Thread.current.name = threadName
                self.work()
            }
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.jobs.append(job) }
        ready.signal()
    }

    /// Whether the caller runs on one of these threads (then blocking calls may be made in place).
    public static var isCurrent: Bool { pthread_getspecific(marker) != nil }

    private func work() {
        pthread_setspecific(Self.marker, Unmanaged.passUnretained(self).toOpaque())
        let me = asUnownedTaskExecutor()
        while true {
            ready.wait()
            let job = queue.withLock { q in
                let job = q.jobs[q.head]
                q.head += 1
                // Compact now and then, so the array does not grow without bound.
                if q.head > 1024 && q.head * 2 > q.jobs.count { q.jobs.removeFirst(q.head); q.head = 0 }
                return job
            }
            job.runSynchronously(on: me)
        }
    }

    nonisolated(unsafe) private static let marker: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
