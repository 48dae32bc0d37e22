import CPKCS11
import Foundation

/// What a process that holds the user PIN and a loaded PKCS#11 module does before it reads the PIN:
/// no core file and no memory reads by other processes of the same user (a crash would otherwise
/// write the PIN and SoftHSM2's in-process key material to disk), and the PIN gone from the
/// environment once read, so /proc/PID/environ and child processes do not see it.
enum ProcessHardening {
    static func disableCoreDumps() throws {
        guard kmipd_disable_core_dumps() == 0 else {
            throw CLIError("cannot disable core dumps (setrlimit/prctl: \(String(cString: strerror(errno))))")
        }
    }

    /// Overwrites the variable's value where the kernel shows it (the process's initial environment
    /// block) and removes it.
    static func scrubEnvironment(_ name: String) {
        if let value = getenv(name) { memset(value, 0, strlen(value)) }
        unsetenv(name)
    }
}
