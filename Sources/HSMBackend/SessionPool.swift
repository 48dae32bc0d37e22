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
    private var waiters: [CheckedContinuation<Slot, Never>] = []
    private let reopen: @Sendable () throws(PKCS11Error) -> Session

    init(count: Int, open: @escaping @Sendable () throws(PKCS11Error) -> Session) throws(PKCS11Error) {
        var slots = [Slot]()
        for i in 0..<max(1, count) { slots.append(Slot(index: i, session: try open())) }
        free = slots
        reopen = open
    }

    /// Runs `body` with a session on that session's own thread.
    func run<T: Sendable>(_ body: @escaping @Sendable (Session) throws(PKCS11Error) -> T) async throws(PKCS11Error) -> T {
        let slot = await acquire()
        defer { release(slot) }
        let result: Result<T, PKCS11Error> = await withCheckedContinuation { cont in
            slot.queue.async {
                do throws(PKCS11Error) {
                    cont.resume(returning: .success(try body(slot.session)))
                } catch {
                    if ReturnValue.isSessionLost(error.rv), let fresh = try? self.reopen() {
                        slot.session = fresh  // a lost session is replaced before the slot is reused
                    }
                    cont.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private func acquire() async -> Slot {
        await withCheckedContinuation { cont in
            let slot: Slot? = lock.withLock {
                if let s = free.popLast() { return s }
                waiters.append(cont)
                return nil
            }
            if let slot { cont.resume(returning: slot) }
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
