import ArgumentParser
import Foundation
import KMIPClient
import KMIPTLS

/// `kmip conformance PATH...`: OASIS XML test cases against a live server, a line per file, then
/// `N passed, M failed, K skipped` (skipped = UNSUPPORTED, each listed with its reason).
struct Conformance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run OASIS KMIP profile test-case files against a live server.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Test-case files or folders.") var paths: [String]
    @Option(help: "Another server (a node of the same cluster) on this host: the requests of each file go to the servers in turn.")
    var alternatePort: Int?

    func run() async throws {
        let files = try paths.flatMap { p -> [String] in
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { throw ValidationError("no such file \(p)") }
            if !isDir.boolValue { return [p] }
            return try FileManager.default.contentsOfDirectory(atPath: p).filter { $0.hasSuffix(".xml") }.sorted().map { p + "/" + $0 }
        }
        let tls = try TLSContext(server: false, files: connection.files)
        var servers = [try connection.connector(tls)]
        if let alternatePort {
            var other = connection
            other.port = alternatePort
            servers.append(try other.connector(tls))
        }
        let runner = ConformanceRunner(alternating: servers)
        var passed = 0, failed = 0, skipped = 0
        for f in files {
            let outcome = await runner.run(path: f)
            print(outcome.line)
            switch outcome.status {
            case .pass: passed += 1
            case .fail: failed += 1
            case .unsupported: skipped += 1
            }
        }
        print("\(passed) passed, \(failed) failed, \(skipped) skipped")
        if failed > 0 { throw ExitCode(1) }
    }
}
