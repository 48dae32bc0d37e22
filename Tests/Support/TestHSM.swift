import Foundation
import HSMBackend
import KMIPEngine
import Store

/// Real SoftHSM2 tokens and SQLite files in a temporary folder, for tests. One SoftHSM2 configuration
/// per process (SOFTHSM2_CONF is read once, at C_Initialize); one fresh token per call.
public enum TestHSM {
    public static let pin = "1234-test"
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static let stateDir: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmipd-test-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = try! TokenProvisioning.configureSoftHSM(stateDir: dir)
        return dir
    }()

    public static func profile(label: String) throws -> HSMProfile {
        var p = try HSMProfile.load(path: repositoryRoot + "/hsm-profiles/softhsm2.json")
        p.tokenLabel = label
        p.sessions = 2
        return p
    }

    /// A new, empty, logged-in token, used through `module` when given (the fault-injecting shim)
    /// rather than SoftHSM2 directly.
    public static func makeToken(through module: String? = nil, sessions: Int = 2) throws -> PKCS11Token {
        let label = "t-" + UUID().uuidString.prefix(20)
        var profile = try profile(label: label)
        profile.sessions = sessions
        _ = stateDir
        _ = try TokenProvisioning.initialize(modulePath: profile.modulePath()!, label: label, soPIN: "so-" + pin, userPIN: pin)
        if let module { profile.modules = [module] }
        return try PKCS11Token(profile: profile, pin: pin)
    }

    // MARK: Profiles under test

    /// The tokens the profile-parameterised tests run on: SoftHSM2 always; openCryptoki's soft token when
    /// the run started its slot daemon on a fresh token (scripts/test sets KMIPD_TEST_OPENCRYPTOKI=1, and
    /// counts a daemon that did not start as a failure).
    public static let profiles: [String] = {
        ProcessInfo.processInfo.environment["KMIPD_TEST_OPENCRYPTOKI"] == "1" ? ["softhsm2", "opencryptoki-soft"] : ["softhsm2"]
    }()

    /// What each tested token lacks, as measured and written in its profile (`lacks`): the tests expect
    /// Feature Not Supported naming these, and success for everything else.
    public static let lacking: [String: Set<String>] = Dictionary(uniqueKeysWithValues: ["softhsm2", "opencryptoki-soft"].map { name in
        (name, Set((try? HSMProfile.load(path: repositoryRoot + "/hsm-profiles/\(name).json").lacks ?? []) ?? []))
    })
    public static func lacks(_ profile: String, _ mechanism: String) -> Bool { lacking[profile, default: []].contains(mechanism) }

    /// openCryptoki has one soft token for the whole machine: initialised once per test process (with
    /// the factory SO PIN changed, and the user PIN changed by the user, as openCryptoki demands) and
    /// shared by the tests, each on objects of its own. PINs of 4 to 8 characters.
    static let openCryptoki: Result<PKCS11Token, any Error> = Result {
        var profile = try HSMProfile.load(path: repositoryRoot + "/hsm-profiles/opencryptoki-soft.json")
        profile.tokenLabel = "kmipd-test"
        let pin = "t3st-pin"
        guard let module = profile.modulePath() else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "libopencryptoki.so"]) }
        _ = try TokenProvisioning.initialize(modulePath: module, label: profile.tokenLabel,
                                             soPIN: "so-pin-1", userPIN: pin, provisioning: profile.provisioning)
        return try PKCS11Token(profile: profile, pin: pin)
    }

    /// A logged-in token of `profile`: a new, empty SoftHSM2 token, or the shared openCryptoki one.
    public static func makeToken(profile: String) throws -> PKCS11Token {
        switch profile {
        case "softhsm2": return try makeToken()
        case "opencryptoki-soft": return try openCryptoki.get()
        default: throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: profile])
        }
    }

    /// An engine over a fresh database and a token of `profile`.
    public static func makeExecutor(profile: String, policy configure: (inout AccessPolicy) -> Void = { _ in }) throws -> (BatchExecutor, PKCS11Token, SQLiteObjectStore) {
        try makeExecutor(token: try makeToken(profile: profile), policy: configure)
    }

    /// The fault-injecting PKCS#11 module (Tests/FaultShim), built next to the test binary.
    public static var faultShimPath: String? {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let path = exe.deletingLastPathComponent().appendingPathComponent("libPKCS11FaultShim.so").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// A path for a new SQLite database.
    public static func databasePath() -> String {
        let dir = stateDir + "/db-" + UUID().uuidString.prefix(8)
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/kmipd.sqlite"
    }

    /// An engine over a fresh token and database.
    public static func makeExecutor(admins: Set<String> = [], token: PKCS11Token? = nil, defaults: ServerDefaults = ServerDefaults(),
                                    policy configure: (inout AccessPolicy) -> Void = { _ in }) throws -> (BatchExecutor, PKCS11Token, SQLiteObjectStore) {
        let token = try token ?? makeToken()
        let store = try SQLiteObjectStore(path: databasePath(), mode: .create)
        var policy = AccessPolicy(adminIdentities: admins)
        configure(&policy)
        let services = EngineServices(store: store, token: token, policy: policy, defaults: defaults)
        return (BatchExecutor(services: services), token, store)
    }
}
