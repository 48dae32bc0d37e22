import Foundation
import KMIP

/// One line of the audit log: who asked for what on which objects, and how it ended. Never key
/// material, PINs or data: only names, identifiers and results.
public struct AuditEntry: Codable, Sendable {
    public var time: String
    public var identity: String
    public var operation: String
    public var uniqueIdentifiers: [String]
    public var result: String
    public var reason: String?
    /// The certificate the request came through, when a credential made the identity a user.
    public var certificate: String?
    public init(time: String, identity: String, operation: String, uniqueIdentifiers: [String], result: String,
                reason: String?, certificate: String? = nil) {
        self.time = time; self.identity = identity; self.operation = operation; self.uniqueIdentifiers = uniqueIdentifiers
        self.result = result; self.reason = reason; self.certificate = certificate
    }
}

/// Where audit entries go (every refusal is written to the audit log too).
public protocol AuditSink: Sendable {
    func record(_ entry: AuditEntry)
}

/// JSON lines appended to a file (or standard output), written whole under a lock.
public final class JSONLinesAudit: AuditSink, @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// `path` "-" means standard output. Files are created 0600.
    public init(path: String) throws {
        if path == "-" { handle = FileHandle.standardOutput; return }
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteNoPermission) }
        h.seekToEndOfFile()
        handle = h
    }

    public func record(_ entry: AuditEntry) {
        guard var line = try? encoder.encode(entry) else { return }
        line.append(0x0A)
        lock.lock(); defer { lock.unlock() }
        handle.write(line)
    }
}

/// The default: nowhere.
public struct NoAudit: AuditSink {
    public init() {}
    public func record(_ entry: AuditEntry) {}
}
