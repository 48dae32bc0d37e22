import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import PostgresStore
import Store
import Testing

/// What both stores must do alike beyond Locate: identity and binding, the rows reconciliation reads,
/// whole-store copies (`kmipd store copy`), and values longer than an index entry may be.
@Suite struct StorePortTests {
    func object(_ uid: String, owner: String = "o", extra: [Attribute] = [], token: TokenObjectKind? = .secretKey) -> ManagedObject {
        var o = ManagedObject(uid: uid, objectType: .symmetricKey, owner: owner,
                              attributes: [Attribute(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))] + extra, tokenObject: token)
        o.state = .preActive
        return o
    }

    @Test(arguments: StoreBackend.available) func identityAndBindingRoundTrip(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let before = try await store.identity()
        #expect(!before.isBound && !before.storeID.isEmpty)
        let bound = StoreIdentity(storeID: before.storeID, bindingID: "b-1", tokenSerial: "s", tokenLabel: "l")
        try await store.recordBinding(bound)
        #expect(try await store.identity() == bound)
    }

    @Test(arguments: StoreBackend.available) func reconciliationRows(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.insertPending(object("pending"))
        for o in [object("live"), object("meta", token: nil)] { try await store.insertPending(o); try await store.commit(o) }
        var gone = object("gone"); gone.state = .destroyed
        try await store.insertPending(gone); try await store.commit(gone)
        #expect(try await store.pendingUIDs() == ["pending"])
        #expect(try await store.uidsWithTokenObjects() == ["live", "gone"])
        #expect(try await store.destroyedUIDs() == ["gone"])
        #expect(try await store.counts() == (objects: 3, pending: 1))
        try await store.removePending(uid: "pending")
        try await store.removePending(uid: "live")  // committed rows are not intents
        #expect(try await store.counts() == (objects: 3, pending: 0))
        try await store.remove(uid: "live")
        #expect(try await store.fetch(uid: "live") == nil)
    }

    /// `kmipd store copy`: every committed object, its attributes in order and its columns, in pages.
    @Test(arguments: StoreBackend.available, StoreBackend.available)
    func copiesEveryObjectAcrossBackends(_ from: StoreBackend, _ to: StoreBackend) async throws {
        let source = try await from.make()
        let objects = (0..<25).map { i in
            object("u\(i)", owner: i % 2 == 0 ? "a" : "b", extra: [Attribute(.name, .structure([TTLV(.nameValue, .textString("n\(i)")),
                                                                                               TTLV(.nameType, .enumeration(1))])),
                                                            Attribute(.activationDate, .dateTime(1000 + Int64(i)))])
        }
        try await source.bulkInsert(objects)
        let target = try await to.make()
        var after = 0
        while true {
            let page = try await source.committedObjects(after: after, limit: 7)
            if page.isEmpty { break }
            try await target.bulkInsert(page)
            after += page.count
        }
        #expect(after == 25)
        for o in objects {
            let copied = try #require(try await target.fetch(uid: o.uid))
            #expect(copied.attributes == o.attributes && copied.owner == o.owner && copied.state == o.state && copied.tokenObject == o.tokenObject)
        }
        let q = LocateQuery(owner: "a", filters: [], maxItems: nil, offset: 0, includeDestroyed: false, now: 0)
        #expect(try await target.locate(q).total == 13)
    }

    /// A value longer than a B-tree index entry may hold (PostgreSQL: about 2.7 kB) is stored, read
    /// back and found by Locate.
    @Test(arguments: StoreBackend.available) func longValuesAreStoredAndFound(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let long = String(repeating: "x", count: 20_000)
        let description = Attribute(name: "x-long", value: TTLV(.attributeValue, .textString(long)))
        let name = Attribute(.name, .structure([TTLV(.nameValue, .textString(long)), TTLV(.nameType, .enumeration(1))]))
        let o = object("long", extra: [description, name])
        try await store.insertPending(o); try await store.commit(o)
        #expect(try await store.fetch(uid: "long")?.attributes.contains(description) == true)
        let q = LocateQuery(owner: "o", filters: [description, name], maxItems: nil, offset: 0, includeDestroyed: false, now: 0)
        #expect(try await store.locate(q).uids == ["long"])
    }

    /// `scripts/test` names a PostgreSQL server: then the PostgreSQL cases must not silently drop out.
    @Test func postgresIsTestedWhenTheSuiteAsksForIt() {
        if ProcessInfo.processInfo.environment["KMIPD_REQUIRE_POSTGRES"] == "1" {
            #expect(StoreBackend.available.contains(.postgres), "KMIPD_TEST_POSTGRES is not set: the PostgreSQL store is untested")
        }
    }
}

/// The operator's views of a store: objects by type and state (metrics, `kmipd objects`), and the
/// online backup, which must leave out creates in flight.
@Suite struct StoreOperationsTests {
    @Test(arguments: StoreBackend.available) func censusCountsCommittedObjectsByTypeAndState(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let port = StorePortTests()
        for uid in ["a", "b"] { let o = port.object(uid); try await store.insertPending(o); try await store.commit(o) }
        var active = port.object("c"); active.state = .active
        try await store.insertPending(active); try await store.commit(active)
        try await store.insertPending(port.object("in-flight"))
        let census = try await store.census().sorted { $0.state < $1.state }
        #expect(census == [ObjectCensus(objectType: ObjectType.symmetricKey.rawValue, state: State.preActive.rawValue, count: 2),
                           ObjectCensus(objectType: ObjectType.symmetricKey.rawValue, state: State.active.rawValue, count: 1)])
    }

    /// A pending intent in a backup would make a restored server destroy a token object whose create
    /// finished after the snapshot: the copy holds committed objects only.
    @Test func backupLeavesOutCreatesInFlight() async throws {
        let store = try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create)
        let port = StorePortTests()
        let done = port.object("done")
        try await store.insertPending(done); try await store.commit(done)
        try await store.insertPending(port.object("in-flight"))
        let out = TestHSM.databasePath()
        #expect(try await store.backup(toPath: out) == 1)
        let copy = try SQLiteObjectStore(path: out, mode: .openExisting)
        #expect(try await copy.counts() == (objects: 1, pending: 0))
        #expect(try await copy.pendingUIDs().isEmpty)
        #expect(try await copy.fetch(uid: "done")?.uid == "done")
        #expect(try await copy.identity() == store.identity())
        #expect(try await store.counts() == (objects: 1, pending: 1))  // the source is as it was
    }
}
