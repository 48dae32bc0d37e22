import Foundation

/// The threads blocking work runs on: a bounded pool of its own, used as the task executor of every
/// request. A request is decoded, executed and answered on one of these threads, so its SQLite reads
/// and PKCS#11 calls run where they are made — no hop to another thread — and never on a NIO event
/// loop or the Swift cooperative pool (whose two threads would stall behind a slow token call).
/// Work that suspends (waiting for a session, a lock or a commit) frees its thread meanwhile.
public final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    public let threads: Int

    /// The process's pool: twice the cores, at least four (token calls and fsyncs wait more than they compute).
    public static let shared = BlockingExecutor(name: "kmipd.work", threads: max(4, ProcessInfo.processInfo.activeProcessorCount * 2))

    public init(name: String, threads: Int) {
        self.threads = max(1, threads)
        for i in 0..<self.threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "\(name).\(i)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Whether the caller runs on one of these threads (then blocking calls may be made in place).
    public static var isCurrent: Bool { pthread_getspecific(marker) != nil }

    private func work() {
        pthread_setspecific(Self.marker, Unmanaged.passUnretained(self).toOpaque())
        let me = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            // Compact now and then, so the array does not grow without bound.
            if head > 1024 && head * 2 > jobs.count { jobs.removeFirst(head); head = 0 }
            condition.unlock()
            job.runSynchronously(on: me)
        }
    }

    nonisolated(unsafe) private static let marker: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
