import ArgumentParser
import CPKCS11
import Foundation
import HSMBackend
import KMIPEngine
import PKCS11
import Synchronization

/// `kmipd token bench`: the raw ceiling — the PKCS#11 calls kmipd makes, in a tight loop
/// through our own wrapper, one session per thread, with no KMIP, TLS or SQLite around them.
struct TokenBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Raw PKCS#11 rates of the token (the ceiling for kmipd).")
    @OptionGroup var options: ConfigOption
    @Option(help: "Thread counts, comma-separated.") var threads = "1,2"
    @Option(help: "At most this many seconds per measurement.") var seconds = 3.0
    @Option(help: "At most this many calls per measurement.") var count = 20000
    @Option(help: "Append the results to this JSON-lines file.") var json: String?
    @Option(help: "The results' server label in the JSON lines (scripts/bench tells tokens apart by it).") var label = "raw"

    struct Result: Codable {
        var server = "raw"
        /// The HSM profile measured ("SoftHSM2", "openCryptoki soft token").
        var token = ""
        var operation: String
        var threads: Int
        var calls: Int
        /// Calls the token refused (a full token, a mechanism it lacks): not in `calls` or the rate.
        var failures = 0
        var seconds: Double
        var opsPerSecond: Double
    }

    func run() throws {
        let config = try options.load()
        let profile = try config.hsmProfile()
        guard let pin = profile.userPIN(), let path = profile.modulePath() else { throw CLIError("no PIN or no module") }
        let module = try Module.shared(path: path)
        let slot = try module.slot(tokenLabel: profile.tokenLabel)
        let mechanisms = TokenMechanisms(try module.mechanisms(slot: slot), tokenName: profile.name)
        func session() throws -> Session { let s = try module.openSession(slot: slot); try s.login(pin: pin); return s }

        // Keys made once: an AES-256 key, an RSA-2048 and (where the token makes them) an EC P-256 pair,
        // all token objects. Each call is the one kmipd makes on this token: AES-GCM or, without it,
        // AES-CBC; RSA hash-and-sign or the token's digest signed with CKM_RSA_PKCS.
        let setup = try session()
        let tag = "bench-" + UUID().uuidString.prefix(8)
        let aes = try setup.generateKey(Mechanism(.aesKeyGen), template: [
            .token(true), .isPrivate(true), .id(tag + "-aes"), .keyType(UInt(CKK_AES)), .valueLen(32),
            .flag(Int32(CKA_ENCRYPT), true), .flag(Int32(CKA_DECRYPT), true)])
        let rsa = try setup.generateKeyPair(Mechanism(.rsaPkcsKeyPairGen),
            publicTemplate: [.token(true), .id(tag + "-rsa"), .ulong(UInt(CKA_MODULUS_BITS), 2048), .flag(Int32(CKA_VERIFY), true)],
            privateTemplate: [.token(true), .isPrivate(true), .id(tag + "-rsa"), .flag(Int32(CKA_SIGN), true)])
        let ec = mechanisms.has(.ecKeyPairGen) ? try setup.generateKeyPair(Mechanism(.ecKeyPairGen),
            publicTemplate: [.token(true), .id(tag + "-ec"), .bytes(UInt(CKA_EC_PARAMS), ECCurve.p256.parametersDER), .flag(Int32(CKA_VERIFY), true)],
            privateTemplate: [.token(true), .isPrivate(true), .id(tag + "-ec"), .flag(Int32(CKA_SIGN), true)]) : nil
        defer { for h in [aes, rsa.publicKey, rsa.privateKey] + [ec?.publicKey, ec?.privateKey].compactMap({ $0 }) { try? setup.destroyObject(h) } }
        let cipher = mechanisms.has(.aesGcm) ? Mechanism(.aesGcm, .gcm(iv: [UInt8](repeating: 7, count: 12), aad: [], tagBits: 128))
            : Mechanism(.aesCbcPad, .bytes([UInt8](repeating: 7, count: 16)))
        let hashAndSign = mechanisms.has(.sha256RsaPkcs)
        let digestInfo = try DigestInfo.prefix(.sha256)

        let data = [UInt8](repeating: 0x5A, count: 1024), digest = [UInt8](repeating: 0x42, count: 32)
        let created = Created()
        var work: [(String, @Sendable (Session) throws(PKCS11Error) -> Void)] = [
            ("create", { (s) throws(PKCS11Error) in created.add(try Self.generateLikeCreate(s, mechanisms)) }),
            // All the token calls of a Create: the key, then its Digest (C_DigestKey, KMIP 2.1 §4.21).
            ("create+digest", { (s) throws(PKCS11Error) in
                let key = try Self.generateLikeCreate(s, mechanisms)
                created.add(key)
                _ = try s.digestKey(Mechanism(.sha256), key: key)
            }),
            ("destroy", { (s) throws(PKCS11Error) in
                guard let h = created.take() else { return }
                try s.destroyObject(h)
            }),
            ("encrypt", { (s) throws(PKCS11Error) in _ = try s.crypt(encrypt: true, cipher, key: aes, data) }),
            ("sign-rsa", { (s) throws(PKCS11Error) in
                let message = Array(data.prefix(64))
                if hashAndSign { _ = try s.sign(Mechanism(.sha256RsaPkcs), key: rsa.privateKey, message); return }
                _ = try s.sign(Mechanism(.rsaPkcs), key: rsa.privateKey, digestInfo + s.digest(Mechanism(.sha256), message))
            }),
        ]
        if let ec { work.append(("sign-ec", { (s) throws(PKCS11Error) in _ = try s.sign(Mechanism(.ecdsa), key: ec.privateKey, digest) })) }
        print("token: \(profile.name); encrypt with \(cipher.type.name); sign-rsa with \(hashAndSign ? "CKM_SHA256_RSA_PKCS" : "C_Digest + CKM_RSA_PKCS")")
        print("filesystem of the token folder: \(Self.tokenFilesystem(config))")
        print("operation        threads    calls      ops/s  failed")
        for (name, body) in work {
            for n in threads.split(separator: ",").compactMap({ Int($0) }) {
                // Destroy measures the objects the create run made: as many as create made.
                let limit = name == "destroy" ? min(count, created.count) : count
                var r = try measure(name, threads: n, limit: limit, session: session, body)
                r.token = profile.name
                r.server = label
                print(name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: " %7d %8d %10.1f %7d", r.threads, r.calls, r.opsPerSecond, r.failures))
                if let json { try append(r, json) }
            }
        }
        while let h = created.take() { try? setup.destroyObject(h) }
    }

    /// The very C_GenerateKey a Create of an extractable AES-256 Encrypt|Decrypt key makes.
    static func generateLikeCreate(_ s: Session, _ mechanisms: TokenMechanisms) throws(PKCS11Error) -> ObjectHandle {
        let uid = UUID().uuidString.lowercased()
        let spec = SecretKeySpec(algorithm: .aes, lengthBits: 256, extractable: true, usage: [.encrypt, .decrypt],
                                 label: "kmipd symmetricKey \(uid)")
        let (mechanism, template) = PKCS11Token.secretKeyGeneration(id: uid, spec: spec, mechanisms: mechanisms)
        return try s.generateKey(mechanism, template: template)
    }

    func measure(_ name: String, threads n: Int, limit: Int, session: () throws -> Session,
                 _ body: @escaping @Sendable (Session) throws(PKCS11Error) -> Void) throws -> Result {
        let sessions = try (0..<n).map { _ in try session() }
        let left = Counter(limit)
        let deadline = Date().addingTimeInterval(seconds)
        let start = Date()
        let group = DispatchGroup()
        let failures = Counter(0)
        for s in sessions {
            nonisolated(unsafe) let session = s
            DispatchQueue.global().async(group: group) {
                while left.take(), Date() < deadline {
                    do throws(PKCS11Error) { try body(session) } catch { failures.add() }
                }
            }
        }
        group.wait()
        let elapsed = Date().timeIntervalSince(start)
        let calls = limit - left.value - failures.value
        return Result(operation: name, threads: n, calls: max(0, calls), failures: failures.value, seconds: elapsed,
                      opsPerSecond: Double(max(0, calls)) / elapsed)
    }

    static func tokenFilesystem(_ config: Configuration) -> String {
        guard let conf = config.token.softhsmConf,
              let text = try? String(contentsOfFile: config.path(conf), encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("directories.tokendir") }),
              let dir = line.split(separator: "=").last?.trimmingCharacters(in: .whitespaces) else { return "unknown" }
        return "\(filesystem(of: dir)) (\(dir))"
    }

    /// The type of the file system holding `path`: the longest mount point above it in /proc/mounts.
    static func filesystem(of path: String) -> String {
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return "unknown" }
        var best = ("", "unknown")
        for line in mounts.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count > 2 else { continue }
            let point = String(f[1])
            if (path == point || path.hasPrefix(point == "/" ? "/" : point + "/")) && point.count > best.0.count { best = (point, String(f[2])) }
        }
        return best.1
    }

    func append(_ r: Result, _ path: String) throws {
        var line = try JSONEncoder().encode(r)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile(); h.write(line); try h.close()
    }
}

/// A locked countdown / tally shared by the bench threads.
final class Counter: @unchecked Sendable {
    private let n: Mutex<Int>
    init(_ n: Int) { self.n = Mutex(n) }
    func take() -> Bool { n.withLock { n in guard n > 0 else { return false }; n -= 1; return true } }
    func add() { n.withLock { $0 += 1 } }
    var value: Int { n.withLock { $0 } }
}

/// Handles of the keys the create run made, for the destroy run and the clean-up.
final class Created: @unchecked Sendable {
    private let handles = Mutex<[ObjectHandle]>([])
    func add(_ h: ObjectHandle) { handles.withLock { $0.append(h) } }
    func take() -> ObjectHandle? { handles.withLock { $0.popLast() } }
    var count: Int { handles.withLock { $0.count } }
}
