import Foundation
import GRDB
import HSMBackend
import KMIPEngine
import KMIPTestSupport
import Store
import Testing

/// A store and a token are bound to each other; each side of the binding survives a reopen, and every
/// mismatch is refused with one line that names both sides.
@Suite struct BindingTests {
    @Test func tokenBindingObjectRoundTripsAndIsNoManagedObject() async throws {
        let token = try TestHSM.makeToken()
        #expect(try await token.readBinding() == nil)
        let first = TokenBinding(bindingID: "b1", storeID: "s1"), second = TokenBinding(bindingID: "b2", storeID: "s2")
        try await token.writeBinding(first)
        #expect(try await token.readBinding() == first)
        try await token.writeBinding(second)
        #expect(try await token.readBinding() == second, "a new binding replaces the old one")
        // The binding object has no CKA_ID: reconciliation and adoption never see it.
        #expect(try await token.allIDs().isEmpty)
        let reopened = try PKCS11Token(profile: token.profile, pin: TestHSM.pin)
        #expect(try await reopened.readBinding() == second)
        #expect(try await reopened.allIDs().isEmpty)
    }

    @Test func storeIdentityIsMadeOnceAndKeepsItsBinding() async throws {
        let path = TestHSM.databasePath()
        let store = try SQLiteObjectStore(path: path, mode: .create)
        var identity = try await store.identity()
        #expect(!identity.isBound && identity.storeID.count == 36)
        identity.bindingID = "b"; identity.tokenSerial = "123"; identity.tokenLabel = "kmipd"
        try await store.recordBinding(identity)
        let reopened = try SQLiteObjectStore(path: path, mode: .openExisting)
        #expect(try await reopened.identity() == identity)
    }

    @Test func storesAreNeverMadeByOpening() throws {
        let missing = TestHSM.databasePath()
        #expect(throws: EngineError.self) { try SQLiteObjectStore(path: missing, mode: .openExisting) }
        #expect(!FileManager.default.fileExists(atPath: missing), "a refused open leaves no file behind")
        let existing = TestHSM.databasePath()
        _ = try SQLiteObjectStore(path: existing, mode: .create)
        #expect(throws: EngineError.self) { try SQLiteObjectStore(path: existing, mode: .create) }
        // A SQLite file that is not a kmipd store (or an empty file) is refused, not migrated into one.
        let foreign = TestHSM.databasePath()
        try DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        #expect(throws: EngineError.self) { try SQLiteObjectStore(path: foreign, mode: .openExisting) }
        let empty = TestHSM.databasePath()
        FileManager.default.createFile(atPath: empty, contents: nil)
        #expect(throws: EngineError.self) { try SQLiteObjectStore(path: empty, mode: .openExisting) }
    }

    /// A store made before binding existed gets its own id when it is opened, and stays unbound.
    @Test func aStoreFromBeforeBindingGetsAnIdentity() async throws {
        let path = TestHSM.databasePath()
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1: objects and attributes');
                CREATE TABLE objects (uid TEXT PRIMARY KEY NOT NULL, object_type INTEGER NOT NULL, owner TEXT NOT NULL,
                    state INTEGER NOT NULL, activation_date INTEGER, deactivation_date INTEGER, token_object TEXT,
                    committed INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE attributes (uid TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL,
                    num INTEGER, text TEXT, PRIMARY KEY (uid, position)) WITHOUT ROWID;
                """)
        }
        let store = try SQLiteObjectStore(path: path, mode: .openExisting)
        let identity = try await store.identity()
        #expect(!identity.isBound && identity.storeID.count == 36)
    }

    @Test func everyMismatchIsRefusedNamingBothSides() throws {
        let tokenID = TokenIdentity(serial: "42", label: "kmipd")
        let bound = StoreIdentity(storeID: "store-a", bindingID: "bind-a", tokenSerial: "42", tokenLabel: "kmipd")
        func check(_ store: StoreIdentity, _ token: TokenBinding?, _ id: TokenIdentity = tokenID) throws(EngineError) -> BindingCheck.Outcome {
            try BindingCheck.verify(store: store, storeName: "/s/kmipd.sqlite", token: token, tokenIdentity: id,
                                    bindCommand: "kmipd store bind", adoptCommand: "kmipd store adopt")
        }
        #expect(try check(bound, TokenBinding(bindingID: "bind-a", storeID: "store-a")) == .bound)
        #expect(try check(bound, TokenBinding(bindingID: "bind-a", storeID: "store-a"), TokenIdentity(serial: "43", label: "kmipd"))
                == .boundTokenRenamed)
        let cases: [(StoreIdentity, TokenBinding?, String)] = [
            (StoreIdentity(storeID: "store-new"), nil, "kmipd store bind"),                                        // neither bound
            (StoreIdentity(storeID: "store-new"), TokenBinding(bindingID: "bind-a", storeID: "store-a"), "--take-over"),  // empty store, populated token
            (bound, nil, "no kmipd binding"),                                                                     // another (new) token
            (bound, TokenBinding(bindingID: "bind-b", storeID: "store-b"), "store-b"),                            // another store's token
            (bound, TokenBinding(bindingID: "bind-a", storeID: "store-copy"), "store-copy"),
        ]
        for (store, token, needle) in cases {
            do throws(EngineError) {
                _ = try check(store, token)
                Issue.record("accepted \(store) with \(String(describing: token))")
            } catch {
                #expect(error.code == .bindingMismatch)
                #expect(error.message.contains(needle) && error.message.contains("/s/kmipd.sqlite") && error.message.contains("serial 42"),
                        "\(error.message)")
                #expect(!error.message.contains("\n"))
            }
        }
    }
}
