import Foundation
import KMIP
import Logging
import Synchronization

/// The process's log lines (standard error): `log.level` and `log.format` ("text", or "json": one
/// object per line with time, level, label, message and the metadata — the node, a request's id).
enum LogSetup {
    static func bootstrap(_ log: Configuration.Log, node: String?, source: String) throws {
        let level: Logger.Level
        if let name = log.level {
            guard let l = Logger.Level(rawValue: name.lowercased()) else {
                throw CLIError("configuration \(source): log.level \"\(name)\" is not one of trace, debug, info, notice, warning, error, critical")
            }
            level = l
        } else { level = .info }
        let format = log.format ?? "text"
        guard format == "text" || format == "json" else {
            throw CLIError("configuration \(source): log.format \"\(format)\" is not text or json")
        }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == "json" ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            if let node { handler.metadata["node"] = "\(node)" }
            return handler
        }
    }
}

/// One JSON object per line on standard error.
struct JSONLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    static let out = Mutex(FileHandle.standardError)

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (k, v) in metadata { fields[k] = "\(v)" }
        for (k, v) in event.metadata ?? [:] { fields[k] = "\(v)" }
        fields["time"] = ISODate.format(Int64(Date().timeIntervalSince1970))
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = "\(event.message)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(fields) else { return }
        line.append(0x0A)
        Self.out.withLock { try? $0.write(contentsOf: line) }
    }
}
