import Foundation
import KMIP
import KMIPEngine
import NIOCore
import PostgresNIO
import StoreSQL

/// The engine's `ObjectStore` on PostgreSQL, shared by every node of a cluster. The tables and the
/// crash-consistency order are the SQLite store's; what a cluster adds:
/// - an intent row names the node that wrote it, and only that node may commit it: a node that
///   reconciles a dead node's intents takes them over first (`pendingUIDs`), so a node that merely
///   lost its lease cannot acknowledge an object whose key was just removed;
/// - changes to one object are serialised across nodes by `AdvisoryLocks`;
/// - date-driven state changes are plain conditional updates, harmless when two nodes make them.
public final class PostgresObjectStore: ObjectStore, @unchecked Sendable {
    let db: PostgresDatabase
    public let node: String
    public var location: PostgresLocation { db.location }
    /// For this node's lock connection (`AdvisoryLocks`), which is made apart from the pool.
    public var password: String? { db.password }

    /// `create` makes the tables in an empty database and refuses one that has them; `openExisting`
    /// (what `kmipd serve` uses) refuses a database without them, as the SQLite store refuses a
    /// missing file: a mistyped database name never becomes a new, empty store beside a full token.
    public enum OpenMode: Sendable { case create, openExisting }

    public init(location: PostgresLocation, password: String?, node: String, mode: OpenMode) async throws(EngineError) {
        db = PostgresDatabase(location: location, password: password)
        self.node = node
        do {
            let exists = try await hasTables()
            switch mode {
            case .create where exists: throw EngineError(.storeFailure, "\(location) holds a kmipd store already: a store is created only once")
            case .openExisting where !exists:
                throw EngineError(.storeFailure, "\(location) holds no kmipd store")
            default: break
            }
            try await migrate()
        } catch {
            db.close()
            throw PostgresDatabase.wrap(error)
        }
    }

    func hasTables() async throws(EngineError) -> Bool {
        let rows = try await db.rows("SELECT to_regclass('objects') IS NOT NULL AND to_regclass('kmipd_migrations') IS NOT NULL")
        return (try? rows.first?.decode(Bool.self)) ?? false
    }

    func migrate() async throws(EngineError) {
        try await db.transaction { tx in
            try await tx.rows("SELECT pg_advisory_xact_lock($1)", [.int(PostgresSchema.migrationLock)])
            try await tx.rows("CREATE TABLE IF NOT EXISTS kmipd_migrations (name text PRIMARY KEY, applied_at bigint NOT NULL)")
            let done = Set(try await tx.rows("SELECT name FROM kmipd_migrations").map { try $0.decode(String.self) })
            for m in PostgresSchema.migrations where !done.contains(m.name) {
                for statement in m.statements { try await tx.rows(statement) }
                try await tx.rows("INSERT INTO kmipd_migrations (name, applied_at) VALUES ($1, \(PostgresDatabase.now))", [.text(m.name)])
            }
        }
    }

    // MARK: ObjectStore

    public func insertPending(_ object: ManagedObject) async throws(EngineError) {
        let node = self.node
        try await db.transaction { tx in
            try await tx.rows("""
                INSERT INTO objects (uid, object_type, owner, state, activation_date, deactivation_date, token_object, committed, node)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)
                """, Self.columns(object) + [.text(node)])
            try await Self.writeAttributes(tx, object)
        }
    }

    /// Only the node that wrote the intent commits it, and only while it is still an intent.
    public func commit(_ object: ManagedObject) async throws(EngineError) {
        let node = self.node
        try await db.transaction { tx in
            let updated = try await tx.rows("""
                UPDATE objects SET committed = 1, object_type = $2, owner = $3, state = $4, activation_date = $5,
                    deactivation_date = $6, token_object = $7
                WHERE uid = $1 AND committed = 0 AND node = $8 RETURNING uid
                """, Self.columns(object) + [.text(node)])
            guard !updated.isEmpty else {
                throw EngineError(.storeFailure, "the intent to create \(object.uid) was taken over by another node's reconciliation")
            }
            try await Self.writeAttributes(tx, object)
        }
    }

