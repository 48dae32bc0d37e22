import Foundation
import HSMBackend
import KMIP
import KMIPEngine
import KMIPTestSupport
import Store
import Testing

/// Crash consistency (ARCHITECTURE.md): the states a kill -9 can leave between the intent row, the
/// token object and the commit, and what reconciliation makes of each.
@Suite struct ReconcileTests {
    @Test func resolvesEveryCrashWindow() async throws {
        let token = try TestHSM.makeToken()
        let store = try SQLiteObjectStore(path: TestHSM.databasePath())
        let spec = SecretKeySpec(algorithm: .aes, lengthBits: 128, extractable: true, usage: [.encrypt], label: "r")
        func row(_ uid: String) -> ManagedObject {
            ManagedObject(uid: uid, objectType: .symmetricKey, owner: "o", attributes: [], tokenObject: .secretKey)
        }
        let ids = (0..<4).map { _ in UUID().uuidString.lowercased() }
        // 1. crash after the intent row, before the token object
        try await store.insertPending(row(ids[0]))
        // 2. crash after the token object, before the commit (never acknowledged)
        try await store.insertPending(row(ids[1]))
        try await token.generateSecretKey(id: ids[1], spec: spec)
        // 3. a committed object whose token object vanished
        try await store.insertPending(row(ids[2])); try await store.commit(row(ids[2]))
        // 4. a destroyed row whose token object survived (crash inside Destroy)
        var destroyed = row(ids[3]); destroyed.tokenObject = nil
        try await store.insertPending(destroyed); try await store.commit(destroyed)
        try await token.generateSecretKey(id: ids[3], spec: spec)
        // and an object that is not ours (the dev CA key) must survive
        try await token.generateSecretKey(id: "kmipd-dev-ca", spec: spec)

        let report = try await Reconciler(store: store, token: token).run(ownsID: Reconciler.isServerUID)
        #expect(Set(report.abandonedCreates) == [ids[0], ids[1]])
        #expect(report.orphanTokenObjects == [ids[3]])
        #expect(report.missingTokenObjects == [ids[2]])
        #expect(try await token.allIDs() == ["kmipd-dev-ca"])
        #expect(try await store.pendingUIDs().isEmpty)
        // A second run finds nothing new to repair.
        let again = try await Reconciler(store: store, token: token).run(ownsID: Reconciler.isServerUID)
        #expect(again.abandonedCreates.isEmpty && again.orphanTokenObjects.isEmpty)
    }
}
