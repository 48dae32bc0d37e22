import KMIP

/// Start-up (and `kmipd token reconcile`) resolution of what a crash left between the store and the
/// token (crash-consistency order: intent row ─► token object ─► commit; Destroy: row ─► token object).
///
/// The token is the system of record for key material, so reconciliation destroys a token object only
/// where this store recorded the intent for that exact CKA_ID:
/// - an intent row (a Create or Register that was never acknowledged), or
/// - a committed row in state Destroyed whose token object survived (a Destroy interrupted after its
///   row was written; the client asked for this very object to go).
/// Token objects the store does not know are reported and left alone; so are rows whose token object
/// is missing. Run it only on a store and token that `BindingCheck` found bound to each other.
public struct Reconciler: Sendable {
    public let store: any ObjectStore
    public let token: any Token
    public init(store: any ObjectStore, token: any Token) { self.store = store; self.token = token }

    public struct Report: Codable, Sendable, Equatable {
        /// Creates and Registers never acknowledged: their intent rows, and any token object they made.
        public var abandonedCreates: [String] = []
        /// Destroys interrupted after the row was written: their token objects.
        public var finishedDestroys: [String] = []
        /// Token objects no row of this store describes: reported, never destroyed here.
        public var unknownTokenObjects: [String] = []
        /// Live rows whose token object is missing: reported, never silently dropped.
        public var missingTokenObjects: [String] = []
        /// Creates other live nodes have in flight: theirs to finish, left alone.
        public var inFlightElsewhere: [String] = []
        public init() {}

        public var isClean: Bool {
            abandonedCreates.isEmpty && finishedDestroys.isEmpty && unknownTokenObjects.isEmpty && missingTokenObjects.isEmpty
        }
    }

    /// What `run` would do, without doing it.
    public func plan() async throws(EngineError) -> Report {
        let tokenIDs = try await token.allIDs()
        let pending = Set(try await store.pendingUIDs())
        let live = try await store.uidsWithTokenObjects()
        let destroyed = try await store.destroyedUIDs()
        let elsewhere = try await store.othersPendingUIDs()
        var report = Report()
        report.inFlightElsewhere = elsewhere.sorted()
        report.abandonedCreates = pending.sorted()
        report.finishedDestroys = tokenIDs.intersection(destroyed).subtracting(pending).sorted()
        report.unknownTokenObjects = tokenIDs.subtracting(pending).subtracting(live).subtracting(destroyed).subtracting(elsewhere).sorted()
        report.missingTokenObjects = live.subtracting(tokenIDs).sorted()
        return report
    }

    /// Resolves the intents `plan` found; reports the rest.
    public func run() async throws(EngineError) -> Report {
        let report = try await plan()
        for uid in report.abandonedCreates {
            try await token.destroy(id: uid)  // a no-op when the crash came before the token object
            try await store.removePending(uid: uid)
        }
        for uid in report.finishedDestroys { try await token.destroy(id: uid) }
        return report
    }

    /// UIDs this server creates are lowercase UUIDs; token objects with other CKA_IDs belong to other
    /// applications and are touched only when an operator names them.
    public static func isServerUID(_ id: String) -> Bool {
        id.count == 36 && id.allSatisfy { $0.isHexDigit || $0 == "-" } && id.lowercased() == id
    }
}
