import CPKCS11
import Foundation
import PKCS11
import KMIPEngine

/// A bounded set of logged-in sessions, each with its own serial queue so that a session is never
/// used by two threads at once (SoftHSM2 crashes when it is) and PKCS#11 calls never run on an event
/// loop or the cooperative pool.
final class SessionPool: @unchecked Sendable {
    final class Slot: @unchecked Sendable {
        let queue: DispatchQueue
        var session: Session
        init(index: Int, session: Session) {
            self.queue = DispatchQueue(label: "kmipd.pkcs11.session.\(index)")
            self.session = session
        }
    }

    private let lock = NSLock()
    private var free: [Slot]
    private var waiters: [CheckedContinuation<Slot?, Never>] = []
    private let count: Int
    private var closed = false
    private let reopen: @Sendable () throws(PKCS11Error) -> Session
    private let onReopen: @Sendable (Session, UInt) -> Void

    /// `onReopen` runs on the fresh session's thread, with the CK_RV that lost the old one, after the
    /// session was replaced and before the work is retried (the token re-reads its object handles).
    init(count: Int, open: @escaping @Sendable () throws(PKCS11Error) -> Session,
         onReopen: @escaping @Sendable (Session, UInt) -> Void = { _, _ in }) throws(PKCS11Error) {
        var slots = [Slot]()
        for i in 0..<max(1, count) { slots.append(Slot(index: i, session: try open())) }
        free = slots
        self.count = slots.count
        reopen = open
        self.onReopen = onReopen
    }

    /// Runs `body` with a session: in place when the caller is a blocking-work thread (a request's own
    /// thread, `BlockingExecutor`), else on that session's own thread. A session is only ever used by
    /// the one caller that checked it out.
    func run<T: Sendable>(_ body: @escaping @Sendable (Session) throws(PKCS11Error) -> T) async throws(PKCS11Error) -> T {
        guard let slot = await acquire() else {
            throw PKCS11Error(function: "session pool (closed for exit)", rv: UInt(CKR_CRYPTOKI_NOT_INITIALIZED))
        }
        defer { release(slot) }
        if BlockingExecutor.isCurrent { return try perform(slot, body).get() }
        let result: Result<T, PKCS11Error> = await withCheckedContinuation { cont in
            slot.queue.async { cont.resume(returning: self.perform(slot, body)) }
        }
        return try result.get()
    }

    /// One use of a checked-out session. A lost session (token reset or removed and back, login gone)
    /// is replaced before the slot is reused; when it refused `body` before any of its calls succeeded,
    /// nothing took effect, so the work is tried once more on the fresh session.
    private func perform<T>(_ slot: Slot, _ body: (Session) throws(PKCS11Error) -> T) -> Result<T, PKCS11Error> {
        let succeededBefore = slot.session.successfulCalls
        do throws(PKCS11Error) {
            return .success(try body(slot.session))
        } catch where ReturnValue.isSessionLost(error.rv) {
            let nothingDone = slot.session.successfulCalls == succeededBefore
            guard let fresh = try? reopen() else { return .failure(error) }
            slot.session = fresh
            onReopen(fresh, error.rv)
            guard nothingDone && ReturnValue.callNeverRan(error.rv) else { return .failure(error) }
            do throws(PKCS11Error) { return .success(try body(fresh)) } catch { return .failure(error) }
        } catch {
            return .failure(error)
        }
    }

    /// A session outside the pool, opened and logged in like the pool's own (for a stream that holds
    /// one from Init to Final). Call it on the thread that will use the session.
    func openExtra() throws(PKCS11Error) -> Session { try reopen() }

    /// A free session, or nil once the pool is closed.
    private func acquire() async -> Slot? {
        await withCheckedContinuation { cont in
            let answer: Slot?? = lock.withLock {
                if closed { return .some(nil) }
                if let s = free.popLast() { return .some(s) }
                waiters.append(cont)
                return .none
            }
            if let answer { cont.resume(returning: answer) }
        }
    }

    /// Before the process exits: stops handing out sessions, waits (at most `timeout`) for the work in
    /// flight, and closes every session on its own thread, so that nothing is inside the module when
    /// its exit handlers run. A session still busy at the deadline is left to those handlers.
    func close(timeout: Duration = .seconds(10)) async {
        let clock = ContinuousClock(), deadline = clock.now + timeout
        lock.withLock { closed = true }
        while clock.now < deadline, !lock.withLock({ free.count == count && waiters.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let idle = lock.withLock { () -> [Slot] in defer { free = [] }; return free }
        for slot in idle {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                slot.queue.async { slot.session.close(); c.resume() }
            }
        }
    }

    private func release(_ slot: Slot) {
        lock.lock()
        if !waiters.isEmpty {
            let w = waiters.removeFirst()
            lock.unlock()
            w.resume(returning: slot)
        } else {
            free.append(slot)
            lock.unlock()
        }
    }
}
