import ArgumentParser

extension AsyncParsableCommand {
    /// As ArgumentParser's own `main`, but a failure of the command is always one readable line:
    /// `explain` may word an error of the caller's own (nil: `Readable.reason`).
    public static func mainReadably(explain: @Sendable (any Error) -> String? = { _ in nil }) async {
        let command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            if var c = command as? any AsyncParsableCommand { try await c.run() } else { var c = command; try c.run() }
        } catch {
            switch error {
            case is ExitCode, is CleanExit, is ValidationError, is CommandFailure: exit(withError: error)
            // `--help` and `help SUBCOMMAND` run ArgumentParser's own help command, which ends by
            // throwing its (internal) CommandError: ArgumentParser prints the help for it.
            case _ where String(describing: type(of: error)) == "CommandError": exit(withError: error)
            default: exit(withError: CommandFailure(explain(error) ?? Readable.reason(error)))
            }
        }
    }
}
