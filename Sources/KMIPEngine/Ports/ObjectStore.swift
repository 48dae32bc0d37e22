import KMIP

/// A Locate query in the engine's terms (KMIP 2.1 §6.1.28).
public struct LocateQuery: Sendable {
    /// nil: an admin, who sees every owner's objects.
    public var owner: String?
    /// Attributes every match must carry; two values of one date attribute mean a range (inclusive).
    public var filters: [Attribute]
    public var maxItems: Int?
    public var offset: Int
    /// Storage Status Mask: only on-line objects are kept by this server (archive is not supported).
    public var includeDestroyed: Bool
    public var now: Int64
    public init(owner: String?, filters: [Attribute], maxItems: Int?, offset: Int, includeDestroyed: Bool, now: Int64) {
        self.owner = owner; self.filters = filters; self.maxItems = maxItems; self.offset = offset
        self.includeDestroyed = includeDestroyed; self.now = now
    }
}

/// The engine's port to the metadata store. Writes follow the crash-consistency order of
/// crash-consistency order: `insertPending` ─► token object ─► `commit` (see `Reconciler`).
public protocol ObjectStore: Sendable {
    /// Records intent to create `object` (not visible to get or locate until committed).
    func insertPending(_ object: ManagedObject) async throws(EngineError)
    /// Makes the object visible, with the attributes it has now (one transaction).
    func commit(_ object: ManagedObject) async throws(EngineError)
    func removePending(uid: String) async throws(EngineError)
    /// Deletes an object's row and attributes (Import with Replace Existing).
    func remove(uid: String) async throws(EngineError)
    /// A committed object, or nil.
    func fetch(uid: String) async throws(EngineError) -> ManagedObject?
    /// Replaces the attributes (and derived columns) of a committed object.
    func save(_ object: ManagedObject) async throws(EngineError)
    /// Moves objects whose Activation/Deactivation Date has passed to their next state.
    func advanceStates(now: Int64) async throws(EngineError)
    /// Matching UIDs, newest first, after offset and max items, and how many matched in all.
    func locate(_ query: LocateQuery) async throws(EngineError) -> (uids: [String], total: Int)
    /// Pending (uncommitted) rows this process may reconcile (start-up): all of them for a store one
    /// node uses; in a cluster, this node's and those of nodes whose lease expired.
    func pendingUIDs() async throws(EngineError) -> [String]
    /// Pending rows of other live nodes (creates in flight elsewhere): never reconciled here.
    func othersPendingUIDs() async throws(EngineError) -> Set<String>
    /// Committed objects that should have a token object.
    func uidsWithTokenObjects() async throws(EngineError) -> Set<String>
    /// Committed objects in state Destroyed or Destroyed Compromised: their token objects were asked to go.
    func destroyedUIDs() async throws(EngineError) -> Set<String>
    /// This store's id and the token it is bound to (`Binding.swift`).
    func identity() async throws(EngineError) -> StoreIdentity
    /// Records the token this store describes (a deliberate bind, adopt or take-over).
    func recordBinding(_ identity: StoreIdentity) async throws(EngineError)
}

extension ObjectStore {
    /// A store only one node uses has no one else's intents.
    public func othersPendingUIDs() async throws(EngineError) -> Set<String> { [] }
}

/// What operators' commands need of a store beyond the engine's port: its name, counts, a bulk fill
/// for benchmarks, and every row for `kmipd store copy`.
public protocol AdministeredStore: ObjectStore {
    /// The file or URL, for messages.
    var name: String { get }
    /// Committed objects and pending intents.
    func counts() async throws(EngineError) -> (objects: Int, pending: Int)
    /// Committed objects by Object Type and State (raw enumeration values): one grouped count, for
    /// the metrics endpoint and `kmipd objects`.
    func census() async throws(EngineError) -> [ObjectCensus]
    /// Committed rows in one transaction (objects without token objects, or copied as they are).
    func bulkInsert(_ objects: [ManagedObject]) async throws(EngineError)
    /// Committed objects in insertion order, a page at a time, after the `after`-th.
    func committedObjects(after: Int, limit: Int) async throws(EngineError) -> [ManagedObject]
    /// Stops background work before the process ends.
    func close() async
}

/// How many committed objects have one Object Type and State.
public struct ObjectCensus: Sendable, Equatable {
    public var objectType: UInt32
    public var state: UInt32
    public var count: Int
    public init(objectType: UInt32, state: UInt32, count: Int) { self.objectType = objectType; self.state = state; self.count = count }
}
