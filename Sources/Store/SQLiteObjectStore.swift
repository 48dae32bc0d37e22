import Foundation
import GRDB
import KMIP
import KMIPEngine
import StoreSQL

/// The engine's `ObjectStore` on SQLite through GRDB: WAL mode, one writer, concurrent readers, all
/// calls off the event loops (GRDB's own queues). Holds attributes and token references only.
public final class SQLiteObjectStore: ObjectStore, @unchecked Sendable {
    let pool: DatabasePool
    let group: GroupCommit
    public let path: String

    /// `create` makes a new store and refuses a path that exists; `openExisting` (what `kmipd serve`
    /// uses) refuses a missing file or one that is not a kmipd store, so a mistyped path never becomes
    /// a new, empty store beside a populated token.
    public enum OpenMode: Sendable { case create, openExisting }

    public init(path: String, mode: OpenMode) throws(EngineError) {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        switch mode {
        case .create where exists:
            throw EngineError(.storeFailure, "\(path) exists already: a store is created only once")
        case .openExisting where !exists:
            throw EngineError(.storeFailure, "no store at \(path)")
        default: break
        }
        do {
            var config = Configuration()
            config.foreignKeysEnabled = true
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")  // an acknowledged object survives power loss
            }
            pool = try DatabasePool(path: path, configuration: config)
            if mode == .openExisting, try !Self.isKMIPDStore(pool) {
                throw EngineError(.storeFailure, "\(path) is not a kmipd store")
            }
            try Schema.migrator.migrate(pool)
            group = GroupCommit(pool: pool)
            // Metadata is not secret, but it is nobody else's business either (the WAL follows the mode).
            chmod(path, 0o600)
        } catch { throw Self.wrap(error) }
    }

    /// Whether the file holds kmipd's tables (any schema version).
    static func isKMIPDStore(_ pool: DatabasePool) throws -> Bool {
        try pool.read { db in try db.tableExists("objects") && db.tableExists("grdb_migrations") }
    }

    static func wrap(_ error: any Error) -> EngineError {
        if let e = error as? EngineError { return e }
        if error is CancellationError { return EngineError(.generalFailure, "request cancelled before its write was made") }
        if let d = error as? DatabaseError {
            return EngineError(.storeFailure, "SQLite: \(d.message ?? d.description)", underlying: UInt(d.extendedResultCode.rawValue))
        }
        return EngineError(.storeFailure, "\(error)")
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(EngineError) -> T {
        do { return try await pool.write(body) } catch { throw Self.wrap(error) }
    }
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(EngineError) -> T {
        do { return try await pool.read(body) } catch { throw Self.wrap(error) }
    }
    /// A short read on the calling thread (a request's task, never an event loop): point reads and
    /// Locate by index cost less than the two thread switches of `read` (measured with perf). Being a
    /// non-async function, it gets GRDB's blocking `read`.
    /// The snapshot is a plain deferred transaction on cached statements: GRDB's `read` wraps it in a
    /// read-only mode switch and a savepoint, three more statements per read (about a tenth of a Get).
    func readNow<T>(_ body: (Database) throws -> T) throws(EngineError) -> T {
        do {
            return try pool.unsafeRead { db in
                try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
                defer { try? db.cachedStatement(sql: "COMMIT").execute() }
                return try body(db)
            }
        } catch { throw Self.wrap(error) }
    }

    // MARK: ObjectStore

    /// The intent row is written without its own fsync (synchronous = NORMAL for this one transaction):
    /// the commit that follows is FULL, and syncing the write-ahead log then makes the intent durable
    /// too, since the log is written in order. Should power fail in between, the token object has no
    /// row and reconciliation removes it — the Create was never acknowledged. One fsync fewer per
    /// Create.
    public func insertPending(_ object: ManagedObject) async throws(EngineError) {
        do {
            try await pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
                try db.inTransaction {
                    try Self.upsert(db, object, committed: false)
                    return .commit
                }
            }
        } catch { throw Self.wrap(error) }
    }

    /// Committed together with other waiting writes (`GroupCommit`): one fsync for all of them.
    public func commit(_ object: ManagedObject) async throws(EngineError) {
        try await writeDurably { db in
            try Self.upsert(db, object, committed: true)
            try db.execute(sql: "UPDATE objects SET committed = 1 WHERE uid = ?", arguments: [object.uid])
        }
    }

    func writeDurably(_ body: @escaping GroupCommit.Work) async throws(EngineError) {
        do { try await group.write(body) } catch { throw Self.wrap(error) }
    }

    public func removePending(uid: String) async throws(EngineError) {
        try await write { db in try db.execute(sql: "DELETE FROM objects WHERE uid = ? AND committed = 0", arguments: [uid]) }
    }

    public func remove(uid: String) async throws(EngineError) {
        try await write { db in try db.execute(sql: "DELETE FROM objects WHERE uid = ?", arguments: [uid]) }
    }

    /// One object by its identifier: a read of a few rows by primary key in WAL mode, done on the
    /// calling task's thread (never an event loop) rather than hopping to GRDB's queue and back — the
    /// two thread switches cost more than the read (measured with perf).
    public func fetch(uid: String) async throws(EngineError) -> ManagedObject? {
        try readNow { db in try Self.load(db, uid: uid, committedOnly: true) }
    }

    public func save(_ object: ManagedObject) async throws(EngineError) {
        try await writeDurably { db in try Self.upsert(db, object, committed: true) }
    }

    public func advanceStates(now: Int64) async throws(EngineError) {
        // Only touch the writer when some date has passed (the check is an index probe).
        let due = try readNow { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS(SELECT 1 FROM objects WHERE state = \(SQLState.preActive) AND activation_date <= ?1)
                    OR EXISTS(SELECT 1 FROM objects WHERE state IN (\(SQLState.preActive), \(SQLState.active)) AND deactivation_date <= ?1)
                """, arguments: [now]) ?? false
        }
        guard due else { return }
        try await write { db in
            try db.execute(sql: """
                UPDATE objects SET state = \(SQLState.deactivated)
                WHERE state IN (\(SQLState.preActive), \(SQLState.active)) AND deactivation_date <= ?
                """, arguments: [now])
            try db.execute(sql: "UPDATE objects SET state = \(SQLState.active) WHERE state = \(SQLState.preActive) AND activation_date <= ?",
                           arguments: [now])
        }
    }

    public func locate(_ query: LocateQuery) async throws(EngineError) -> (uids: [String], total: Int) {
        let compiled = LocateSQL(query, dialect: .sqlite)
        let page = compiled.page(maxItems: query.maxItems, offset: query.offset)
        return try readNow { db in
            // Statements are cached by their text: a client's Locates repeat a few shapes.
            let total = try Int.fetchOne(db.cachedStatement(sql: compiled.countSQL), arguments: Self.arguments(compiled.arguments)) ?? 0
            let uids = try String.fetchAll(try db.cachedStatement(sql: page.sql), arguments: Self.arguments(page.arguments))
            return (uids, total)
        }
    }

    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { v -> DatabaseValue in
            switch v {
            case .int(let i): i.databaseValue
            case .text(let t): t.databaseValue
            case .blob(let b): Data(b).databaseValue
            case .null: .null
            }
        })
    }

    public func pendingUIDs() async throws(EngineError) -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT uid FROM objects WHERE committed = 0") }
    }

    public func uidsWithTokenObjects() async throws(EngineError) -> Set<String> {
        try await read { db in Set(try String.fetchAll(db, sql: "SELECT uid FROM objects WHERE committed = 1 AND token_object IS NOT NULL")) }
    }

    public func destroyedUIDs() async throws(EngineError) -> Set<String> {
        try await read { db in
            Set(try String.fetchAll(db, sql: "SELECT uid FROM objects WHERE committed = 1 AND state IN (?, ?)",
                                    arguments: [Int64(State.destroyed.rawValue), Int64(State.destroyedCompromised.rawValue)]))
        }
    }

    public func identity() async throws(EngineError) -> StoreIdentity {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT store_id, binding_id, token_serial, token_label FROM store_identity") else {
                throw EngineError(.storeFailure, "\(self.path) has no store identity")
            }
            return StoreIdentity(storeID: row[0], bindingID: row[1], tokenSerial: row[2], tokenLabel: row[3])
        }
    }

    public func recordBinding(_ identity: StoreIdentity) async throws(EngineError) {
        try await writeDurably { db in
            try db.execute(sql: """
                UPDATE store_identity SET store_id = ?, binding_id = ?, token_serial = ?, token_label = ?, bound_at = strftime('%s', 'now')
                """, arguments: [identity.storeID, identity.bindingID, identity.tokenSerial, identity.tokenLabel])
        }
    }

    // MARK: Rows

    static func upsert(_ db: Database, _ o: ManagedObject, committed: Bool) throws {
        try db.execute(sql: """
            INSERT INTO objects (uid, object_type, owner, state, activation_date, deactivation_date, token_object, committed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(uid) DO UPDATE SET state = excluded.state, activation_date = excluded.activation_date,
                deactivation_date = excluded.deactivation_date, token_object = excluded.token_object
            """, arguments: [o.uid, Int64(o.objectType.rawValue), o.owner, Int64(o.state.rawValue),
                             o.date(.activationDate), o.date(.deactivationDate), o.tokenObject?.rawValue, committed])
        try db.execute(sql: "DELETE FROM attributes WHERE uid = ?", arguments: [o.uid])
        let stmt = try db.cachedStatement(sql: "INSERT INTO attributes (uid, position, name, value, num, text) VALUES (?, ?, ?, ?, ?, ?)")
        for (i, a) in o.attributes.enumerated() where a.tag != .state {
            let row = AttributeRow(a)
            try stmt.execute(arguments: [o.uid, i, row.name, Data(row.value), row.num, row.text])
        }
    }

    /// Columns are read by position: a lookup by name lowercases and hashes the name on every read
    /// (a few per cent of a Get Attributes in a perf profile).
    static func load(_ db: Database, uid: String, committedOnly: Bool) throws -> ManagedObject? {
        let select = try db.cachedStatement(sql: "SELECT object_type, owner, state, token_object FROM objects WHERE uid = ?"
                                                 + (committedOnly ? " AND committed = 1" : ""))
        guard let row = try Row.fetchOne(select, arguments: [uid]) else { return nil }
        let decoder = TTLVDecoder()
        var attrs = [Attribute]()
        let attributes = try db.cachedStatement(sql: "SELECT name, value FROM attributes WHERE uid = ? ORDER BY position")
        let rows = try Row.fetchCursor(attributes, arguments: [uid])
        while let r = try rows.next() {
            let data: Data = r[1]
            if let a = AttributeRow(name: r[0], value: [UInt8](data), num: nil, text: nil).attribute(decoder: decoder) { attrs.append(a) }
        }
        var o = ManagedObject(uid: uid, objectType: ObjectType(rawValue: UInt32(row[0] as Int64)), owner: row[1],
                              attributes: attrs, tokenObject: (row[3] as String?).flatMap(TokenObjectKind.init(rawValue:)))
        o.state = State(rawValue: UInt32(row[2] as Int64))
        return o
    }
}

