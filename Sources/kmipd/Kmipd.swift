import ArgumentParser

@main
struct Kmipd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmipd",
        abstract: "A KMIP server whose keys live in a PKCS#11 token.",
        subcommands: [Serve.self, TokenCommand.self, PKICommand.self, DevCommand.self, PasswdCommand.self, StoreCommand.self],
        defaultSubcommand: Serve.self)
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The kmipd configuration file (JSON).")
    var config: String = ".kmipd/kmipd.json"

    func load() throws -> Configuration { try Configuration.load(config) }
}
