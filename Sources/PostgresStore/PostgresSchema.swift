import Foundation

/// Ordered migrations of the PostgreSQL store. Never edit a shipped migration; add the next one.
/// The tables are the SQLite store's (same columns, same meaning), plus what a cluster needs: an
/// insertion sequence for Locate's order, the node that wrote an intent, and the nodes' leases.
enum PostgresSchema {
    struct Migration { var name: String; var statements: [String] }

    /// Text columns compare byte by byte (`COLLATE "C"`): grant ranges and sortable numbers depend on
    /// it, whatever locale the database was made with.
    static let migrations: [Migration] = [
        Migration(name: "v1: objects, attributes, identity, nodes", statements: [
            """
            CREATE TABLE objects (
                seq bigserial NOT NULL UNIQUE,
                uid text COLLATE "C" PRIMARY KEY,
                object_type bigint NOT NULL,
                owner text COLLATE "C" NOT NULL,
                state bigint NOT NULL,
                activation_date bigint,
                deactivation_date bigint,
                token_object text,
                committed bigint NOT NULL DEFAULT 0,
                node text COLLATE "C"
            )
            """,
            "CREATE INDEX objects_owner_state ON objects(owner, state)",
            "CREATE INDEX objects_pending ON objects(committed) WHERE committed = 0",
            "CREATE INDEX objects_activation ON objects(state, activation_date)",
            "CREATE INDEX objects_deactivation ON objects(state, deactivation_date)",
            """
            CREATE TABLE attributes (
                uid text COLLATE "C" NOT NULL REFERENCES objects(uid) ON DELETE CASCADE,
                position bigint NOT NULL,
                name text COLLATE "C" NOT NULL,
                value bytea NOT NULL,
                num bigint,
                text text COLLATE "C",
                PRIMARY KEY (uid, position)
            )
            """,
            // Values and texts may be longer than a B-tree entry allows (about 2.7 kB): equality goes
            // through hash indexes; ranges only over numbers and over grants, which are short.
            "CREATE INDEX attributes_value ON attributes USING hash (value)",
            "CREATE INDEX attributes_text ON attributes USING hash (text)",
            "CREATE INDEX attributes_name_num ON attributes(name, num)",
            "CREATE INDEX attributes_grants ON attributes(text) WHERE name = 'x-kmipd-grant'",
            "CREATE INDEX attributes_name ON attributes(name)",
            """
            CREATE TABLE store_identity (
                only_row bigint PRIMARY KEY CHECK (only_row = 1),
                store_id text NOT NULL,
                binding_id text,
                token_serial text,
                token_label text,
                bound_at bigint
            )
            """,
            "INSERT INTO store_identity (only_row, store_id) VALUES (1, '\(UUID().uuidString.lowercased())')",
            // One row per node name: who holds it (host and process) and until when (database clock).
            """
            CREATE TABLE nodes (
                name text COLLATE "C" PRIMARY KEY,
                incarnation text NOT NULL,
                host text NOT NULL,
                pid bigint NOT NULL,
                started_at bigint NOT NULL,
                lease_until bigint NOT NULL
            )
            """,
        ]),
    ]

    /// Every node runs the migrations at start; an advisory lock held for the transaction makes the
    /// second node wait and then find them applied.
    static let migrationLock: Int64 = 0x6B6D_6970_6400_0001
}
