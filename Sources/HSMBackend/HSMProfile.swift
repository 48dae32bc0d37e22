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
    /// Mechanisms measured absent on this token (CKM_ names): documentation, and what the tests expect
    /// refused. What kmipd uses is decided by the token's own C_GetMechanismList.
    public var lacks: [String]?
    /// Token objects the token holds at most, where it has a fixed limit (openCryptoki's soft token: 2,048).
    public var maxObjects: Int?
    /// False for a token whose own store a SIGKILL of the process using it can damage (measured; the
    /// crash rounds on it are then a measurement, not a test of kmipd).
    public var crashSafe: Bool?
    /// A file of the token's own store that a crash must never leave empty (tests check it after each
    /// SIGKILL; openCryptoki: NVTOK.DAT).
    public var crashCheckFile: String?
    /// C_Verify return codes (by name) that this token gives for a signature that does not verify,
    /// besides CKR_SIGNATURE_INVALID and CKR_SIGNATURE_LEN_RANGE: answered Validity Invalid.
    public var signatureInvalidReturnCodes: [String]?
    /// How a new token is initialised (`kmipd token init`), when it differs from PKCS#11's plain way.
    public var provisioning: Provisioning?

    public struct Provisioning: Codable, Sendable {
        /// The SO PIN an uninitialised token accepts in C_InitToken (a factory default); the SO PIN
        /// of the state folder is then set with C_SetPIN. Absent: C_InitToken sets the SO PIN itself.
        public var factorySOPIN: String?
        /// The token refuses the user's PIN until the user changed it with C_SetPIN after C_InitPIN.
        public var userPINMustBeChanged: Bool?
    }

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

    /// SoftHSM2 keeps its tokens in a folder its configuration file names (`kmipd dev init` puts it
    /// in the state folder); other modules keep theirs where they were installed to.
    public var usesSoftHSM2: Bool { modules.contains { $0.contains("softhsm") } }
}
