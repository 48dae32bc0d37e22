import Foundation
import GRDB
import KMIP
import StoreSQL

/// Ordered migrations. Never edit a shipped migration; add the next one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: objects and attributes") { db in
            try db.execute(sql: """
                CREATE TABLE objects (
                    uid TEXT PRIMARY KEY NOT NULL,
                    object_type INTEGER NOT NULL,
                    owner TEXT NOT NULL,
                    state INTEGER NOT NULL,
                    activation_date INTEGER,
                    deactivation_date INTEGER,
                    token_object TEXT,           -- 'secretKey' | 'data' | NULL once destroyed
                    committed INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX objects_owner_state ON objects(owner, state);
                CREATE INDEX objects_pending ON objects(committed) WHERE committed = 0;
                CREATE INDEX objects_activation ON objects(state, activation_date);
                CREATE INDEX objects_deactivation ON objects(state, deactivation_date);
                CREATE TABLE attributes (
                    uid TEXT NOT NULL REFERENCES objects(uid) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    value BLOB NOT NULL,         -- the value's TTLV encoding (never key material)
                    num INTEGER,                 -- integer, enumeration, boolean and date values
                    text TEXT,                   -- text values, and a Name's Name Value
                    PRIMARY KEY (uid, position)
                ) WITHOUT ROWID;
                CREATE INDEX attributes_name_value ON attributes(name, value);
                CREATE INDEX attributes_name_num ON attributes(name, num);
                CREATE INDEX attributes_name_text ON attributes(name, text);
                """)
        }
        m.registerMigration("v2: store identity and token binding") { db in
            // One row: this store's id (a store made before binding existed gets one here, unbound)
            // and the token it describes, recorded by a deliberate bind (StoreIdentity).
            try db.execute(sql: """
                CREATE TABLE store_identity (
                    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
                    store_id TEXT NOT NULL,
                    binding_id TEXT,
                    token_serial TEXT,
                    token_label TEXT,
                    bound_at INTEGER
                );
                """)
            try db.execute(sql: "INSERT INTO store_identity (only_row, store_id) VALUES (1, ?)",
                           arguments: [UUID().uuidString.lowercased()])
        }
        m.registerMigration("v3: Usage Limits Count is what remains") { db in
            // Stores made before counted units used in Usage Limits Count; KMIP 2.1 §4.59 makes it the
            // units that remain. Each row is rewritten as Total − used, with the columns Locate compares.
            let rows = try Row.fetchAll(db, sql: "SELECT uid, position, value FROM attributes WHERE name = ?", arguments: ["Usage Limits"])
            let decoder = TTLVDecoder(limits: TTLVLimits())
            for row in rows {
                let blob: Data = row["value"]
                guard let value = try? decoder.decode(Array(blob)), let total = value.first(.usageLimitsTotal)?.int64 else { continue }
                let used = value.first(.usageLimitsCount)?.int64 ?? 0
                let fields = value.children.filter { $0.tag != .usageLimitsCount }
                    + [TTLV(.usageLimitsCount, .longInteger(max(0, total - max(0, used))))]
                let updated = AttributeRow(Attribute(.usageLimits, .structure(fields)))
                try db.execute(sql: "UPDATE attributes SET value = ?, num = ?, text = ? WHERE uid = ? AND position = ?",
                               arguments: [Data(updated.value), updated.num, updated.text, row["uid"] as String, row["position"] as Int64])
            }
        }
        return m
    }
}
