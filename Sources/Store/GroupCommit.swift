import GRDB
import Synchronization

/// Group commit: durable writes that arrive while another transaction is committing wait, and
/// then go together in the next transaction — one fsync of the write-ahead log for all of them instead
/// of one each. Durability is unchanged: every caller is answered only after the transaction that holds
/// its write has committed with synchronous = FULL. Each write runs in its own savepoint, so one that
/// fails is rolled back alone and the others still commit.
///
/// No thread waits for a batch to fill: a write that finds the writer idle commits at once. The caller
/// that starts a batch commits it and hands the next batch to the first caller that queued meanwhile, so
/// nobody's answer waits for other callers' later writes.
final class GroupCommit: Sendable {
    typealias Work = @Sendable (Database) throws -> Void

    private enum Turn: Sendable {
        case lead
        case done((any Error)?)
    }
    private struct Waiter: Sendable {
        let id: Int
        let work: Work
        let continuation: CheckedContinuation<Turn, Never>
    }
    private struct Queue: Sendable {
        var waiters: [Waiter] = []
        var committing = false
        var nextID = 0
        /// Callers that have asked, and those cancelled before they could.
        var registered: Set<Int> = []
        var cancelledBeforeWaiting: Set<Int> = []
    }

    private let pool: DatabasePool
    private let queue = Mutex(Queue())
    /// Transactions committed and the writes they carried (the tests check that writes are grouped).
    private let stats = Mutex((transactions: 0, writes: 0))

    init(pool: DatabasePool) { self.pool = pool }

    var transactionsAndWrites: (transactions: Int, writes: Int) { stats.withLock { $0 } }

    /// Runs `work` in a committed transaction, together with whatever other writes are waiting. A caller
    /// cancelled while its write still waits for a batch leaves the queue: the write never happens and
    /// it gets a CancellationError. Once a batch has taken the write, it is answered when it commits.
    func write(_ work: @escaping Work) async throws {
        let id = queue.withLock { q in q.nextID += 1; return q.nextID }
        let turn = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Turn, Never>) in
                let answer: Turn? = queue.withLock { q in
                    if q.cancelledBeforeWaiting.remove(id) != nil { return .done(CancellationError()) }
                    q.registered.insert(id)
                    if q.committing { q.waiters.append(Waiter(id: id, work: work, continuation: c)); return nil }
                    q.committing = true
                    return .lead
                }
                if let answer { c.resume(returning: answer) }
            }
        } onCancel: {
            let waiter: Waiter? = queue.withLock { q in
                if let i = q.waiters.firstIndex(where: { $0.id == id }) { return q.waiters.remove(at: i) }
                if !q.registered.contains(id) { q.cancelledBeforeWaiting.insert(id) }
                return nil
            }
            waiter?.continuation.resume(returning: .done(CancellationError()))
        }
        queue.withLock { _ = $0.registered.remove(id) }
        switch turn {
        case .done(let error): if let error { throw error }
        case .lead: try await lead(work)
        }
    }

    private func lead(_ own: @escaping Work) async throws {
        let others = queue.withLock { q -> [Waiter] in defer { q.waiters = [] }; return q.waiters }
        let works = [own] + others.map(\.work)
        let outcome: Result<[(any Error)?], any Error>
        do {
            outcome = .success(try await pool.write { db in
                works.map { work -> (any Error)? in
                    do { try db.inSavepoint { try work(db); return .commit }; return nil } catch { return error }
                }
            })
        } catch { outcome = .failure(error) }
        stats.withLock { $0.transactions += 1; $0.writes += works.count }
        // The next batch is led by the first caller that queued while this one committed.
        let next = queue.withLock { q -> Waiter? in
            if q.waiters.isEmpty { q.committing = false; return nil }
            return q.waiters.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        switch outcome {
        case .success(let errors):
            for (waiter, error) in zip(others, errors.dropFirst()) { waiter.continuation.resume(returning: .done(error)) }
            if let error = errors[0] { throw error }
        case .failure(let error):
            for waiter in others { waiter.continuation.resume(returning: .done(error)) }
            throw error
        }
    }
}
