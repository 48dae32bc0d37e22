import CPKCS11
import Foundation
import PKCS11
import Synchronization
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

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Slot?, Never>
    }
    private struct State {
        var free: [Slot]
        var waiters: [Waiter] = []
        var closed = false
        var nextID = 0
        /// Waiters that have asked, and those cancelled before they could.
        var registered: Set<Int> = []
        var cancelledBeforeWaiting: Set<Int> = []
    }
    private let state: Mutex<State>
    private let count: Int
    private let reopen: @Sendable () throws(PKCS11Error) -> Session
    private let onReopen: @Sendable (Session, UInt) -> Void

    /// `onReopen` runs on the fresh session's thread, with the CK_RV that lost the old one, after the
    /// session was replaced and before the work is retried (the token re-reads its object handles).
    init(count: Int, open: @escaping @Sendable () throws(PKCS11Error) -> Session,
         onReopen: @escaping @Sendable (Session, UInt) -> Void = { _, _ in }) throws(PKCS11Error) {
        var slots = [Slot]()
        for i in 0..<max(1, count) { slots.append(Slot(index: i, session: try open())) }
        state = Mutex(State(free: slots))
        self.count = slots.count
        reopen = open
        self.onReopen = onReopen
    }

    /// Runs `body` with a session: in place when the caller is a blocking-work thread (a request's own
    /// thread, `BlockingExecutor`), else on that session's own thread. A session is only ever used by
    /// the one caller that checked it out.
    func run<T: Sendable>(_ body: @escaping @Sendable (Session) throws(PKCS11Error) -> T) async throws(PKCS11Error) -> T {
        guard let slot = await acquire() else {
            if Task.isCancelled { throw PKCS11Error(function: "session pool (request cancelled)", rv: UInt(CKR_FUNCTION_CANCELED)) }
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

    /// A free session; nil once the pool is closed, or when the task is cancelled while it waits.
    private func acquire() async -> Slot? {
        let id = state.withLock { s in s.nextID += 1; return s.nextID }
        let slot = await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<Slot?, Never>) in
                let answer: Slot?? = state.withLock { s in
                    if s.closed || s.cancelledBeforeWaiting.remove(id) != nil { return .some(nil) }
                    s.registered.insert(id)
                    if let free = s.free.popLast() { return .some(free) }
                    s.waiters.append(Waiter(id: id, continuation: cont))
                    return .none
                }
                if let answer { cont.resume(returning: answer) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { s in
                if let i = s.waiters.firstIndex(where: { $0.id == id }) { return s.waiters.remove(at: i) }
                if !s.registered.contains(id) { s.cancelledBeforeWaiting.insert(id) }
                return nil
            }
            waiter?.continuation.resume(returning: nil)
        }
        state.withLock { _ = $0.registered.remove(id) }
        return slot
    }

    /// Before the process exits: stops handing out sessions, waits (at most `timeout`) for the work in
    /// flight, and closes every session on its own thread, so that nothing is inside the module when
    /// its exit handlers run. A session still busy at the deadline is left to those handlers.
    func close(timeout: Duration = .seconds(10)) async {
        let clock = ContinuousClock(), deadline = clock.now + timeout
        state.withLock { $0.closed = true }
        while clock.now < deadline, !state.withLock({ $0.free.count == count && $0.waiters.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let idle = state.withLock { s -> [Slot] in defer { s.free = [] }; return s.free }
        for slot in idle {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                slot.queue.async { slot.session.close(); c.resume() }
            }
        }
    }

    /// Sessions checked out now, and the pool's size (for the metrics endpoint).
    var usage: (inUse: Int, total: Int) { state.withLock { s in (s.closed ? 0 : count - s.free.count, count) } }

    private func release(_ slot: Slot) {
        let next: Waiter? = state.withLock { s in
            if s.waiters.isEmpty { s.free.append(slot); return nil }
            return s.waiters.removeFirst()
        }
        next?.continuation.resume(returning: slot)
    }
}
