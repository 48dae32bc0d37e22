import Foundation
import GRDB
import KMIP
import KMIPEngine
import StoreSQL

/// Operators' commands on a SQLite store (`kmipd store copy`, `token status`, `store populate`).
extension SQLiteObjectStore: AdministeredStore {
    public var name: String { path }

    /// Counts for `kmipd token status`.
    public func counts() async throws(EngineError) -> (objects: Int, pending: Int) {
        try await read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM objects WHERE committed = 1") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM objects WHERE committed = 0") ?? 0)
        }
    }

    /// A consistent copy of the whole store into a new file while it serves (SQLite's online backup
    /// API, through GRDB: pages are copied from one read snapshot, writers are not held up).
    /// Creates in flight at that moment are left out of the copy: their intent rows would make a
    /// restored server destroy token objects whose creates finished (and were acknowledged) after the
    /// snapshot. Left out, such an object is an unknown token object after a restore, which
    /// `kmipd store verify` names and `kmipd store adopt` describes again. Returns how many were left out.
    public func backup(toPath path: String) async throws(EngineError) -> Int {
        do {
            let destination = try DatabaseQueue(path: path)
            // On one of GRDB's reader threads, from that reader's snapshot.
            try await pool.read { db in try destination.writeWithoutTransaction { dest in try db.backup(to: dest) } }
            let leftOut = try await destination.write { db in
                try db.execute(sql: "DELETE FROM objects WHERE committed = 0")  // attributes follow (ON DELETE CASCADE)
                return db.changesCount
            }
            try destination.close()
            return leftOut
        } catch { throw Self.wrap(error) }
    }

    public func census() async throws(EngineError) -> [ObjectCensus] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT object_type, state, COUNT(*) FROM objects WHERE committed = 1 GROUP BY object_type, state")
                .map { ObjectCensus(objectType: UInt32(truncatingIfNeeded: $0[0] as Int64), state: UInt32(truncatingIfNeeded: $0[1] as Int64),
                                    count: $0[2]) }
        }
    }

    /// Committed rows for many objects in one transaction: for filling a store to benchmark Locate
    /// (`kmipd store populate`). The objects have no token objects, so reconciliation leaves them be.
    public func bulkInsert(_ objects: [ManagedObject]) async throws(EngineError) {
        try await write { db in
            let object = try db.cachedStatement(sql: """
                INSERT INTO objects (uid, object_type, owner, state, activation_date, deactivation_date, token_object, committed)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                """)
            let attribute = try db.cachedStatement(sql: "INSERT INTO attributes (uid, position, name, value, num, text) VALUES (?, ?, ?, ?, ?, ?)")
            for o in objects {
                try object.execute(arguments: [o.uid, Int64(o.objectType.rawValue), o.owner, Int64(o.state.rawValue),
                                               o.date(.activationDate), o.date(.deactivationDate), o.tokenObject?.rawValue])
                for (i, a) in o.attributes.enumerated() where a.tag != .state {
                    let row = AttributeRow(a)
                    try attribute.execute(arguments: [o.uid, i, row.name, Data(row.value), row.num, row.text])
                }
            }
        }
    }

    public func committedObjects(after: Int, limit: Int) async throws(EngineError) -> [ManagedObject] {
        try await read { db in
            let uids = try String.fetchAll(db, sql: "SELECT uid FROM objects WHERE committed = 1 ORDER BY rowid LIMIT ? OFFSET ?",
                                           arguments: [limit, after])
            return try uids.compactMap { try Self.load(db, uid: $0, committedOnly: true) }
        }
    }

    /// GRDB closes the pool with the last reference; nothing runs in the background.
    public func close() async {}
}
