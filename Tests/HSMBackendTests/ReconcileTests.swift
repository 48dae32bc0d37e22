import Foundation
import HSMBackend
import KMIP
import KMIPEngine
import KMIPTestSupport
import Store
import Testing

/// Crash consistency: the states a kill -9 can leave between the intent row, the token object and the
/// commit, and what reconciliation makes of each — destroying only what this store recorded an
/// intent for.
@Suite struct ReconcileTests {
    let spec = SecretKeySpec(algorithm: .aes, lengthBits: 128, extractable: true, usage: [.encrypt], label: "r")
    func row(_ uid: String) -> ManagedObject {
        ManagedObject(uid: uid, objectType: .symmetricKey, owner: "o", attributes: [], tokenObject: .secretKey)
    }

    @Test func resolvesEveryCrashWindowAndNothingElse() async throws {
        let token = try TestHSM.makeToken()
        let store = try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create)
        let ids = (0..<6).map { _ in UUID().uuidString.lowercased() }
        // 1. crash after the intent row, before the token object
        try await store.insertPending(row(ids[0]))
        // 2. crash after the token object, before the commit (never acknowledged)
        try await store.insertPending(row(ids[1]))
        try await token.generateSecretKey(id: ids[1], spec: spec)
        // 3. a committed object whose token object vanished
        try await store.insertPending(row(ids[2])); try await store.commit(row(ids[2]))
        // 4. a destroyed row whose token object survived (crash inside Destroy)
        var destroyed = row(ids[3]); destroyed.tokenObject = nil; destroyed.state = .destroyed
        try await store.insertPending(destroyed); try await store.commit(destroyed)
        try await token.generateSecretKey(id: ids[3], spec: spec)
        // 5. a token object in kmipd's UID form that this store never heard of (another store's, a
        //    restored backup's, or an intent lost to power failure): reported, never destroyed
        try await token.generateSecretKey(id: ids[4], spec: spec)
        // 6. a row without a token object that is not Destroyed (metadata only), with a token object
        //    of the same id: not an intent to destroy, so left alone
        var metadataOnly = row(ids[5]); metadataOnly.tokenObject = nil
        try await store.insertPending(metadataOnly); try await store.commit(metadataOnly)
        try await token.generateSecretKey(id: ids[5], spec: spec)
        // and an object of another application
        try await token.generateSecretKey(id: "someone-elses-key", spec: spec)

        let reconciler = Reconciler(store: store, token: token)
        let plan = try await reconciler.plan()
        #expect(try await token.allIDs().count == 5, "plan() changes nothing")
        let report = try await reconciler.run()
        #expect(report == plan)
        #expect(Set(report.abandonedCreates) == [ids[0], ids[1]])
        #expect(report.finishedDestroys == [ids[3]])
        #expect(Set(report.unknownTokenObjects) == [ids[4], ids[5], "someone-elses-key"])
        #expect(report.missingTokenObjects == [ids[2]])
        #expect(try await token.allIDs() == [ids[4], ids[5], "someone-elses-key"])
        #expect(try await store.pendingUIDs().isEmpty)
        // A second run destroys nothing more and still reports what it does not know.
        let again = try await reconciler.run()
        #expect(again.abandonedCreates.isEmpty && again.finishedDestroys.isEmpty)
        #expect(again.unknownTokenObjects == report.unknownTokenObjects)
    }

    /// The disaster this rule prevents: a server started on an empty store (a mistyped path) beside a
    /// populated token. Reconciliation alone (binding aside) must leave every token object in place.
    @Test func anEmptyStoreNeverEmptiesTheToken() async throws {
        let token = try TestHSM.makeToken()
        for _ in 0..<5 { try await token.generateSecretKey(id: UUID().uuidString.lowercased(), spec: spec) }
        let empty = try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create)
        let report = try await Reconciler(store: empty, token: token).run()
        #expect(report.unknownTokenObjects.count == 5)
        #expect(try await token.allIDs().count == 5)
    }
}
