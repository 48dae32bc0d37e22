import Foundation
import Testing
@testable import kmipd

/// The settings `ConfigurationKeys` accepts are exactly those `Configuration` reads: a file naming every
/// accepted key decodes with each value in place, and a key outside the list is named as unknown.
@Suite struct ConfigurationKeysTests {
    static let everyKey = """
    {
      "listen": { "host": "127.0.0.2", "port": 5697 },
      "tls": { "certificate": "c", "privateKey": "k", "clientCA": "ca", "minimumVersion": "TLSv1.3", "ciphers": "HIGH",
               "ciphersuites": "TLS_AES_256_GCM_SHA384", "crlFile": "crl" },
      "token": { "profile": "softhsm2", "label": "l", "pinFile": "p", "softhsmConf": "s", "lockDirectory": "d" },
      "database": "db.sqlite", "databasePasswordFile": "pw", "node": "n1", "audit": "a.jsonl", "pidFile": "x.pid",
      "policy": { "admins": ["CN=a"], "extractableByDefault": false, "privateKeysExtractableByDefault": false, "acceptRNGSeed": false,
                  "rngSeedMaximumBytes": 3, "defaultIssuerCertificate": "u", "certificateValidityDays": 9, "passwordFile": "pf",
                  "requireCredential": true, "clientNonces": "refuse",
                  "groups": [{ "name": "g", "members": ["CN=m"], "subjectField": "OU", "subjectValue": "v" }] },
      "limits": { "maxMessageSize": 1, "maxConnections": 2, "maxHandshakes": 3, "maxBatchItems": 4, "idleTimeoutSeconds": 5,
                  "handshakeTimeoutSeconds": 6, "messageTimeoutSeconds": 7, "maxPendingRequests": 8, "drainDelaySeconds": 9,
                  "drainTimeoutSeconds": 10 },
      "admin": { "listen": "off" },
      "log": { "level": "debug", "format": "json" }
    }
    """

    @Test func everyAcceptedKeyIsRead() throws {
        let data = Data(Self.everyKey.utf8)
        #expect(try ConfigurationKeys.unknown(in: data).isEmpty)
        let c = try JSONDecoder().decode(Configuration.self, from: data)
        #expect(c.listen.port == 5697 && c.tls.crlFile == "crl" && c.token.lockDirectory == "d" && c.pidFile == "x.pid")
        #expect(c.policy.requireCredential == true && c.policy.groups?.first?.subjectValue == "v" && c.policy.rngSeedMaximumBytes == 3)
        #expect(c.limits.drainDelaySeconds == 9 && c.limits.drainTimeoutSeconds == 10 && c.limits.maxPendingRequests == 8)
        #expect(c.admin.listen == "off" && c.log.format == "json" && c.node == "n1" && c.databasePasswordFile == "pw")
        // Every section's keys appear in the file above, so a key added to the list must be read too.
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for (section, keys) in ConfigurationKeys.sections {
            #expect(Set((json[section] as? [String: Any] ?? [:]).keys) == keys, "section \(section)")
        }
        #expect(Set(json.keys) == ConfigurationKeys.top)
    }

    @Test func unknownKeysAreNamed() throws {
        let text = #"{"listen": {"hots": "x"}, "policy": {"requireCredentials": true, "groups": [{"name": "g", "member": []}]}, "extra": 1}"#
        #expect(try ConfigurationKeys.unknown(in: Data(text.utf8)) == ["extra", "listen.hots", "policy.groups[0].member", "policy.requireCredentials"])
    }

    @Test func loadRefusesAnUnknownKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmipd-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("kmipd.json")
        let text = Self.everyKey.replacingOccurrences(of: "\"requireCredential\"", with: "\"requireCredentials\"")
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect { try Configuration.load(file.path) } throws: { "\($0)".contains("unknown setting policy.requireCredentials") }
    }
}
