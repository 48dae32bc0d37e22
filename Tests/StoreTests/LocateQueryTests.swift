import Foundation
import GRDB
import KMIP
import KMIPEngine
import KMIPTestSupport
@testable import Store
import StoreSQL
import Testing

/// The store port on both backends (a real SQLite file; a real PostgreSQL database when the suite
/// has a server): crash-consistency rows, attribute round trips, Locate's rules; and, for SQLite,
/// Locate compiled to indexed SQL (never load-all-then-filter).
@Suite struct LocateQueryTests {
    func object(_ uid: String, owner: String = "o", name: String? = nil, type: ObjectType = .symmetricKey,
                extra: [Attribute] = []) -> ManagedObject {
        var attrs = [Attribute(.objectType, .enumeration(type.rawValue))]
        if let name {
            attrs.append(Attribute(name: "Name", value: .structure(.name, [TTLV(.nameValue, .textString(name)),
                                                                           TTLV(.nameType, .enumeration(1))])))
        }
        var o = ManagedObject(uid: uid, objectType: type, owner: owner, attributes: attrs + extra, tokenObject: .secretKey)
        o.state = .preActive
        return o
    }

    func saved(_ store: any ObjectStore, _ objects: [ManagedObject]) async throws {
        for o in objects { try await store.insertPending(o); try await store.commit(o) }
    }

    func query(_ filters: [Attribute], owner: String? = "o", max: Int? = nil, offset: Int = 0, now: Int64 = 0) -> LocateQuery {
        LocateQuery(owner: owner, filters: filters, maxItems: max, offset: offset, includeDestroyed: false, now: now)
    }

    @Test(arguments: StoreBackend.available) func pendingRowsAreInvisibleUntilCommitted(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.insertPending(object("p1", name: "n"))
        #expect(try await store.fetch(uid: "p1") == nil)
        #expect(try await store.locate(query([])).uids.isEmpty)
        #expect(try await store.pendingUIDs() == ["p1"])
        try await store.commit(object("p1", name: "n"))
        #expect(try await store.fetch(uid: "p1")?.uid == "p1")
        #expect(try await store.pendingUIDs().isEmpty)
    }

