import Foundation
import GRDB
import KMIP
import KMIPEngine
import KMIPTestSupport
@testable import Store
import Testing

/// Group commit on a real SQLite file: concurrent durable writes share transactions, every one lands,
/// and a write that fails is rolled back alone.
@Suite struct GroupCommitTests {
    struct Refused: Error {}

    func object(_ uid: String) -> ManagedObject {
        var o = ManagedObject(uid: uid, objectType: .symmetricKey, owner: "o",
                              attributes: [Attribute(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))], tokenObject: .secretKey)
        o.state = .preActive
        return o
    }

    @Test func concurrentCommitsShareTransactionsAndAllLand() async throws {
        let store = try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create)
        let uids = (0..<64).map { "g\($0)" }
        for uid in uids { try await store.insertPending(object(uid)) }
        let failed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for uid in uids { group.addTask { try await store.commit(self.object(uid)); return false } }
            // One write that changes a row and then fails: only its savepoint is rolled back.
            group.addTask {
                do {
                    try await store.writeDurably { db in
                        try db.execute(sql: "UPDATE objects SET owner = 'thief' WHERE uid = 'g0'")
                        throw Refused()
                    }
                    return false
                } catch { return true }
            }
            return try await group.reduce(false) { $0 || $1 }
        }
        #expect(failed)
        for uid in uids { #expect(try await store.fetch(uid: uid)?.owner == "o", "\(uid)") }
        #expect(try await store.pendingUIDs().isEmpty)
        let (transactions, writes) = store.group.transactionsAndWrites
        #expect(writes == 65)
        #expect(transactions < writes, "\(transactions) transactions for \(writes) writes")
        print("store: group commit: \(writes) concurrent writes in \(transactions) transactions")
    }

    /// A write still waiting for its batch when its caller is cancelled never happens; the batch in
    /// flight and the ones after it are not disturbed.
    @Test func aCancelledQueuedWriteLeavesTheQueue() async throws {
        let store = try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create)
        for uid in ["held", "cancelled", "after"] { try await store.insertPending(object(uid)) }
        let release = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        // The first write holds the writer (and so the batch) until released.
        let first = Task {
            try await store.writeDurably { db in
                started.signal()
                release.wait()
                try db.execute(sql: "UPDATE objects SET owner = 'first' WHERE uid = 'held'")
            }
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in DispatchQueue.global().async { started.wait(); c.resume() } }
        let queued = Task {
            try await store.writeDurably { db in try db.execute(sql: "UPDATE objects SET owner = 'cancelled' WHERE uid = 'cancelled'") }
        }
        try await Task.sleep(for: .milliseconds(100))
        queued.cancel()
        // Released a little later in any case, so that a queued write that ignored its cancellation
        // would land (and fail the expectations) instead of waiting for ever.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { release.signal() }
        await #expect { try await queued.value } throws: { ($0 as? EngineError)?.message.contains("cancelled") == true }
        try await first.value
        try await store.writeDurably { db in try db.execute(sql: "UPDATE objects SET owner = 'after' WHERE uid = 'after'") }
        let owners = try await store.read { db in try [String: String](uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT uid, owner FROM objects").map { ($0[0], $0[1]) }) }
        #expect(owners["held"] == "first" && owners["after"] == "after")
        #expect(owners["cancelled"] == "o", "the cancelled write must not have happened")
    }
}
