import ArgumentParser
import Foundation
import KMIPEngine
import Store

extension StoreCommand {
    /// `kmipd store backup`: a consistent copy of the SQLite store while the server serves. The token
    /// is backed up with the HSM's own tools (README, Backup and restore).
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy the SQLite store to a file while the server runs (online backup).",
            discussion: """
                The copy is of one moment: every object acknowledged before the command started is in it.
                A PostgreSQL store is backed up with pg_dump. Example:
                  kmipd store backup --config /etc/kmipd/kmipd.json --out /var/backups/kmipd-$(date +%F).sqlite
                """)
        @OptionGroup var options: ConfigOption
        @Option(help: "The backup file to write (must not exist).") var out: String

        struct Report: Codable {
            var store: String; var out: String; var bytes: Int; var objects: Int
            /// Creates in flight at the snapshot, not in the copy (`SQLiteObjectStore.backup`).
            var inFlightCreatesLeftOut: Int
            var storeId: String; var tokenSerial: String?; var tokenLabel: String?; var seconds: Double
        }

        func run() async throws {
            let config = try options.load()
            let location = try StoreLocation(config)
            guard !location.isCluster else {
                throw CLIError("\(location.name) is PostgreSQL: back it up with pg_dump (README, Backup and restore)")
            }
            let target = URL(fileURLWithPath: out).standardizedFileURL.path
            guard !FileManager.default.fileExists(atPath: target) else { throw CLIError("--out \(target) exists; choose a new file") }
            let start = Date()
            guard let store = try await location.open(config, mode: .openExisting) as? SQLiteObjectStore else {
                throw CLIError("\(location.name) is not a SQLite store")
            }
            let leftOut: Int
            do { leftOut = try await store.backup(toPath: target) } catch {
                try? FileManager.default.removeItem(atPath: target)
                throw CLIError("backup of \(location.name) to \(target): \(error.message)")
            }
            chmod(target, 0o600)
            await store.close()
            // What the copy holds, read from the copy itself.
            let copy = try SQLiteObjectStore(path: target, mode: .openExisting)
            let objects = try await copy.counts().objects
            let identity = try await copy.identity()
            await copy.close()
            let bytes = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
            printJSON(Report(store: location.name, out: target, bytes: bytes, objects: objects, inFlightCreatesLeftOut: leftOut,
                             storeId: identity.storeID, tokenSerial: identity.tokenSerial, tokenLabel: identity.tokenLabel,
                             seconds: (Date().timeIntervalSince(start) * 1000).rounded() / 1000))
        }
    }

    /// `kmipd store verify`: read-only comparison of store and token.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that every committed object has its token object and the other way round (read-only).",
            discussion: "Exits 1 on a mismatch. Run it on a quiet or stopped server: a create in flight can show as a mismatch.")
        @OptionGroup var options: ConfigOption

        struct Report: Codable {
            var store: String; var token: String; var committedObjects: Int; var pendingIntents: Int
            var missingTokenObjects: [String]; var unknownTokenObjects: [String]; var consistent: Bool
        }

        func run() async throws {
            let config = try options.load()
            let runtime = try await Runtime(config)
            try await runtime.verifyBinding()
            let plan = try await runtime.reconciler.plan()
            let counts = try await runtime.store.counts()
            // Token objects of other applications (CKA_IDs not in kmipd's form) are not ours to count.
            let unknown = plan.unknownTokenObjects.filter(Reconciler.isServerUID)
            let report = Report(store: runtime.store.name, token: "\(runtime.token.identity)", committedObjects: counts.objects,
                                pendingIntents: counts.pending, missingTokenObjects: plan.missingTokenObjects,
                                unknownTokenObjects: unknown, consistent: plan.missingTokenObjects.isEmpty && unknown.isEmpty)
            await runtime.token.prepareForExit()
            await runtime.store.close()
            printJSON(report)
            if !report.consistent { throw ExitCode(1) }
        }
    }
}