    public func removePending(uid: String) async throws(EngineError) {
        _ = try await db.rows("DELETE FROM objects WHERE uid = $1 AND committed = 0", [.text(uid)])
    }

    public func remove(uid: String) async throws(EngineError) {
        _ = try await db.rows("DELETE FROM objects WHERE uid = $1", [.text(uid)])
    }

    /// One round trip: the object's columns with its attributes in order.
    public func fetch(uid: String) async throws(EngineError) -> ManagedObject? {
        let rows = try await db.rows("""
            SELECT o.object_type, o.owner, o.state, o.token_object, a.name, a.value
            FROM objects o LEFT JOIN attributes a ON a.uid = o.uid
            WHERE o.uid = $1 AND o.committed = 1 ORDER BY a.position
            """, [.text(uid)])
        return Self.object(uid: uid, try Self.joined(rows))
    }

    public func save(_ object: ManagedObject) async throws(EngineError) {
        try await db.transaction { tx in
            try await tx.rows("""
                INSERT INTO objects (uid, object_type, owner, state, activation_date, deactivation_date, token_object, committed)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
                ON CONFLICT (uid) DO UPDATE SET state = excluded.state, activation_date = excluded.activation_date,
                    deactivation_date = excluded.deactivation_date, token_object = excluded.token_object
                """, Self.columns(object))
            try await Self.writeAttributes(tx, object)
        }
    }

    /// One statement (one round trip, and no write when nothing is due — Locate calls it every time):
    /// due deactivations first, then activations, as the SQLite store does in two.
    public func advanceStates(now: Int64) async throws(EngineError) {
        _ = try await db.rows("""
            UPDATE objects SET state = CASE
                WHEN state IN (\(SQLState.preActive), \(SQLState.active)) AND deactivation_date <= $1 THEN \(SQLState.deactivated)
                ELSE \(SQLState.active) END
            WHERE (state IN (\(SQLState.preActive), \(SQLState.active)) AND deactivation_date <= $1)
                OR (state = \(SQLState.preActive) AND activation_date <= $1)
            """, [.int(now)])
    }

    /// The page and the total in one statement (a window count); a page past the end asks for the
    /// total alone.
    public func locate(_ query: LocateQuery) async throws(EngineError) -> (uids: [String], total: Int) {
        let compiled = LocateSQL(query, dialect: .postgres)
        let page = compiled.page(maxItems: query.maxItems, offset: query.offset, withTotal: true)
        let rows = try await db.rows(page.sql, page.arguments)
        do {
            let found = try rows.map { try $0.decode((String, Int64).self) }
            if let first = found.first { return (found.map(\.0), Int(first.1)) }
            let counted = try await db.rows(compiled.countSQL, compiled.arguments)
            return ([], Int(try counted.first?.decode(Int64.self) ?? 0))
        } catch { throw PostgresDatabase.wrap(error) }
    }

    /// This node's intents, and those of nodes whose lease has expired (or that never held one),
    /// which this node takes over in the same statement: their writers can no longer commit them.
    /// A live node's create in flight is never touched.
    public func pendingUIDs() async throws(EngineError) -> [String] {
        try await strings("""
            UPDATE objects SET node = $1 WHERE committed = 0 AND (node IS NULL OR node = $1
                OR node NOT IN (SELECT name FROM nodes WHERE lease_until >= \(PostgresDatabase.now)))
            RETURNING uid
            """, [.text(node)])
    }

    /// Intents of live nodes: creates in flight elsewhere, neither reconciled nor reported as unknown.
    public func othersPendingUIDs() async throws(EngineError) -> Set<String> {
        Set(try await strings("SELECT uid FROM objects WHERE committed = 0 AND node <> $1", [.text(node)]))
    }

    public func uidsWithTokenObjects() async throws(EngineError) -> Set<String> {
        Set(try await strings("SELECT uid FROM objects WHERE committed = 1 AND token_object IS NOT NULL"))
    }

    public func destroyedUIDs() async throws(EngineError) -> Set<String> {
        Set(try await strings("SELECT uid FROM objects WHERE committed = 1 AND state IN ($1, $2)",
                              [.int(Int64(State.destroyed.rawValue)), .int(Int64(State.destroyedCompromised.rawValue))]))
    }

