import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Logging

/// The structure-aware mutation run (`scripts/mutate`): every Request Message of the OASIS vectors,
/// with live objects substituted for their identifiers, mutated one field at a time (`Mutation`) and
/// run through the batch executor into a real SoftHSM2 token and SQLite file. The oracle: no crash,
/// no hang, every answer a well-formed Response Message of bounded size. Deterministic: mutation G is
/// the same on every run, so a crash is replayed with `--dump G` and `--start G`.
///
/// Arguments: `[--start G] [--stride K] [--deadline UNIX] [--progress FILE] [--dump G] VECTOR.xml...`
/// A crash kills this process (that is the point); `scripts/mutate` reads the progress file, counts
/// it and starts again after it. A mutation running longer than 30 s is a hang: exit status 3.
@main
struct MutationRunner {
    static let identity = "CN=mutation"
    static let maxAnswer = 4 << 20

    static func main() async throws {
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        var args = Array(CommandLine.arguments.dropFirst())
        func option(_ name: String) -> String? {
            guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
            defer { args.removeSubrange(i...(i + 1)) }
            return args[i + 1]
        }
        let start = Int(option("--start") ?? "0") ?? 0
        let stride = max(1, Int(option("--stride") ?? "1") ?? 1)
        let deadline = option("--deadline").flatMap(Double.init) ?? .infinity
        let progress = option("--progress")
        let dump = option("--dump").flatMap(Int.init)

        let now = Int64(Date().timeIntervalSince1970)
        let (engine, _, _) = try TestHSM.makeExecutor()
        let live = try await LiveObjects(engine: engine, identity: identity, now: now)
        let requests = try BaseRequests.load(args, live: live, now: now)
        let plan = requests.map { Mutation.all(of: $0) }
        let total = plan.reduce(0) { $0 + $1.count }
        if let g = dump {
            guard let (b, m) = locate(g, plan) else { print("no mutation \(g) of \(total)"); return }
            let bytes = m.apply(to: requests[b])
            FileManager.default.createFile(atPath: "mutation-\(g).ttlv", contents: Data(bytes))
            print("mutation \(g): request \(b) (\(requests[b].first(.batchItem)?.first(.operation).map { "\($0.value)" } ?? "?")), \(m); written to mutation-\(g).ttlv")
            return
        }
        Watchdog.start()
        var current = live
        var g = 0, ran = 0
        outer: for (b, mutations) in plan.enumerated() {
            for m in mutations {
                defer { g += 1 }
                guard g >= start, g % stride == 0 else { continue }
                if Date().timeIntervalSince1970 >= deadline { break outer }
                if let progress { try? "\(g)\n".write(toFile: progress, atomically: false, encoding: .utf8) }
                Watchdog.begin()
                let bytes = m.apply(to: requests[b])
                let answer = await engine.process(bytes, identity: identity, now: now)
                checkTextEncodings(bytes, g, m)
                Watchdog.end()
                check(answer, g, m)
                ran += 1
            }
            if !(await current.intact()) {
                // A Destroy, Revoke or Re-key used an object up: fresh ones for the requests that follow.
                let old = current
                try await current.make()
                requests.replaceIdentifiers(from: old, to: current)
            }
        }
        print("mutation: ran \(ran), stopped at \(g) of \(total)")
    }

    static func locate(_ g: Int, _ plan: [[Mutation]]) -> (Int, Mutation)? {
        var i = g
        for (b, ms) in plan.enumerated() {
            if i < ms.count { return (b, ms[i]) }
            i -= ms.count
        }
        return nil
    }

    /// The JSON and XML decoders get the same hostile values: a mutated message that decodes as TTLV
    /// is written in each text encoding and read back (the same tree, or a codec error — never a
    /// trap), and once more with one byte of the text changed.
    static func checkTextEncodings(_ bytes: [UInt8], _ g: Int, _ m: Mutation) {
        guard let tree = try? TTLVDecoder(limits: TTLVLimits()).decode(bytes) else { return }
        for encoding in [MessageEncoding.json, .xml] {
            var text = encoding.encode(tree)
            if let back = try? encoding.decode(text, limits: TTLVLimits()), back != tree, encoding == .json {
                fatalError("mutation \(g) (\(m)): JSON does not read back the tree it wrote")
            }
            guard !text.isEmpty else { continue }
            let corruptions: [UInt8] = [0x22, 0x7B, 0x5D, 0x5C, 0xFF, 0x30, 0x3C, 0x26, 0x00]
            text[(g &* 7919) % text.count] = corruptions[g % corruptions.count]
            _ = try? encoding.decode(text, limits: TTLVLimits())
        }
    }

    static func check(_ answer: [UInt8], _ g: Int, _ m: Mutation) {
        guard answer.count <= maxAnswer else {
            fatalError("mutation \(g) (\(m)): a \(answer.count)-byte answer")
        }
        do { _ = try ResponseMessage(ttlv: try TTLVDecoder(limits: TTLVLimits(maxMessageSize: maxAnswer)).decode(answer)) } catch {
            fatalError("mutation \(g) (\(m)): the answer is not a Response Message: \(error)")
        }
    }
}

/// Exits with status 3 when one mutation runs for more than 30 s (a hang; the driver counts it).
enum Watchdog {
    nonisolated(unsafe) static var startedAt = 0.0
    static let lock = NSLock()
    static func begin() { lock.withLock { startedAt = Date().timeIntervalSince1970 } }
    static func end() { lock.withLock { startedAt = 0 } }
    static func start() {
        Thread.detachNewThread {
            while true {
                Thread.sleep(forTimeInterval: 1)
                let s = lock.withLock { startedAt }
                if s > 0, Date().timeIntervalSince1970 - s > 30 {
                    FileHandle.standardError.write(Data("hang: a mutation ran for more than 30 s\n".utf8))
                    _exit(3)
                }
            }
        }
    }
}
