import Foundation
import KMIP
import KMIPEngine
import KMIPFiles
import KMIPTestSupport
import Store
import Testing

/// The audit log: a line per operation with identity, operation, identifiers and result — and never
/// the key material that passed through.
@Suite struct AuditTests {
    final class Capture: AuditSink, @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [AuditEntry] = []
        func record(_ entry: AuditEntry) { lock.lock(); entries.append(entry); lock.unlock() }
        var all: [AuditEntry] { lock.lock(); defer { lock.unlock() }; return entries }
    }

    @Test func everyOperationIsRecordedWithoutSecrets() async throws {
        let token = try TestHSM.makeToken()
        let capture = Capture()
        let engine = BatchExecutor(services: EngineServices(store: try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create), token: token,
                                                            policy: AccessPolicy(), auditLog: capture))
        let secret: [UInt8] = Array("audit-canary-0123456789abcdefghi".utf8)
        let now = Int64(Date().timeIntervalSince1970)
        let reg = await engine.execute(Req.message(.v2_1, [(.register, [TTLV(.objectType, .enumeration(ObjectType.secretData.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0))]),
            .structure(.secretData, [TTLV(.secretDataType, .enumeration(SecretDataType.password.rawValue)),
                .structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.opaque.rawValue)),
                                       .structure(.keyValue, [TTLV(.keyMaterial, .byteString(secret))])])])])]), identity: "CN=alice", now: now)
        let uid = try #require(reg.first.uid)
        _ = await engine.execute(Req.message(.v2_1, [Req.uid(.get, uid)]), identity: "CN=alice", now: now)
        _ = await engine.execute(Req.message(.v2_1, [Req.uid(.get, uid)]), identity: "CN=mallory", now: now)
        let entries = capture.all
        #expect(entries.map(\.operation) == ["Register", "Get", "Get"])
        #expect(entries[0].uniqueIdentifiers == [uid] && entries[0].identity == "CN=alice" && entries[0].result == "Success")
        #expect(entries[2].identity == "CN=mallory" && entries[2].reason == "Object Not Found")
        let text = String(decoding: try JSONEncoder().encode(entries), as: UTF8.self)
        #expect(!text.contains("audit-canary") && !text.contains(secret.map { String(format: "%02x", $0) }.joined()))
    }

    @Test func credentialsAreAuditedWithTheirCertificateAndNeverThePassword() async throws {
        let capture = Capture()
        var policy = AccessPolicy()
        policy.passwords = PasswordFile(users: ["alice": .init(scrypt: try PasswordFile.makeEntry(password: "pw-canary-42", n: 1 << 10))])
        let engine = BatchExecutor(services: EngineServices(store: try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create), token: try TestHSM.makeToken(),
                                                            policy: policy, auditLog: capture))
        let now = Int64(Date().timeIntervalSince1970)
        for password in ["pw-canary-42", "pw-canary-wrong"] {
            var m = Req.message(.v2_1, [(.discoverVersions, [])])
            m.header.authentication = UsernamePassword(username: "alice", password: password).authentication
            _ = await engine.execute(m, identity: "CN=app1", now: now)
        }
        let entries = capture.all
        #expect(entries.count == 2)
        #expect(entries.first?.identity == "user:alice" && entries.first?.certificate == "CN=app1")
        #expect(entries.last?.operation == "Authentication" && entries.last?.identity == "CN=app1" && entries.last?.result == "Operation Failed")
        #expect(!String(decoding: try JSONEncoder().encode(entries), as: UTF8.self).contains("pw-canary"))
    }

    /// Log (KMIP 2.1 §6.1.29) records the client's message on its own audit line, escaped as JSON and
    /// kept to `messageLimit` characters; the next item's line carries none.
    @Test func aLogMessageIsOnItsAuditLine() async throws {
        let capture = Capture()
        let engine = BatchExecutor(services: EngineServices(store: try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create), token: try TestHSM.makeToken(),
                                                            policy: AccessPolicy(), auditLog: capture))
        let now = Int64(Date().timeIntervalSince1970)
        let long = String(repeating: "x", count: AuditEntry.messageLimit + 100)
        _ = await engine.execute(Req.message(.v2_1, [(.log, [TTLV(.logMessage, .textString("nightly backup \"done\"\nok"))]), (.query, []),
                                                     (.log, [TTLV(.logMessage, .textString(long))])]), identity: "CN=backup", now: now)
        let entries = capture.all
        #expect(entries.map(\.operation) == ["Log", "Query", "Log"])
        #expect(entries[0].message == "nightly backup \"done\"\nok" && entries[0].identity == "CN=backup")
        #expect(entries[1].message == nil)
        #expect(entries[2].message == String(long.prefix(AuditEntry.messageLimit)) + "…")
        let line = String(decoding: entries[0].jsonLine, as: UTF8.self)
        #expect(line.contains(#""message":"nightly backup \"done\"\nok""#) && line.filter { $0 == "\n" }.count == 1, "\(line)")
    }
}

/// The audit line is written by hand; it must be exactly what JSONEncoder (sorted keys, slashes
/// unescaped) would write, for any text a client can put in an identity or identifier.
@Suite struct AuditLineTests {
    @Test(arguments: [
        AuditEntry(time: "2026-12-03T01:00:00Z", identity: "CN=alice,O=Example", operation: "Get", uniqueIdentifiers: ["a", "b/c"],
                   result: "Success", reason: nil),
        AuditEntry(time: "t", identity: "CN=\"quoted\" \\ back\nline\ttab\r\u{01}\u{1F}", operation: "Locate", uniqueIdentifiers: [],
                   result: "Operation Failed", reason: "Item Not Found", certificate: "CN=ключ 🔑"),
        AuditEntry(time: "t", identity: "CN=backup", operation: "Log", uniqueIdentifiers: [], result: "Success", reason: nil,
                   node: "n1", requestID: "r1", message: "said \"so\"\n/ok"),
    ])
    func sameAsJSONEncoder(entry: AuditEntry) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = Array(try encoder.encode(entry)) + [0x0A]
        #expect(entry.jsonLine == expected, "\(String(decoding: entry.jsonLine, as: UTF8.self))")
    }
}
