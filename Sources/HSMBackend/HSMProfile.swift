import Foundation
import KMIPEngine

/// One HSM's description (a file in `hsm-profiles/`): which module to load, how to log in, how many
/// sessions to open, and what the token can and cannot do. Vendor differences live here as data.
public struct HSMProfile: Codable, Sendable {
    public var name: String
    /// Whether this profile is exercised by our test suite.
    public var tested: Bool
    /// Candidate module paths; the first that exists is loaded.
    public var modules: [String]
    public var tokenLabel: String
    /// Environment variable holding the user PIN; `pinFile` (a path) is read when it is unset.
    public var pinEnv: String
    public var pinFile: String?
    /// Sessions opened at start-up; each is used by one thread at a time.
    public var sessions: Int
    public var mechanisms: Mechanisms
    public var quirks: [String: String]
    /// What generates keys and random numbers in this token (reported as Random Number Generator).
    public var randomNumberGenerator: RNGDescription?
    /// Protection Storage Mask names that describe this token ("Software", "Hardware", "On Processor" …).
    public var protectionStorage: [String]?
    /// How a process is made to see objects another process created on this token, when a search
    /// for one finds nothing (cluster nodes sharing a token): "softhsm2-generation" (`SoftHSM2Generation`).
    public var peerObjectRefresh: String?

    public struct Mechanisms: Codable, Sendable {
        /// Key generation mechanisms the token has, by name (CKM_AES_KEY_GEN ...).
        public var keyGeneration: [String]
        /// Whether CKO_DATA objects accept CKA_ID (otherwise CKA_LABEL carries the UID).
        public var dataObjectsTakeID: Bool
    }

    public static func load(path: String) throws -> HSMProfile {
        try JSONDecoder().decode(HSMProfile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    public func modulePath() -> String? { modules.first { FileManager.default.fileExists(atPath: $0) } }

    /// The user PIN from the environment or the PIN file; never from a command-line argument.
    public func userPIN(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let p = environment[pinEnv], !p.isEmpty { return p }
        if let f = pinFile, let s = try? String(contentsOfFile: f, encoding: .utf8) {
            return s.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    public func has(_ mechanism: String) -> Bool { mechanisms.keyGeneration.contains(mechanism) }
}
