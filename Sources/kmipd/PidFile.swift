import Foundation

/// The serving process's id, for `kmipd reload` (`pidFile`, default `kmipd.pid` beside the
/// configuration). Written at start, removed at a clean stop; a stale file names a process that is
/// gone or is not kmipd, which `reload` checks before signalling.
struct PidFile {
    let path: String

    init(_ config: Configuration) { path = config.path(config.pidFile ?? "kmipd.pid") }

    func write() throws {
        do { try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw CLIError("cannot write the pid file \(path) (set pidFile in the configuration to a writable place, e.g. /run/kmipd/kmipd.pid)")
        }
    }

    func remove() {
        if read() == getpid() { unlink(path) }
    }

    func read() -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The running server's pid: the file names a live process whose command line is a kmipd.
    func runningServer() throws -> pid_t {
        guard let pid = read() else {
            throw CLIError("no pid file at \(path): is `kmipd serve --config …` running with this configuration?")
        }
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        let argv0 = String(decoding: cmdline.prefix { $0 != 0 }, as: UTF8.self)
        guard kill(pid, 0) == 0, (argv0 as NSString).lastPathComponent.hasPrefix("kmipd") else {
            throw CLIError("the pid file \(path) names process \(pid), which is not a running kmipd (a stale file)")
        }
        return pid
    }
}
