import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import PostgresStore
import Testing

/// Two nodes on one PostgreSQL store: whose intents a node may reconcile, who may commit them, node
/// leases, and the cross-node object lock. Runs when the suite has a PostgreSQL server.
@Suite(.enabled(if: StoreBackend.postgresAdmin != nil)) struct ClusterStoreTests {
    func object(_ uid: String) -> ManagedObject {
        var o = ManagedObject(uid: uid, objectType: .symmetricKey, owner: "o",
                              attributes: [Attribute(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))], tokenObject: .secretKey)
        o.state = .preActive
        return o
    }

    func nodes() async throws -> (PostgresObjectStore, PostgresObjectStore, PostgresLocation) {
        let location = try await StoreBackend.newDatabase()
        let a = try await PostgresObjectStore(location: location, password: nil, node: "a", mode: .create)
        let b = try await PostgresObjectStore(location: location, password: nil, node: "b", mode: .openExisting)
        return (a, b, location)
    }

    /// A live node's create in flight is not another node's to reconcile; once its lease is gone,
    /// the other node takes the intent over and the first can no longer commit it.
    @Test func intentsBelongToTheirNodeUntilItsLeaseEnds() async throws {
        let (a, b, _) = try await nodes()
        let leaseA = NodeLease(store: a)
        try await leaseA.claim()
        let leaseB = NodeLease(store: b)
        try await leaseB.claim()
        try await a.insertPending(object("in-flight"))
        #expect(try await b.pendingUIDs().isEmpty)
        #expect(try await b.othersPendingUIDs() == ["in-flight"])
        #expect(try await NodeLease.live(b) == ["a", "b"])

        await leaseA.release()  // as if a's lease had run out
        #expect(try await b.pendingUIDs() == ["in-flight"])
        await #expect(throws: EngineError.self) { try await a.commit(self.object("in-flight")) }
        #expect(try await b.fetch(uid: "in-flight") == nil)
        await leaseB.release()
    }

    /// Only the node that wrote an intent commits it.
    @Test func anotherNodeCannotCommitAnIntent() async throws {
        let (a, b, _) = try await nodes()
        try await a.insertPending(object("x"))
        await #expect(throws: EngineError.self) { try await b.commit(self.object("x")) }
        try await a.commit(object("x"))
        #expect(try await b.fetch(uid: "x")?.uid == "x")
    }

    /// Two processes may not hold one node name: the second waits and then gives up, naming the holder.
    @Test func aLeasedNameIsRefusedToASecondClaimant() async throws {
        let (a, _, location) = try await nodes()
        let first = NodeLease(store: a)
        try await first.claim()
        let twin = try await PostgresObjectStore(location: location, password: nil, node: "a", mode: .openExisting)
        // Same host, but the holder is this very (live) process: not a crashed one to take over.
        await #expect(throws: EngineError.self) { try await NodeLease(store: twin).claim(wait: .seconds(1)) }
        await first.release()
        try await NodeLease(store: twin).claim(wait: .seconds(1))
    }

    /// The cross-node lock: a second node waits for the first to release an object, and gets it then.
    @Test func advisoryLocksExcludeAcrossConnections() async throws {
        let (_, _, location) = try await nodes()
        let one = AdvisoryLocks(location: location, password: nil)
        let two = AdvisoryLocks(location: location, password: nil, patience: .milliseconds(300))
        try await one.acquire("obj")
        await #expect(throws: EngineError.self) { try await two.acquire("obj") }
        try await two.acquire("other")
        await one.release("obj")
        try await two.acquire("obj")
        await two.release("obj"); await two.release("other")
        await one.close(); await two.close()
    }

    /// Concurrent read-change-write of one object from two nodes, each under ObjectLocks with the
    /// cluster lock: no update is lost.
    @Test func concurrentChangesFromTwoNodesAllLand() async throws {
        let (a, b, location) = try await nodes()
        try await a.insertPending(object("shared")); try await a.commit(object("shared"))
        let clusterA = AdvisoryLocks(location: location, password: nil), clusterB = AdvisoryLocks(location: location, password: nil)
        let locksA = ObjectLocks(cluster: clusterA), locksB = ObjectLocks(cluster: clusterB)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                let (store, locks): (PostgresObjectStore, ObjectLocks) = i % 2 == 0 ? (a, locksA) : (b, locksB)
                group.addTask {
                    try await locks.withLock("shared") { () async throws(EngineError) in
                        guard var o = try await store.fetch(uid: "shared") else { throw EngineError(.itemNotFound, "gone") }
                        o.attributes.append(Attribute(name: "x-n\(i)", value: TTLV(.attributeValue, .integer(Int32(i)))))
                        try await store.save(o)
                    }
                }
            }
            try await group.waitForAll()
        }
        await clusterA.close(); await clusterB.close()
        let final = try #require(try await a.fetch(uid: "shared"))
        #expect(final.attributes.filter { $0.name.hasPrefix("x-n") }.count == 40)
    }

    @Test func aMissingStoreIsRefusedAndAnExistingOneIsNotRemade() async throws {
        let location = try await StoreBackend.newDatabase()
        await #expect(throws: EngineError.self) {
            _ = try await PostgresObjectStore(location: location, password: nil, node: "a", mode: .openExisting)
        }
        _ = try await PostgresObjectStore(location: location, password: nil, node: "a", mode: .create)
        await #expect(throws: EngineError.self) {
            _ = try await PostgresObjectStore(location: location, password: nil, node: "a", mode: .create)
        }
    }
}
