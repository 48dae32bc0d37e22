import Crypto
import Foundation
import KMIP
import KMIPEngine
import _CryptoExtras
import Synchronization

/// Usernames and scrypt password hashes for the KMIP Username and Password credential.
/// The file is JSON: `{"users": {"alice": {"scrypt": "scrypt$32768$8$1$<salt>$<hash>",
/// "clients": ["CN=app1"]}}}`; `clients` (optional) lists the certificate subjects that may act as
/// this user, so a credential never works from a certificate it was not meant for. `kmipd passwd`
/// writes entries. A request with a valid credential acts as `user:<name>`.
public final class PasswordFile: CredentialChecker {
    public struct Entry: Codable, Sendable {
        public var scrypt: String
        public var clients: [String]?
        public init(scrypt: String, clients: [String]? = nil) { self.scrypt = scrypt; self.clients = clients }
    }
    struct File: Codable { var users: [String: Entry] }

    let users: [String: Entry]
    /// Successful checks for a while, so a client that sends its credential with every request pays
    /// the slow hash once, not per request. Failures are never cached.
    private let verified = Mutex<[Data: Date]>([:])
    static let remember: TimeInterval = 300
    /// Recent failures per username and per certificate subject (`Throttle`).
    let failures = Throttle()
    /// scrypt runs here, two at a time, never on the cooperative pool.
    static let hashing = BlockingWork(threads: 2, maxWaiting: 64)

    public init(users: [String: Entry]) { self.users = users }
    public convenience init(path: String) throws {
        self.init(users: try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path))).users)
    }

    /// The identity a request acts as, or nil when the credential is wrong or not allowed from this
    /// certificate (the caller answers Authentication Not Successful either way). Repeated failures
    /// for a username or from a certificate are answered ever more slowly.
    public func identity(for credential: UsernamePassword, certificateSubject: String, now: Date = Date()) async -> String? {
        let keys = ["user:" + credential.username, "cert:" + certificateSubject]
        let delay = failures.delay(for: keys, now: now)
        if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
        let result = await check(credential, certificateSubject: certificateSubject)
        if result == nil { failures.record(keys, now: now) } else { failures.clear(keys) }
        return result
    }

    func check(_ credential: UsernamePassword, certificateSubject: String) async -> String? {
        guard let entry = users[credential.username] else {
            let password = credential.password
            _ = await Self.hashing.run { try? Self.hash(password, salt: [UInt8](repeating: 0, count: 16), n: 1 << 15, r: 8, p: 1) }  // same time as a miss
            return nil
        }
        if let clients = entry.clients, !clients.contains(certificateSubject) { return nil }
        let key = Data(SHA256.hash(data: Data((credential.username + "\0" + credential.password + "\0" + entry.scrypt).utf8)))
        let now = Date()
        if let seen = verified.withLock({ $0[key] }), now.timeIntervalSince(seen) < Self.remember { return "user:" + credential.username }
        let password = credential.password, stored = entry.scrypt
        guard await Self.hashing.run({ Self.verify(password, against: stored) }) == true else { return nil }
        verified.withLock { cache in
            if cache.count > 4096 { cache.removeAll() }
            cache[key] = now
        }
        return "user:" + credential.username
    }

    /// "scrypt$N$r$p$salt$hash" (base64) for a new password.
    public static func makeEntry(password: String, n: Int = 1 << 15, r: Int = 8, p: Int = 1) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255) }
        let h = try hash(password, salt: salt, n: n, r: r, p: p)
        return "scrypt$\(n)$\(r)$\(p)$\(Data(salt).base64EncodedString())$\(Data(h).base64EncodedString())"
    }

    static func verify(_ password: String, against stored: String) -> Bool {
        let f = stored.split(separator: "$").map(String.init)
        guard f.count == 6, f[0] == "scrypt", let n = Int(f[1]), let r = Int(f[2]), let p = Int(f[3]),
              let salt = Data(base64Encoded: f[4]), let want = Data(base64Encoded: f[5]),
              let got = try? hash(password, salt: Array(salt), n: n, r: r, p: p) else { return false }
        // Constant-time comparison.
        guard got.count == want.count else { return false }
        return zip(got, want).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func hash(_ password: String, salt: [UInt8], n: Int, r: Int, p: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: n, blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Array($0) }
    }
}

/// Failed logins slow the next attempts down: after `free` failures within `window` seconds each
/// further attempt for that username or from that certificate waits 2^(failures - free) seconds, at
/// most `maxDelay`, before it is even checked. A success clears the count; so does a quiet window.
final class Throttle: Sendable {
    static let free = 3
    static let window: TimeInterval = 300
    static let maxDelay: Double = 30
    private let counts = Mutex<[String: (count: Int, last: Date)]>([:])

    func delay(for keys: [String], now: Date) -> Double {
        let worst = counts.withLock { c in
            keys.compactMap { k in c[k].flatMap { now.timeIntervalSince($0.last) < Self.window ? $0.count : nil } }.max() ?? 0
        }
        guard worst >= Self.free else { return 0 }
        return min(Self.maxDelay, Double(1 << min(worst - Self.free, 10)))
    }

    func record(_ keys: [String], now: Date) {
        counts.withLock { c in
            if c.count > 10_000 { c = c.filter { now.timeIntervalSince($0.value.last) < Self.window } }
            for k in keys {
                let old = c[k].flatMap { now.timeIntervalSince($0.last) < Self.window ? $0.count : nil } ?? 0
                c[k] = (old + 1, now)
            }
        }
    }

    func clear(_ keys: [String]) { counts.withLock { c in for k in keys { c[k] = nil } } }
}
