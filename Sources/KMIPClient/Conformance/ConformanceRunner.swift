import Foundation
import KMIP

/// Runs OASIS KMIP profile test-case files (XML) against a live server, one connection per file:
/// requests are sent in order with placeholders substituted, and each response is compared with the
/// expected one under the variations the profiles allow (identifiers, times, generated material,
/// extra attributes, Query contents, result messages).
public struct ConformanceRunner: Sendable {
    public enum Status: String, Sendable { case pass = "PASS", fail = "FAIL", unsupported = "UNSUPPORTED" }
    public struct Outcome: Sendable {
        public var name: String
        public var status: Status
        public var detail: String
        public var line: String { detail.isEmpty ? "\(status.rawValue) \(name)" : "\(status.rawValue) \(name): \(detail)" }
    }

    /// One server, or several taking the requests of a file in turn (the nodes of a cluster).
    let servers: [@Sendable () async throws -> KMIPConnection]
    public init(connect: @escaping @Sendable () async throws -> KMIPConnection) { servers = [connect] }
    public init(alternating servers: [@Sendable () async throws -> KMIPConnection]) { self.servers = servers }

    public func run(path: String) async -> Outcome {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let root: XMLElement
        do {
            root = try XMLElement.parse(try String(contentsOfFile: path, encoding: .utf8))
        } catch { return Outcome(name: name, status: .fail, detail: "cannot read: \(error)") }
        var connections = [KMIPConnection]()
        for connect in servers {
            do { connections.append(try await connect()) } catch {
                for c in connections { await c.close() }
                return Outcome(name: name, status: .fail, detail: "cannot connect: \(error)")
            }
        }
        let outcome = await run(name: name, root: root, on: connections)
        // Closed before returning: after the last file the process exits, and a close (or a handshake)
        // still running on NIO's threads while exit tears down OpenSSL can crash the runner.
        for c in connections { await c.close() }
        return outcome
    }

    private func run(name: String, root: XMLElement, on connections: [KMIPConnection]) async -> Outcome {
        let operations = Self.requestValues(root, element: "Operation")
        var session = ConformanceSession(requestTexts: Self.requestValues(root),
                                         generatesKeys: operations.contains("create") || operations.contains("createkeypair"))
        var step = 0
        var lastResponse: TTLV?
        for element in root.children {
            switch element.name {
            case "RequestMessage":
                step += 1
                let request: TTLV
                if let last = lastResponse { session.remember(last) }
                do { request = try TTLVXML.ttlv(element, resolve: { session.substitute($0, element: $1) }) } catch {
                    return Outcome(name: name, status: .fail, detail: "request \(step): cannot encode: \(error)")
                }
                do {
                    let bytes = try await connections[(step - 1) % connections.count].sendRaw(TTLVEncoder.encode(request))
                    lastResponse = try TTLVDecoder(limits: TTLVLimits(maxMessageSize: 64 << 20)).decode(bytes)
                } catch {
                    return Outcome(name: name, status: .fail, detail: "request \(step): \(error)")
                }
            case "ResponseMessage":
                guard let actual = lastResponse else { continue }
                if let problem = session.compare(expected: element, actual: actual, path: "response \(step)") {
                    if let unsupported = Self.unsupportedReason(actual) {
                        return Outcome(name: name, status: .unsupported, detail: "step \(step): \(unsupported)")
                    }
                    return Outcome(name: name, status: .fail, detail: problem + Self.serverSaid(actual))
                }
            default: continue
            }
        }
        return Outcome(name: name, status: .pass, detail: "")
    }

    /// A response that refuses a feature the server does not have (as opposed to a wrong answer).
    static func unsupportedReason(_ response: TTLV) -> String? {
        for item in response.all(.batchItem) {
            guard let reason = item.first(.resultReason)?.enumValue.map(ResultReason.init(rawValue:)) else { continue }
            if reason == .operationNotSupported || reason == .featureNotSupported || reason == .keyFormatTypeNotSupported
                || reason == .invalidObjectType && item.first(.operation)?.enumValue != nil {
                let op = item.first(.operation)?.enumValue.map { Operation(rawValue: $0).name } ?? "?"
                return "\(op): \(reason.name): \(item.first(.resultMessage)?.text ?? "")"
            }
        }
        return nil
    }

    /// The server's own words for a failed item, to make a FAIL line self-explanatory.
    static func serverSaid(_ response: TTLV) -> String {
        for item in response.all(.batchItem) where item.first(.resultStatus)?.enumValue != ResultStatus.success.rawValue {
            let reason = item.first(.resultReason)?.enumValue.map { ResultReason(rawValue: $0).name } ?? "?"
            return " (server: \(reason): \(item.first(.resultMessage)?.text ?? ""))"
        }
        return ""
    }

    /// Every value attribute that appears in a request, so fixed values are told from generated ones.
    static func requestValues(_ root: XMLElement, element: String? = nil) -> Set<String> {
        var out = Set<String>()
        func walk(_ e: XMLElement) {
            if let v = e.attributes["value"], element == nil || e.name == element { out.insert(v.lowercased()) }
            e.children.forEach(walk)
        }
        root.children.filter { $0.name == "RequestMessage" }.forEach(walk)
        return out
    }
}