    @Test(arguments: StoreBackend.available) func attributesRoundTripIncludingVendorOnesOfAnyType(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let vendor = [Attribute(name: "x-int", value: TTLV(.attributeValue, .integer(42))),
                      Attribute(name: "x-date", value: TTLV(.attributeValue, .dateTime(1234))),
                      Attribute(name: "x-struct", value: .structure(.attributeValue, [TTLV(.nameValue, .textString("v"))]))]
        try await saved(store, [object("a", name: "n", extra: vendor)])
        let back = try #require(try await store.fetch(uid: "a"))
        for v in vendor { #expect(back.attributes.contains(v)) }
        #expect(try await store.locate(query([vendor[0]])).uids == ["a"])
        #expect(try await store.locate(query([Attribute(name: "x-int", value: TTLV(.attributeValue, .integer(41)))])).uids.isEmpty)
    }

    /// KMIP 2.1 §6.1.28: a usage mask matches objects having every bit asked for; a structure given
    /// in part matches on the fields given; the two dates of a range may come in either order.
    @Test(arguments: StoreBackend.available) func masksPartialStructuresAndRanges(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        func link(_ type: LinkType?, _ to: String) -> Attribute {
            var f = [TTLV(.linkedObjectIdentifier, .textString(to))]
            if let type { f.insert(TTLV(.linkType, .enumeration(type.rawValue)), at: 0) }
            return Attribute(name: "Link", value: .structure(.link, f))
        }
        func asi(_ ns: String, _ data: String?) -> Attribute {
            var f = [TTLV(.applicationNamespace, .textString(ns))]
            if let data { f.append(TTLV(.applicationData, .textString(data))) }
            return Attribute(name: "Application Specific Information", value: .structure(.applicationSpecificInformation, f))
        }
        let encDec = Attribute(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMaskBits([.encrypt, .decrypt]).rawValue)))
        let signBit = Attribute(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMaskBits([.sign]).rawValue)))
        try await saved(store, [
            object("a", name: "same", extra: [encDec, link(.publicKeyLink, "p1"), asi("ssl", "host.example"), Attribute(.activationDate, .dateTime(100))]),
            object("b", extra: [signBit, link(.privateKeyLink, "p2"), asi("tape", "vol1")]),
        ])
        let encrypt = Attribute(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMaskBits([.encrypt]).rawValue)))
        #expect(try await store.locate(query([encrypt])).uids == ["a"])
        #expect(try await store.locate(query([encDec])).uids == ["a"])
        let encSign = Attribute(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMaskBits([.encrypt, .sign]).rawValue)))
        #expect(try await store.locate(query([encSign])).uids.isEmpty)
        #expect(try await store.locate(query([link(nil, "p1")])).uids == ["a"])
        #expect(try await store.locate(query([link(.publicKeyLink, "p1")])).uids == ["a"])
        #expect(try await store.locate(query([link(.privateKeyLink, "p1")])).uids.isEmpty)
        #expect(try await store.locate(query([asi("tape", nil)])).uids == ["b"])
        #expect(try await store.locate(query([asi("tape", "vol2")])).uids.isEmpty)
        let nameOnly = Attribute(name: "Name", value: .structure(.name, [TTLV(.nameValue, .textString("same"))]))
        #expect(try await store.locate(query([nameOnly])).uids == ["a"])
        let wrongType = Attribute(name: "Name", value: .structure(.name, [TTLV(.nameValue, .textString("same")), TTLV(.nameType, .enumeration(2))]))
        #expect(try await store.locate(query([wrongType])).uids.isEmpty)
        let reversed = [Attribute(.activationDate, .dateTime(150)), Attribute(.activationDate, .dateTime(50))]
        #expect(try await store.locate(query(reversed)).uids == ["a"])
    }

    @Test(arguments: StoreBackend.available) func filtersOwnerTypeNameRangesPaging(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await saved(store, [
            object("k1", name: "alpha", extra: [Attribute(.activationDate, .dateTime(100))]),
            object("k2", name: "beta", extra: [Attribute(.activationDate, .dateTime(200))]),
            object("s1", name: "alpha", type: .secretData),
            object("other", owner: "someone-else", name: "alpha"),
        ])
        let alpha = Attribute(name: "Name", value: .structure(.name, [TTLV(.nameValue, .textString("alpha")), TTLV(.nameType, .enumeration(1))]))
        #expect(Set(try await store.locate(query([alpha])).uids) == ["k1", "s1"])
        #expect(Set(try await store.locate(query([alpha], owner: nil)).uids) == ["k1", "s1", "other"])
        #expect(try await store.locate(query([alpha, Attribute(.objectType, .enumeration(ObjectType.secretData.rawValue))])).uids == ["s1"])
        let range = [Attribute(.activationDate, .dateTime(150)), Attribute(.activationDate, .dateTime(250))]
        #expect(try await store.locate(query(range)).uids == ["k2"])
        // Newest first, then Offset Items and Maximum Items; the total counts every match.
        let all = try await store.locate(query([]))
        #expect(all.uids == ["s1", "k2", "k1"] && all.total == 3)
        let page = try await store.locate(query([], max: 1, offset: 1))
        #expect(page.uids == ["k2"] && page.total == 3)
        let pastTheEnd = try await store.locate(query([], max: 2, offset: 5))
        #expect(pastTheEnd.uids.isEmpty && pastTheEnd.total == 3)
    }

    @Test func locateUsesIndexes() async throws {
        let path = TestHSM.databasePath()
        _ = try SQLiteObjectStore(path: path, mode: .create)
        let db = try DatabaseQueue(path: path)
        let plan = try await db.read { db in
            try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT uid FROM objects o WHERE o.committed = 1 AND o.owner = 'x' AND
                EXISTS (SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = 'Name' AND a.text = 'n')
                """).map { $0["detail"] as String }
        }
        #expect(!plan.contains { $0.hasPrefix("SCAN attributes") }, "\(plan)")
        #expect(plan.contains { $0.contains("USING") }, "\(plan)")
    }

    /// The grant clause probes this identity's grants and the grants to everyone by range, never all
    /// grant rows.
    @Test func grantClauseSearchesByIdentityRange() async throws {
        let path = TestHSM.databasePath()
        _ = try SQLiteObjectStore(path: path, mode: .create)
        let compiled = LocateSQL(query([], owner: "alice"))
        let plan = try await DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT uid FROM objects o WHERE \(compiled.whereClause)",
                             arguments: SQLiteObjectStore.arguments(compiled.arguments)).map { $0["detail"] as String }
        }
        let grantSearches = plan.filter { $0.contains("attributes_name_text") }
        #expect(grantSearches.count == 2, "\(plan)")
        #expect(grantSearches.allSatisfy { $0.contains("text>? AND text<?") }, "\(plan)")
    }

    @Test(arguments: StoreBackend.available) func advanceStatesMovesDueObjectsOnly(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await saved(store, [object("due", extra: [Attribute(.activationDate, .dateTime(100))]),
                                object("later", extra: [Attribute(.activationDate, .dateTime(900))])])
        try await store.advanceStates(now: 500)
        #expect(try await store.fetch(uid: "due")?.state == .active)
        #expect(try await store.fetch(uid: "later")?.state == .preActive)
    }
}
