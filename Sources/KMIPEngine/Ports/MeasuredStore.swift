import CoreMetrics

/// An `ObjectStore` that times every call into the store it wraps (`kmipd_store_duration_seconds`,
/// by call) and counts the failures (`kmipd_store_errors_total`), through swift-metrics.
public struct MeasuredStore: ObjectStore {
    public let inner: any ObjectStore
    public init(_ inner: any ObjectStore) { self.inner = inner }

    private func measured<T>(_ call: String, _ body: () async throws(EngineError) -> T) async throws(EngineError) -> T {
        let clock = ContinuousClock(), start = clock.now
        do {
            let value = try await body()
            record(call, clock.now - start)
            return value
        } catch {
            record(call, clock.now - start)
            Counter(label: "kmipd_store_errors_total", dimensions: [("call", call)]).increment()
            throw error
        }
    }

    private func record(_ call: String, _ elapsed: Duration) {
        let (s, atto) = elapsed.components
        Timer(label: "kmipd_store_duration_seconds", dimensions: [("call", call)])
            .recordNanoseconds(s &* 1_000_000_000 &+ atto / 1_000_000_000)
    }

    public func insertPending(_ object: ManagedObject) async throws(EngineError) { try await measured("insert_pending") { () async throws(EngineError) in try await inner.insertPending(object) } }
    public func commit(_ object: ManagedObject) async throws(EngineError) { try await measured("commit") { () async throws(EngineError) in try await inner.commit(object) } }
    public func removePending(uid: String) async throws(EngineError) { try await measured("remove_pending") { () async throws(EngineError) in try await inner.removePending(uid: uid) } }
    public func remove(uid: String) async throws(EngineError) { try await measured("remove") { () async throws(EngineError) in try await inner.remove(uid: uid) } }
    public func fetch(uid: String) async throws(EngineError) -> ManagedObject? { try await measured("fetch") { () async throws(EngineError) in try await inner.fetch(uid: uid) } }
    public func save(_ object: ManagedObject) async throws(EngineError) { try await measured("save") { () async throws(EngineError) in try await inner.save(object) } }
    public func advanceStates(now: Int64) async throws(EngineError) { try await measured("advance_states") { () async throws(EngineError) in try await inner.advanceStates(now: now) } }
    public func locate(_ query: LocateQuery) async throws(EngineError) -> (uids: [String], total: Int) { try await measured("locate") { () async throws(EngineError) in try await inner.locate(query) } }
    public func pendingUIDs() async throws(EngineError) -> [String] { try await inner.pendingUIDs() }
    public func othersPendingUIDs() async throws(EngineError) -> Set<String> { try await inner.othersPendingUIDs() }
    public func uidsWithTokenObjects() async throws(EngineError) -> Set<String> { try await inner.uidsWithTokenObjects() }
    public func destroyedUIDs() async throws(EngineError) -> Set<String> { try await inner.destroyedUIDs() }
    public func identity() async throws(EngineError) -> StoreIdentity { try await inner.identity() }
    public func recordBinding(_ identity: StoreIdentity) async throws(EngineError) { try await inner.recordBinding(identity) }
}
