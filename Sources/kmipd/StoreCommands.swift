import ArgumentParser
import Foundation
import KMIP
import KMIPEngine
import Store

/// `kmipd store …`: the store's life (init, bind, adopt: `StoreBindingCommands`, `StoreAdoptCommand`)
/// and `populate`, which fills the SQLite store directly (no token objects, no KMIP) so that Locate
/// can be measured among many objects. The objects are AES-256 key records named
/// `populate-<n>`, owned by `--owner`; they have no key material anywhere.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store", abstract: "Create, bind, rebuild and fill the store.",
                                                    subcommands: [Init.self, Bind.self, Adopt.self, Copy.self, Backup.self, Verify.self, Populate.self])
    struct Populate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add N metadata-only objects to the store, in transactions of 10,000.")
        @OptionGroup var options: ConfigOption
        @Option(help: "How many objects to add.") var count: Int
        @Option(help: "Their owner (a client identity).") var owner = "CN=kmip-dev-client,O=kmipd"
        @Option(help: "Name prefix.") var prefix = "populate-"

        func run() async throws {
            let config = try options.load()
            let store = try await StoreLocation(config).open(config, mode: .openExisting)
            let start = Date()
            let now = Int64(start.timeIntervalSince1970)
            var done = 0
            while done < count {
                let batch = (done..<min(count, done + 10_000)).map { i in
                    ManagedObject(uid: UUID().uuidString.lowercased(), objectType: .symmetricKey, owner: owner, attributes: [
                        Attribute(.name, .structure([TTLV(.nameValue, .textString("\(prefix)\(i)")),
                            TTLV(.nameType, .enumeration(NameType.uninterpretedTextString.rawValue))])),
                        Attribute(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
                        Attribute(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)),
                        Attribute(.cryptographicLength, .integer(256)),
                        Attribute(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMask.encrypt.rawValue))),
                        Attribute(.state, .enumeration(State.preActive.rawValue)),
                        Attribute(.initialDate, .dateTime(now)),
                    ], tokenObject: nil)
                }
                try await store.bulkInsert(batch)
                done += batch.count
            }
            printJSON(["added": done, "seconds": Int(Date().timeIntervalSince(start))])
        }
    }
}
