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
}
