import CoreMetrics
import CPKCS11
import Glibc

/// Token call latency by Cryptoki function and failures by CK_RV, through swift-metrics (the server
/// exports them to Prometheus; with no metrics backend bootstrapped they cost a no-op each).
enum CallMetrics {
    static let durationLabel = "kmipd_token_call_duration_seconds"
    static let errorsLabel = "kmipd_token_errors_total"

    /// Nanoseconds on the monotonic clock.
    @inline(__always)
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Records one call of `function` that started at `started` (0: not timed) and returned `rv`.
    static func record(_ function: String, started: UInt64, rv: CK_RV) {
        if started != 0 {
            let elapsed = now() &- started
            Timer(label: durationLabel, dimensions: [("function", function)]).recordNanoseconds(Int64(clamping: elapsed))
        }
        if rv != CK_RV(CKR_OK) { failed(function, rv: UInt(rv)) }
    }

    static func failed(_ function: String, rv: UInt) {
        Counter(label: errorsLabel, dimensions: [("function", function), ("rv", ReturnValue.name(rv) == "CK_RV"
            ? "0x" + String(rv, radix: 16) : ReturnValue.name(rv))]).increment()
    }
}
