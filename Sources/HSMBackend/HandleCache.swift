import Foundation

/// CKA_ID → object handle, built once at start-up by one token scan and kept current by every create
/// and destroy; rebuilt whenever a session had to be reopened (the token was reset or came back, so
/// its handles may have changed). The token is never searched per request (C_FindObjects scans every
/// object file in SoftHSM2).
final class HandleCache: @unchecked Sendable {
    private let lock = NSLock()
    private var handles: [String: UInt] = [:]
    /// Creates and destroys made while a scan runs (nil: destroyed); they win over the scan's snapshot,
    /// so an object acknowledged during a rebuild is never dropped from the cache.
    private var changedDuringScan: [String: UInt?] = [:]
    private var scans = 0

    func get(_ id: String) -> UInt? { lock.withLock { handles[id] } }
    func set(_ id: String, _ handle: UInt) {
        lock.withLock { handles[id] = handle; if scans > 0 { changedDuringScan[id] = .some(handle) } }
    }
    func remove(_ id: String) {
        lock.withLock { _ = handles.removeValue(forKey: id); if scans > 0 { changedDuringScan[id] = .some(nil) } }
    }
    var ids: Set<String> { lock.withLock { Set(handles.keys) } }
    var count: Int { lock.withLock { handles.count } }

    /// Replaces the map by what `scan` finds, keeping the changes made while it ran.
    func rebuild<E: Error>(_ scan: () throws(E) -> [String: UInt]) throws(E) {
        lock.withLock { scans += 1 }
        let found: [String: UInt]
        do { found = try scan() } catch {
            lock.withLock { scans -= 1; if scans == 0 { changedDuringScan = [:] } }
            throw error
        }
        lock.withLock {
            var map = found
            for (id, handle) in changedDuringScan {
                if let handle { map[id] = handle } else { map.removeValue(forKey: id) }
            }
            handles = map
            scans -= 1
            if scans == 0 { changedDuringScan = [:] }
        }
    }
}
