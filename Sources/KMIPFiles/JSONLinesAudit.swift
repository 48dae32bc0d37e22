import CoreMetrics
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
        guard let h = FileHandle(forWritingAtPath: path) else { throw AuditFileError(path: path) }
        h.seekToEndOfFile()
        handle = Mutex(h)
    }

    /// A line that cannot be written (disk full, file gone read-only) is counted in
    /// `kmipd_audit_write_failures_total`; the request it describes has been answered already.
    public func record(_ entry: AuditEntry) {
        let line = Data(entry.jsonLine)
        let written: Bool = handle.withLock { h in
            do { try h.write(contentsOf: line); return true } catch { return false }
        }
        if !written { Counter(label: "kmipd_audit_write_failures_total").increment() }
    }
}

/// The audit file cannot be opened for appending.
public struct AuditFileError: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "cannot open the audit log \(path) for appending (check the folder exists and is writable)" }
}
