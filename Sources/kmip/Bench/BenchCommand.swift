import ArgumentParser
import Foundation
import KMIP
import KMIPClient

/// `kmip bench`: the load generator. N connections repeat one operation until a count or a
/// time bound; prints ops/s and p50/p99/p99.9 latency as a table (and JSON with --json), with a
/// progress line on stderr while it runs. `--idle N` instead holds N idle TLS connections open and
/// reports the server's resident memory (from /proc, same machine).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load generator: ops/s and latency percentiles per operation.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Operations, comma-separated: \(BenchOperation.allCases.map(\.rawValue).joined(separator: ", ")).")
    var ops = "get"
    @Option(help: "Connection counts, comma-separated.") var connections = "1,8"
    @Option(help: "At most this many operations per run.") var count = 2000
    @Option(help: "At most this many seconds per run.") var seconds = 10.0
    @Option(help: "Name of the server in the output.") var label = "kmipd"
    @Option(help: "Append the results to this JSON-lines file.") var json: String?
    @Option(help: "Hold this many idle TLS connections and report the server's RSS instead.") var idle: Int?
    @Option(help: "The server's process id (same machine): its RSS with --idle, its CPU per operation otherwise.") var serverPid: Int32?

    func run() async throws {
        if let idle { return try await holdIdle(idle) }
        let operations = try ops.split(separator: ",").map { name in
            guard let op = BenchOperation(rawValue: String(name)) else { throw ValidationError("unknown operation \(name)") }
            return op
        }
        let counts = connections.split(separator: ",").compactMap { Int($0) }
        print(LatencyStats.header)
        for op in operations {
            let setup = try await connection.client()
            let step: BenchOperation.Step
            do { step = try await op.prepare(setup, tag: UUID().uuidString.prefix(8).lowercased()) } catch {
                // A server that cannot do the set-up (PyKMIP has no EC keys, say) gets a row that says so.
                await setup.connection.close()
                let stats = LatencyStats(server: label, operation: op.rawValue, connections: 0, latenciesNs: [], errors: 1,
                                         seconds: 0, firstError: "set-up failed: \(error)")
                print(stats.row + "  unsupported: \(error)")
                if let json { try append(stats, to: json) }
                continue
            }
            await setup.connection.close()
            for n in counts {
                let stats = try await measure(op, step, connections: n)
                print(stats.row + (stats.operations == 0 ? "  unsupported: \(stats.firstError ?? "?")" : ""))
                if let json { try append(stats, to: json) }
            }
        }
    }

    func measure(_ op: BenchOperation, _ step: @escaping BenchOperation.Step, connections n: Int) async throws -> LatencyStats {
        var clients = [KMIPClient]()
        for _ in 0..<n { clients.append(try await connection.client()) }
        let queue = WorkQueue(count: count, seconds: seconds)
        let cpu0 = (CPUTime.ownSeconds(), serverPid.flatMap(CPUTime.seconds(pid:)))
        let start = ContinuousClock.now
        let progress = Task {
            while !Task.isCancelled && isatty(2) != 0 {  // a progress line on a terminal only, not in logs
                try await Task.sleep(for: .seconds(1))
                let s = (ContinuousClock.now - start).seconds
                FileHandle.standardError.write(Data(String(format: "\r%@ x%d: %d done, %.0f ops/s   ", op.rawValue, n, queue.completed,
                                                           Double(queue.completed) / max(s, 0.001)).utf8))
            }
        }
        let results = await withTaskGroup(of: ([UInt64], Int, String?).self) { group in
            for c in clients {
                group.addTask {
                    var lat = [UInt64](), errors = 0, first: String?
                    while queue.claim() {
                        let t0 = ContinuousClock.now
                        do {
                            try await step(c)
                            let d = ContinuousClock.now - t0
                            lat.append(UInt64(d.components.seconds) * 1_000_000_000 + UInt64(d.components.attoseconds / 1_000_000_000))
                        } catch {
                            errors += 1
                            if first == nil { first = "\(error)" }
                        }
                        queue.finished()
                    }
                    return (lat, errors, first)
                }
            }
            var all = ([UInt64](), 0, String?.none)
            for await r in group { all.0 += r.0; all.1 += r.1; all.2 = all.2 ?? r.2 }
            return all
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let cpu1 = (CPUTime.ownSeconds(), serverPid.flatMap(CPUTime.seconds(pid:)))
        progress.cancel()
        if isatty(2) != 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        for c in clients { await c.connection.close() }
        var stats = LatencyStats(server: label, operation: op.rawValue, connections: n, latenciesNs: results.0, errors: results.1,
                                 seconds: elapsed, firstError: results.2)
        if stats.operations > 0 {
            let ops = Double(stats.operations)
            stats.clientCPUMicrosPerOp = (cpu1.0 - cpu0.0) * 1e6 / ops
            if let a = cpu0.1, let b = cpu1.1 { stats.serverCPUMicrosPerOp = (b - a) * 1e6 / ops }
        }
        return stats
    }

    func holdIdle(_ n: Int) async throws {
        var clients = [KMIPClient]()
        for _ in 0..<n {
            let c = try await connection.client()
            try await c.call(.discoverVersions, [])  // the handshake and one exchange are done
            clients.append(c)
        }
        try await Task.sleep(for: .seconds(1))
        let rss = serverPid.flatMap { Self.residentKiB(pid: $0) } ?? -1
        print(JSONRender.object(["idleConnections": .number(Int64(n)), "serverRSSKiB": .number(Int64(rss))]))
        for c in clients { await c.connection.close() }
    }

    /// VmRSS (or VmHWM, the peak) of a process, in KiB.
    static func residentKiB(pid: Int32, field: String = "VmRSS") -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "") }
    }

    func append(_ stats: LatencyStats, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(stats)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile(); h.write(line); try h.close()
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
