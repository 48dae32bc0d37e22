import KMIPEngine
import Testing

/// Per-object locks: a waiter whose task is cancelled leaves the queue at once and takes nothing.
@Suite struct ObjectLocksTests {
    @Test func aCancelledWaiterLeavesAndTheLockPassesOn() async throws {
        let locks = ObjectLocks()
        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        let owner = Task {
            try await locks.withLock("k") { () async throws(EngineError) in
                holding.yield()
                for await _ in release { break }
            }
        }
        for await _ in held { break }
        let waiter = Task { () async -> Bool in
            do { try await locks.withLock("k") { () async throws(EngineError) in }; return true } catch { return false }
        }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        // Released a little later in any case, so that a waiter that ignored its cancellation would get
        // the lock (and fail the expectation) instead of waiting for ever.
        Task { try? await Task.sleep(for: .milliseconds(200)); releasing.yield() }
        #expect(await waiter.value == false, "a cancelled waiter must not get the lock")
        try await owner.value
        // Nobody holds it now: a new caller gets it at once.
        var ran = false
        try await locks.withLock("k") { () async throws(EngineError) in ran = true }
        #expect(ran)
    }

    @Test func cancelledBeforeAskingNeverWaits() async throws {
        let locks = ObjectLocks()
        let t = Task { () async -> Bool in
            withUnsafeCurrentTask { $0?.cancel() }
            do { try await locks.withLock("x") { () async throws(EngineError) in }; return true } catch { return false }
        }
        // Either outcome is allowed for a task cancelled before it asked, but it must not hang, and
        // the lock must be free afterwards.
        _ = await t.value
        var ran = false
        try await locks.withLock("x") { () async throws(EngineError) in ran = true }
        #expect(ran)
    }
}
