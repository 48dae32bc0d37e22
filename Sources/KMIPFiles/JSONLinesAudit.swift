import Foundation
import KMIPEngine
import Synchronization

/// JSON lines appended to a file (or standard output), written whole under a lock.
public final class JSONLinesAudit: AuditSink, @unchecked Sendable {
    private let handle: Mutex<FileHandle>

    /// `path` "-" means standard output. Files are created 0600.
    public init(path: String) throws {
        if path == "-" { handle = Mutex(FileHandle.standardOutput); return }
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteNoPermission) }
        h.seekToEndOfFile()
        handle = Mutex(h)
    }

    public func record(_ entry: AuditEntry) {
        let line = Data(entry.jsonLine)
        handle.withLock { $0.write(line) }
    }
}
