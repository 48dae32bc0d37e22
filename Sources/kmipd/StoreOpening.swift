import Foundation
import KMIPEngine
import PostgresStore
import Store

/// Whether a command may make a new store or needs an existing one.
enum StoreOpenMode: Sendable { case create, openExisting }

extension StoreLocation {
    /// Opens (or, asked to, creates) the store the configuration names, migrated. A missing file, a
    /// database without kmipd's tables or an unknown scheme is refused: `serve` never creates a store.
    func open(_ configuration: Configuration, mode: StoreOpenMode) async throws -> any AdministeredStore {
        do {
            return try await open(mode: mode, node: configuration.nodeName, passwordFile: configuration.databasePasswordFile.map(configuration.path))
        } catch {
            let hint = mode == .openExisting ? "; a new store is made only by `kmipd store init --config \(configuration.source)`" : ""
            throw CLIError("\"database\": \"\(configuration.database)\" in \(configuration.source): \(EngineError.from(error).message)\(hint)")
        }
    }

    /// Opens the existing store, runs `body` with it and closes it on every path before returning: a
    /// close left to a task of its own may still run while the process exits.
    func withStore<R>(_ configuration: Configuration, _ body: (any AdministeredStore) async throws -> R) async throws -> R {
        let store = try await open(configuration, mode: .openExisting)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    func open(mode: StoreOpenMode, node: String, passwordFile: String?) async throws -> any AdministeredStore {
        switch self {
        case .sqlite(let path):
            if mode == .create {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            }
            return try SQLiteObjectStore(path: path, mode: mode == .create ? .create : .openExisting)
        case .postgres(let location):
            let password = try PostgresLocation.password(file: passwordFile)
            return try await PostgresObjectStore(location: location, password: password, node: node,
                                                 mode: mode == .create ? .create : .openExisting)
        }
    }
}

extension Configuration {
    /// This node's name: the configured one, else the host name.
    var nodeName: String { node ?? ProcessInfo.processInfo.hostName }
}
