import KMIP

/// Start-up (and `kmipd token reconcile`) repair of the crash-consistency window (ARCHITECTURE.md):
/// intent rows whose create never committed, token objects without a live row, and live rows whose
/// token object is gone.
public struct Reconciler: Sendable {
    public let store: any ObjectStore
    public let token: any Token
    public init(store: any ObjectStore, token: any Token) { self.store = store; self.token = token }

    public struct Report: Codable, Sendable {
        /// Creates that were never acknowledged: row and any token object removed.
        public var abandonedCreates: [String] = []
        /// Token objects with no live row (a crash inside Destroy, or an unacknowledged create): destroyed.
        public var orphanTokenObjects: [String] = []
        /// Live rows whose token object is missing: reported, never silently dropped.
        public var missingTokenObjects: [String] = []
    }

    /// - Parameter ownsID: which token IDs this server manages (others, like the dev CA key, are left alone).
    public func run(ownsID: (String) -> Bool) async throws(EngineError) -> Report {
        var report = Report()
        let tokenIDs = try await token.allIDs()
        for uid in try await store.pendingUIDs() {
            if tokenIDs.contains(uid) { try await token.destroy(id: uid) }
            try await store.removePending(uid: uid)
            report.abandonedCreates.append(uid)
        }
        let live = try await store.uidsWithTokenObjects()
        for id in tokenIDs.sorted() where ownsID(id) && !live.contains(id) && !report.abandonedCreates.contains(id) {
            try await token.destroy(id: id)
            report.orphanTokenObjects.append(id)
        }
        report.missingTokenObjects = live.subtracting(tokenIDs).sorted()
        return report
    }

    /// UIDs this server creates are lowercase UUIDs.
    public static func isServerUID(_ id: String) -> Bool {
        id.count == 36 && id.allSatisfy { $0.isHexDigit || $0 == "-" } && id.lowercased() == id
    }
}
