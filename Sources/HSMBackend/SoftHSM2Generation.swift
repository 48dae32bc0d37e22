import CPKCS11
import Foundation

/// SoftHSM2 (2.6) re-reads its token folder only when the token's `generation` file changes, and a
/// process that itself commits a change folds any earlier change by another process into its own
/// count: an object another node created can stay invisible to this process's C_FindObjects
/// (measured: two nodes on one token folder, one killed right after acknowledging creates; the
/// survivor could not find two of 210 keys). Adding one to the counter makes the next search re-read
/// the folder. Used only when a search by CKA_ID finds nothing on a shared token.
enum SoftHSM2Generation {
    /// The generation file of every token in the configured token folder (`directories.tokendir` of
    /// SOFTHSM2_CONF, else Debian's default configuration file).
    static func files() -> [String] {
        let conf = ProcessInfo.processInfo.environment["SOFTHSM2_CONF"] ?? "/etc/softhsm/softhsm2.conf"
        guard let text = try? String(contentsOfFile: conf, encoding: .utf8) else { return [] }
        var dir: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "directories.tokendir" { dir = parts[1] }
        }
        guard let dir, let tokens = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return tokens.map { "\(dir)/\($0)/generation" }.filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// Makes every process on these tokens re-read the folder at its next search. Blocking (a child
    /// process): called on the token's session threads only.
    static func nudge() {
        for f in files() { _ = kmipd_softhsm2_bump_generation(f) }
    }
}
