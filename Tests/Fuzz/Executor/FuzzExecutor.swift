import CFuzzDriver
import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Logging

/// Fuzzing frame → TTLV → request model → batch executor: whole messages go into a
/// real engine over a SoftHSM2 token and an SQLite file in a temporary folder, as the server would
/// pass them, alternately as an ordinary client and as an admin. The oracle: no crash, no hang, and
/// every answer is a well-formed Response Message. `scripts/fuzz` builds this with -sanitize=fuzzer;
/// a normal build replays files given as arguments (for reproducing a crash).
@main
struct FuzzExecutor {
    /// Made on first use, whether libFuzzer's main or ours runs first.
    static let engine: BatchExecutor = {
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        return try! TestHSM.makeExecutor(admins: ["CN=admin"]).0
    }()
    static let now: Int64 = 1_800_000_000

    static func main() throws {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let status = withUnsafeMutablePointer(to: &argv) { p in
            p.withMemoryRebound(to: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?.self, capacity: 1) {
                kmipd_run_fuzzer(&argc, $0) { data, size in
                    FuzzExecutor.one(Array(UnsafeBufferPointer(start: data, count: size)))
                    return 0
                }
            }
        }
        if status != -1 { exit(status) }
        var n = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let bytes = FileManager.default.contents(atPath: path) else { continue }
            one([UInt8](bytes)); n += 1
        }
        print("replayed \(n) inputs, every answer a well-formed Response Message")
    }

    static func one(_ bytes: [UInt8]) {
        let identity = (bytes.last ?? 0) & 1 == 0 ? "CN=fuzz" : "CN=admin"
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer = [UInt8]()
        Task {
            answer = await engine.process(bytes, identity: identity, now: now)
            done.signal()
        }
        done.wait()
        do {
            _ = try ResponseMessage(ttlv: try TTLVDecoder().decode(answer))
        } catch {
            fatalError("the executor answered with something that is not a Response Message: \(error)")
        }
    }
}

/// libFuzzer's entry point, for when its own main runs (the link pulls it in when SwiftPM renames ours).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzExecutor.one(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
