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

    /// As ArgumentParser's own main, but a failure is always one readable line (`Readable`).
    static func main() async {
        let command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            if var c = command as? any AsyncParsableCommand { try await c.run() } else { var c = command; try c.run() }
        } catch {
            switch error {
            case is ExitCode, is CleanExit, is ValidationError, is CLIError, is CommandFailure: exit(withError: error)
            default: exit(withError: CommandFailure(Readable.reason(error)))
            }
        }
    }
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The kmipd configuration file (JSON).")
    var config: String = ".kmipd/kmipd.json"

    func load() throws -> Configuration { try Configuration.load(config) }
}
