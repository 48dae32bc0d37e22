import ArgumentParser
import OperatorErrors

@main
struct Kmipd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmipd",
        abstract: "A KMIP server whose keys live in a PKCS#11 token.",
        subcommands: [Serve.self, ReloadCommand.self, ConfigCommand.self, ObjectsCommand.self, TokenCommand.self, PKICommand.self,
                      DevCommand.self, PasswdCommand.self, StoreCommand.self],
        defaultSubcommand: Serve.self)

    /// A failure is one readable line (`Readable`), never a Foundation dump.
    static func main() async { await mainReadably() }
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The kmipd configuration file (JSON).")
    var config: String = ".kmipd/kmipd.json"

    func load() throws -> Configuration { try Configuration.load(config) }
}
