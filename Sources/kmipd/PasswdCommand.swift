import ArgumentParser
import Foundation
import KMIPEngine
import KMIPFiles

/// `kmipd passwd`: adds or replaces a user in the password file (scrypt), reading the password from
/// standard input so it never appears in process arguments.
struct PasswdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd", abstract: "Set a user's password for KMIP Username and Password credentials (read from stdin).")

    @Option(help: "The password file (JSON, created 0600).") var file: String
    @Option(name: .customLong("client"), help: "A certificate subject allowed to use this user (repeatable; none: any).")
    var clients: [String] = []
    @Argument(help: "The username.") var user: String

    func run() throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("give the password on standard input")
        }
        struct File: Codable { var users: [String: PasswordFile.Entry] }
        var contents = File(users: [:])
        if FileManager.default.fileExists(atPath: file) {
            contents = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        }
        contents.users[user] = PasswordFile.Entry(scrypt: try PasswordFile.makeEntry(password: line),
                                                  clients: clients.isEmpty ? nil : clients)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let tmp = file + ".new"
        guard FileManager.default.createFile(atPath: tmp, contents: try encoder.encode(contents), attributes: [.posixPermissions: 0o600]),
              rename(tmp, file) == 0 else { throw ValidationError("cannot write \(file) (through \(tmp))") }
        let report = try JSONSerialization.data(withJSONObject: ["user": user, "file": file], options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: report, as: UTF8.self))
    }
}
