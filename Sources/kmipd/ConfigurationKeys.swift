import Foundation

/// Every setting `Configuration` reads, by section: what `load` and `kmipd config check` compare a
/// file against. A key here must have a field in `Configuration` and the other way round
/// (`ConfigurationKeysTests` writes every key and decodes it).
enum ConfigurationKeys {
    static let top: Set<String> = Set(Configuration.CodingKeys.allCases.map(\.rawValue))
    static let sections: [String: Set<String>] = [
        "listen": ["host", "port"],
        "tls": ["certificate", "privateKey", "clientCA", "minimumVersion", "ciphers", "ciphersuites", "crlFile"],
        "token": ["profile", "label", "pinFile", "softhsmConf", "lockDirectory"],
        "policy": ["admins", "extractableByDefault", "privateKeysExtractableByDefault", "acceptRNGSeed", "rngSeedMaximumBytes",
                   "defaultIssuerCertificate", "certificateValidityDays", "passwordFile", "requireCredential", "clientNonces", "groups"],
        "limits": ["maxMessageSize", "maxConnections", "maxHandshakes", "maxBatchItems", "idleTimeoutSeconds", "handshakeTimeoutSeconds",
                   "messageTimeoutSeconds", "maxPendingRequests", "drainDelaySeconds", "drainTimeoutSeconds"],
        "admin": ["listen"],
        "log": ["level", "format"],
    ]
    /// Objects inside lists: `policy.groups[]`.
    static let listItems: [String: Set<String>] = ["policy.groups": ["name", "members", "subjectField", "subjectValue"]]

    /// Dotted names of the keys in `data` that no setting has ("policy.requireCredentials").
    static func unknown(in data: Data) throws -> [String] {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIError("not a JSON object")
        }
        var out: [String] = []
        for (key, value) in root {
            guard top.contains(key) else { out.append(key); continue }
            guard let allowed = sections[key], let section = value as? [String: Any] else { continue }
            for (inner, innerValue) in section {
                let name = "\(key).\(inner)"
                guard allowed.contains(inner) else { out.append(name); continue }
                guard let itemKeys = listItems[name], let items = innerValue as? [Any] else { continue }
                for (i, item) in items.enumerated() {
                    for k in (item as? [String: Any] ?? [:]).keys where !itemKeys.contains(k) { out.append("\(name)[\(i)].\(k)") }
                }
            }
        }
        return out.sorted()
    }
}
