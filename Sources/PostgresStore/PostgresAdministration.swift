import KMIP
import KMIPEngine
import PostgresNIO
import StoreSQL

/// Operators' commands on a PostgreSQL store (`kmipd store copy`, `token status`, `store populate`).
extension PostgresObjectStore: AdministeredStore {
    public var name: String { location.description }

    public func counts() async throws(EngineError) -> (objects: Int, pending: Int) {
        let rows = try await db.rows("SELECT count(*) FILTER (WHERE committed = 1), count(*) FILTER (WHERE committed = 0) FROM objects")
        do {
            guard let row = rows.first else { return (0, 0) }
            let (objects, pending) = try row.decode((Int64, Int64).self)
            return (Int(objects), Int(pending))
        } catch { throw PostgresDatabase.wrap(error) }
    }

    public func census() async throws(EngineError) -> [ObjectCensus] {
        let rows = try await db.rows("SELECT object_type, state, count(*) FROM objects WHERE committed = 1 GROUP BY object_type, state")
        do {
            return try rows.map { row in
                let (type, state, count) = try row.decode((Int64, Int64, Int64).self)
                return ObjectCensus(objectType: UInt32(truncatingIfNeeded: type), state: UInt32(truncatingIfNeeded: state), count: Int(count))
            }
        } catch { throw PostgresDatabase.wrap(error) }
    }

    /// Rows in batches of 500 objects, each batch two multi-row INSERTs (objects, then attributes),
    /// all in one transaction.
    public func bulkInsert(_ objects: [ManagedObject]) async throws(EngineError) {
        try await db.transaction(deadline: .seconds(600)) { tx in
            for chunk in stride(from: 0, to: objects.count, by: 500).map({ objects[$0..<min($0 + 500, objects.count)] }) {
                var sql = "INSERT INTO objects (uid, object_type, owner, state, activation_date, deactivation_date, token_object, committed) VALUES "
                var args = [SQLValue]()
                for (n, o) in chunk.enumerated() {
                    let b = args.count
                    sql += (n > 0 ? ", " : "") + "($\(b + 1), $\(b + 2), $\(b + 3), $\(b + 4), $\(b + 5), $\(b + 6), $\(b + 7), 1)"
                    args += Self.columns(o)
                }
                try await tx.rows(sql, args)
                var attributes = "INSERT INTO attributes (uid, position, name, value, num, text) VALUES "
                var values = [SQLValue]()
                for o in chunk {
                    for (i, a) in o.attributes.enumerated() where a.tag != .state {
                        let r = AttributeRow(a), b = values.count
                        attributes += (b > 0 ? ", " : "") + "($\(b + 1), $\(b + 2), $\(b + 3), $\(b + 4), $\(b + 5), $\(b + 6))"
                        values += [.text(o.uid), .int(Int64(i)), .text(r.name), .blob(r.value), r.num.map(SQLValue.int) ?? .null,
                                   r.text.map(SQLValue.text) ?? .null]
                        if values.count > 60_000 {  // a statement takes at most 65,535 parameters
                            try await tx.rows(attributes, values)
                            attributes = "INSERT INTO attributes (uid, position, name, value, num, text) VALUES "
                            values = []
                        }
                    }
                }
                if !values.isEmpty { try await tx.rows(attributes, values) }
            }
        }
    }

    public func committedObjects(after: Int, limit: Int) async throws(EngineError) -> [ManagedObject] {
        let rows = try await db.rows("""
            SELECT o.uid, o.object_type, o.owner, o.state, o.token_object, a.name, a.value
            FROM (SELECT * FROM objects WHERE committed = 1 ORDER BY seq OFFSET $1 LIMIT $2) o
            LEFT JOIN attributes a ON a.uid = o.uid ORDER BY o.seq, a.position
            """, [.int(Int64(after)), .int(Int64(limit))])
        var out = [ManagedObject]()
        var group = [Joined]()
        var current: String?
        func flush() {
            if let uid = current, let o = Self.object(uid: uid, group) { out.append(o) }
            group = []
        }
        do {
            for row in rows {
                let (uid, type, owner, state, token, name, value) = try row.decode((String, Int64, String, Int64, String?, String?, ByteBuffer?).self)
                if uid != current { flush(); current = uid }
                group.append((type, owner, state, token, name, value))
            }
        } catch { throw PostgresDatabase.wrap(error) }
        flush()
        return out
    }

    public func close() async { db.close() }
}