    public func identity() async throws(EngineError) -> StoreIdentity {
        let rows = try await db.rows("SELECT store_id, binding_id, token_serial, token_label FROM store_identity")
        guard let row = rows.first else { throw EngineError(.storeFailure, "\(location) has no store identity") }
        do {
            let (id, binding, serial, label) = try row.decode((String, String?, String?, String?).self)
            return StoreIdentity(storeID: id, bindingID: binding, tokenSerial: serial, tokenLabel: label)
        } catch { throw PostgresDatabase.wrap(error) }
    }

    public func recordBinding(_ identity: StoreIdentity) async throws(EngineError) {
        _ = try await db.rows("""
            UPDATE store_identity SET store_id = $1, binding_id = $2, token_serial = $3, token_label = $4, bound_at = \(PostgresDatabase.now)
            """, [.text(identity.storeID), identity.bindingID.map(SQLValue.text) ?? .null,
                  identity.tokenSerial.map(SQLValue.text) ?? .null, identity.tokenLabel.map(SQLValue.text) ?? .null])
    }

    // MARK: Rows

    func strings(_ sql: String, _ args: [SQLValue] = []) async throws(EngineError) -> [String] {
        let rows = try await db.rows(sql, args)
        do { return try rows.map { try $0.decode(String.self) } } catch { throw PostgresDatabase.wrap(error) }
    }

    /// $1…$7: uid, object type, owner, state, activation date, deactivation date, token object.
    static func columns(_ o: ManagedObject) -> [SQLValue] {
        [.text(o.uid), .int(Int64(o.objectType.rawValue)), .text(o.owner), .int(Int64(o.state.rawValue)),
         o.date(.activationDate).map(SQLValue.int) ?? .null, o.date(.deactivationDate).map(SQLValue.int) ?? .null,
         o.tokenObject.map { .text($0.rawValue) } ?? .null]
    }

    /// Replaces an object's attribute rows with one multi-row INSERT (one round trip).
    static func writeAttributes(_ tx: PostgresDatabase.Transaction, _ o: ManagedObject) async throws {
        try await tx.rows("DELETE FROM attributes WHERE uid = $1", [.text(o.uid)])
        let rows = o.attributes.enumerated().filter { $0.element.tag != .state }
        guard !rows.isEmpty else { return }
        var sql = "INSERT INTO attributes (uid, position, name, value, num, text) VALUES "
        var args: [SQLValue] = [.text(o.uid)]
        for (n, (i, a)) in rows.enumerated() {
            let r = AttributeRow(a)
            let base = args.count
            if n > 0 { sql += ", " }
            sql += "($1, $\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4), $\(base + 5))"
            args += [.int(Int64(i)), .text(r.name), .blob(r.value), r.num.map(SQLValue.int) ?? .null, r.text.map(SQLValue.text) ?? .null]
        }
        try await tx.rows(sql, args)
    }

    /// An object's columns joined with one of its attributes (none: a LEFT JOIN's NULLs).
    typealias Joined = (type: Int64, owner: String, state: Int64, token: String?, name: String?, value: ByteBuffer?)

    static func joined(_ rows: [PostgresRow]) throws(EngineError) -> [Joined] {
        do { return try rows.map { try $0.decode((Int64, String, Int64, String?, String?, ByteBuffer?).self) } } catch { throw PostgresDatabase.wrap(error) }
    }

    static func object(uid: String, _ rows: [Joined]) -> ManagedObject? {
        guard let first = rows.first else { return nil }
        let decoder = TTLVDecoder()
        var attrs = [Attribute]()
        for row in rows {
            guard let name = row.name, let value = row.value else { continue }
            if let a = AttributeRow(name: name, value: Array(buffer: value), num: nil, text: nil).attribute(decoder: decoder) { attrs.append(a) }
        }
        var o = ManagedObject(uid: uid, objectType: ObjectType(rawValue: UInt32(truncatingIfNeeded: first.type)), owner: first.owner,
                              attributes: attrs, tokenObject: first.token.flatMap(TokenObjectKind.init(rawValue:)))
        o.state = State(rawValue: UInt32(truncatingIfNeeded: first.state))
        return o
    }
}
