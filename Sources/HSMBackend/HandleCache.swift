import Foundation
import PKCS11
import Synchronization

/// CKA_ID → object handle, built once at start-up by one token scan and kept current by every create
/// and destroy; rebuilt whenever a session had to be reopened (the token was reset or came back, so
/// its handles may have changed). The token is never searched per request (C_FindObjects scans every
/// object file in SoftHSM2).
final class HandleCache: @unchecked Sendable {
    private struct State {
        var handles: [String: ObjectHandle] = [:]
        /// Creates and destroys made while a scan runs (nil: destroyed); they win over the scan's
        /// snapshot, so an object acknowledged during a rebuild is never dropped from the cache.
        var changedDuringScan: [String: ObjectHandle?] = [:]
        var scans = 0
    }
    private let state = Mutex(State())

    func get(_ id: String) -> ObjectHandle? { state.withLock { $0.handles[id] } }
    func set(_ id: String, _ handle: ObjectHandle) {
        state.withLock { s in s.handles[id] = handle; if s.scans > 0 { s.changedDuringScan[id] = .some(handle) } }
    }
    func remove(_ id: String) {
        state.withLock { s in _ = s.handles.removeValue(forKey: id); if s.scans > 0 { s.changedDuringScan[id] = .some(nil) } }
    }
    var ids: Set<String> { state.withLock { Set($0.handles.keys) } }
    var count: Int { state.withLock { $0.handles.count } }

    /// Replaces the map by what `scan` finds, keeping the changes made while it ran.
    func rebuild<E: Error>(_ scan: () throws(E) -> [String: ObjectHandle]) throws(E) {
        state.withLock { $0.scans += 1 }
        let found: [String: ObjectHandle]
        do { found = try scan() } catch {
            state.withLock { s in s.scans -= 1; if s.scans == 0 { s.changedDuringScan = [:] } }
            throw error
        }
        state.withLock { s in
            var map = found
            for (id, handle) in s.changedDuringScan {
                if let handle { map[id] = handle } else { map.removeValue(forKey: id) }
            }
            s.handles = map
            s.scans -= 1
            if s.scans == 0 { s.changedDuringScan = [:] }
        }
    }
}
