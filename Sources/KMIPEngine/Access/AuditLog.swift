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
    /// The node that served the request, when several nodes share one store.
    public var node: String?
    /// The server's id of the request message, also on the request's log lines.
    public var requestID: String?
    /// What a Log operation asked to record (KMIP 2.1 §6.1.29), at most `messageLimit` characters.
    public var message: String?
    public init(time: String, identity: String, operation: String, uniqueIdentifiers: [String], result: String,
                reason: String?, certificate: String? = nil, node: String? = nil, requestID: String? = nil, message: String? = nil) {
        self.time = time; self.identity = identity; self.operation = operation; self.uniqueIdentifiers = uniqueIdentifiers
        self.result = result; self.reason = reason; self.certificate = certificate; self.node = node; self.requestID = requestID
        self.message = message.map { $0.count > Self.messageLimit ? String($0.prefix(Self.messageLimit)) + "…" : $0 }
    }
    /// A client's Log message is kept to this many characters: one audit line stays a line, whatever it sends.
    public static let messageLimit = 4096
}

extension AuditEntry {
    /// The entry as one JSON line (keys sorted, as JSONEncoder's .sortedKeys writes them), built by
    /// hand: the encoder cost a few per cent of every request.
    public var jsonLine: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        var first = true
        func key(_ k: String) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            Self.string(k, into: &out)
            out.append(UInt8(ascii: ":"))
        }
        if let certificate { key("certificate"); Self.string(certificate, into: &out) }
        key("identity"); Self.string(identity, into: &out)
        if let message { key("message"); Self.string(message, into: &out) }
        if let node { key("node"); Self.string(node, into: &out) }
        key("operation"); Self.string(operation, into: &out)
        if let reason { key("reason"); Self.string(reason, into: &out) }
        if let requestID { key("requestID"); Self.string(requestID, into: &out) }
        key("result"); Self.string(result, into: &out)
        key("time"); Self.string(time, into: &out)
        key("uniqueIdentifiers")
        out.append(UInt8(ascii: "["))
        for (i, u) in uniqueIdentifiers.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.string(u, into: &out)
        }
        out.append(contentsOf: [UInt8(ascii: "]"), UInt8(ascii: "}"), 0x0A])
        return out
    }

    /// A JSON string (RFC 8259 §7): quote, backslash and control characters escaped, the rest as UTF-8.
    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Where audit entries go (every refusal is written to the audit log too).
public protocol AuditSink: Sendable {
    func record(_ entry: AuditEntry)
}

/// The default: nowhere.
public struct NoAudit: AuditSink {
    public init() {}
    public func record(_ entry: AuditEntry) {}
}
