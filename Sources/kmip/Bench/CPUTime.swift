import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time (user + system, all threads) of this process and of a server process on the same machine
/// (/proc/PID/stat), so that a run reports what each side spent per operation: on a small machine
/// the load generator's own share bounds what any server can be measured at.
enum CPUTime {
    /// This process's CPU seconds.
    static func ownSeconds() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    /// Another process's CPU seconds (utime + stime of /proc/PID/stat), nil when unreadable.
    static func seconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
