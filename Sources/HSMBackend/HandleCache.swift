import Foundation

/// CKA_ID → object handle, built once at start-up by one token scan and kept current by every create
/// and destroy; rebuilt after a session error. The token is never searched per request
/// (C_FindObjects scans every object file in SoftHSM2).
final class HandleCache: @unchecked Sendable {
    private let lock = NSLock()
    private var handles: [String: UInt] = [:]

    func get(_ id: String) -> UInt? { lock.withLock { handles[id] } }
    func set(_ id: String, _ handle: UInt) { lock.withLock { handles[id] = handle } }
    func remove(_ id: String) { lock.withLock { _ = handles.removeValue(forKey: id) } }
    func replaceAll(_ new: [String: UInt]) { lock.withLock { handles = new } }
    var ids: Set<String> { lock.withLock { Set(handles.keys) } }
    var count: Int { lock.withLock { handles.count } }
}
