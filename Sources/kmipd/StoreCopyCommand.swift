import ArgumentParser
import Foundation
import KMIPEngine

extension StoreCommand {
    /// `kmipd store copy`: moves a single node's store into a cluster's PostgreSQL database (or back)
    /// with its token untouched. The copy keeps the store id and the token binding, so the token
    /// recognises the new store as its own; the source is left as it was.
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every object of one store into a new one (SQLite file or postgres:// URL), keeping its token binding.",
            discussion: """
                Stop the servers that use the source first: the copy is of the source as it is when read.
                The destination must not hold a store yet. Example:
                  kmipd store copy --from .kmipd/kmipd.sqlite --to postgres://kmipd@db1:5432/kmipd
                """)
        @Option(help: "The store to copy: a SQLite file or a postgres:// URL.") var from: String
        @Option(help: "The new store: a SQLite file or a postgres:// URL (its password from KMIPD_DATABASE_PASSWORD or --password-file).")
        var to: String
        @Option(help: "A file whose first line is the PostgreSQL password (used for either side).") var passwordFile: String?
        @Option(help: "Objects per transaction.") var batch = 1000

        struct Report: Codable { var from: String; var to: String; var storeId: String; var bound: Bool; var objects: Int; var seconds: Double }

        func run() async throws {
            guard (1...100_000).contains(batch) else { throw CLIError("--batch must be 1 to 100000") }
            let cwd = FileManager.default.currentDirectoryPath
            let resolve = { (p: String) in p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p) }
            let source = try StoreLocation(setting: from, source: "--from \(from)", path: resolve)
            let target = try StoreLocation(setting: to, source: "--to \(to)", path: resolve)
            guard source != target else { throw CLIError("--from and --to name the same store") }
            let src: any AdministeredStore, dst: any AdministeredStore
            do { src = try await source.open(mode: .openExisting, node: "store-copy", passwordFile: passwordFile.map(resolve)) } catch {
                throw CLIError("--from \(from): \(EngineError.from(error).message)")
            }
            let (total, pending) = try await src.counts()
            guard pending == 0 else {
                throw CLIError("--from \(from) holds \(pending) unfinished creates: run `kmipd token reconcile --apply` with its configuration first")
            }
            do { dst = try await target.open(mode: .create, node: "store-copy", passwordFile: passwordFile.map(resolve)) } catch {
                throw CLIError("--to \(to): \(EngineError.from(error).message)")
            }
            let start = Date()
            var copied = 0
            while copied < total {
                let page = try await src.committedObjects(after: copied, limit: batch)
                if page.isEmpty { break }
                try await dst.bulkInsert(page)
                copied += page.count
                FileHandle.standardError.write(Data(String(format: "copied %d of %d objects (%.0f%%)\n", copied, total,
                                                           100 * Double(copied) / Double(max(total, 1))).utf8))
            }
            let identity = try await src.identity()
            try await dst.recordBinding(identity)
            let written = try await dst.counts().objects
            await src.close(); await dst.close()
            guard written == total else { throw CLIError("copied \(written) of \(total) objects: the source changed while it was read; copy again into an empty destination") }
            printJSON(Report(from: src.name, to: dst.name, storeId: identity.storeID, bound: identity.isBound, objects: written,
                             seconds: (Date().timeIntervalSince(start) * 10).rounded() / 10))
        }
    }
}
