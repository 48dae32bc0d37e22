import Foundation
import KMIPEngine

/// One kmipd process per token on this host: an exclusive `flock` on a file named after the token's
/// label and serial, held for the life of `serve` (and of each command that changes the token). The
/// kernel releases it however the process ends, so a crash never leaves a stale lock.
final class TokenLock {
    private let fd: Int32
    let path: String

    /// `/run/lock` where it is writable (shared by every service on the host, unlike a private /tmp),
    /// else the temporary folder; `token.lockDirectory` in the configuration overrides both.
    static func defaultDirectory() -> String {
        access("/run/lock", W_OK) == 0 ? "/run/lock" : NSTemporaryDirectory()
    }

    static func path(for token: TokenIdentity, directory: String) -> String {
        let safe = { (s: String) in String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "_" }) }
        return (directory as NSString).appendingPathComponent("kmipd-token-\(safe(token.label))-\(safe(token.serial)).lock")
    }

    /// Takes the lock or fails at once, naming the process that holds it.
    init(token: TokenIdentity, directory: String?) throws {
        path = Self.path(for: token, directory: directory ?? Self.defaultDirectory())
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CLIError("cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            throw CLIError("\(token) is in use by another kmipd (pid \(holder.isEmpty ? "?" : holder), lock \(path)): stop it first")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }
}
