import ArgumentParser
import Foundation
import KMIP
import KMIPClient
import KMIPTLS
import NIOCore
import NIOPosix
import OperatorErrors

@main
struct Kmip: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmip",
        abstract: "A scriptable KMIP client (JSON output), load generator and conformance runner.",
        discussion: """
            Every command prints the server's response payload as JSON on standard output. A request the \
            server refuses prints one line on standard error, "Error: OPERATION: RESULT REASON: message", \
            and exits with status 2; anything else that stops a command (no connection, an unreadable file) \
            exits with 1, a usage error with 64. Shell completion: kmip --generate-completion-script bash.

            Examples:
              kmip create --name backup-key --group backups --activation-date now
              kmip grant UID "CN=app1,O=Example" Get Encrypt Decrypt
              kmip re-key UID --offset 7d
              kmip export UID --protocol 2.1 --save backup-key.json
              kmip locate --group backups --date-range "Initial Date=now-30d.."
            """,
        subcommands: [Query.self, DiscoverVersions.self, Create.self, Register.self, Get.self, Locate.self,
                      GetAttributes.self, GetAttributeList.self, AddAttribute.self, ModifyAttribute.self,
                      DeleteAttribute.self, SetAttribute.self, GrantCommand.self, RevokeGrant.self,
                      Activate.self, Revoke.self, Destroy.self, Check.self, ObtainLease.self, GetUsageAllocation.self,
                      ReKey.self, CreateKeyPair.self, ReKeyKeyPair.self, Certify.self, ReCertify.self, DeriveKey.self,
                      Export.self, Import.self,
                      Encrypt.self, Decrypt.self, Sign.self, Verify.self, MAC.self, RNG.self, RNGSeed.self, Hash.self,
                      Ping.self, Log.self, Interop.self, Conformance.self, Bench.self])

    /// A failure is one readable line (`Readable`); TLS failures say which side refused what.
    static func main() async { await mainReadably { ($0 as? TLSError).map(explain) } }

    /// A TLS failure after connecting: which side refused what.
    static func explain(_ e: TLSError) -> String {
        let reason = e.message.components(separatedBy: "::").last ?? e.message
        if reason.contains("alert") {
            return "the server refused this client's certificate (\(reason)): is --cert issued by a CA the server trusts, and not revoked?"
        }
        if e.code == .handshake {
            return "TLS handshake failed (\(reason)): does --ca name the CA of the server's certificate?"
        }
        return "TLS: \(e.message)"
    }
}

/// Where and how to connect; defaults follow the dev layout `scripts/serve` creates.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 5696
    @Option(help: "CA certificate that signed the server's certificate.") var ca = ".kmipd/pki/ca.crt"
    @Option(help: "Client certificate (PEM).") var cert = ".kmipd/pki/client.crt"
    @Option(help: "Client private key (PEM).") var key = ".kmipd/pki/client.key"
    @Option(name: .customLong("protocol"), help: "KMIP protocol version to speak, e.g. 1.4 or 2.1 (default 1.4; 2.1 for operations KMIP 2.0 added).")
    var protocolVersion: String?
    @Option(help: "tls (TTLV over TLS) or https (KMIP over HTTPS, POST --path).") var transport = "tls"
    @Option(help: "Message encoding over https: ttlv, xml or json.") var encoding = "ttlv"
    @Option(help: "The request URI over https.") var path = "/kmip"
    @Option(help: "Send a Username and Password credential with this username (the server then acts as user:NAME).") var username: String?
    @Option(help: "The credential's password: the first line of this file.") var passwordFile: String?

    /// The credential, read from --password-file (never from the command line, where `ps` shows it).
    func credential() throws -> UsernamePassword? {
        guard let username else {
            if passwordFile != nil { throw ValidationError("--password-file needs --username") }
            return nil
        }
        guard let passwordFile else { throw ValidationError("--username needs --password-file") }
        let text: String
        do { text = try String(contentsOfFile: passwordFile, encoding: .utf8) } catch {
            throw CommandFailure("reading --password-file \(passwordFile)", error)
        }
        return UsernamePassword(username: username, password: String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""))
    }

    /// How to connect, checked: the encoding applies to https only.
    func connector(_ tls: TLSContext) throws -> @Sendable () async throws -> KMIPConnection {
        guard let e = MessageEncoding(rawValue: encoding) else { throw ValidationError("--encoding is ttlv, xml or json") }
        let host = self.host, port = self.port, path = self.path
        switch transport {
        case "tls":
            guard e == .ttlv else { throw ValidationError("--encoding \(encoding) needs --transport https (raw TLS carries TTLV)") }
            return { try await KMIPConnection.connect(host: host, port: port, tls: tls) }
        case "https": return { try await KMIPConnection.connectHTTPS(host: host, port: port, tls: tls, encoding: e, path: path) }
        default: throw ValidationError("--transport is tls or https")
        }
    }

    var version: ProtocolVersion { get throws { try version(minimum: .v1_0, for: nil) } }

    /// The version to speak: --protocol, or else `preferred` (what the command's options need), or
    /// 1.4; for an operation KMIP 2.0 added, 2.1 unless --protocol names an older version (a usage
    /// error: the server would refuse it).
    func version(minimum: ProtocolVersion, for operation: KMIP.Operation?, preferred: ProtocolVersion? = nil) throws -> ProtocolVersion {
        guard let protocolVersion else { return preferred.map { max($0, minimum) } ?? (minimum.isV2 ? .v2_1 : .v1_4) }
        let parts = protocolVersion.split(separator: ".").compactMap { Int32($0) }
        guard parts.count == 2, ProtocolVersion.supported.contains(ProtocolVersion(parts[0], parts[1])) else {
            throw ValidationError("unsupported protocol version \(protocolVersion)")
        }
        let v = ProtocolVersion(parts[0], parts[1])
        if v < minimum, let operation {
            throw ValidationError("\(operation.name) is a KMIP \(minimum.major).\(minimum.minor) operation: give --protocol \(minimum.major).\(minimum.minor) or later, or leave it out")
        }
        return v
    }
    var files: TLSContext.Files { TLSContext.Files(certificateChain: cert, privateKey: key, trustedCA: ca) }

    /// Connects, turning what can go wrong before the first request into one line with a hint;
    /// `operation` (when given) decides the default protocol version.
    func client(for operation: KMIP.Operation? = nil, preferring preferred: ProtocolVersion? = nil) async throws -> KMIPClient {
        let version = try self.version(minimum: operation?.since ?? .v1_0, for: operation, preferred: preferred)
        let credential = try self.credential()
        let tls: TLSContext
        do { tls = try TLSContext(server: false, files: files) } catch {
            throw CommandFailure("client TLS files (--ca \(ca), --cert \(cert), --key \(key)): \(error.message)")
        }
        let connect = try connector(tls)
        do {
            return KMIPClient(connection: try await connect(), version: version, credential: credential)
        } catch let e as NIOConnectionError {
            let cause = e.connectionErrors.first.map { f in (f.error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(f.error)" }
                ?? e.dnsAError.map { "no address for \(host) (\($0))" } ?? "no answer"
            throw CommandFailure("cannot connect to \(host):\(port): \(cause) (is kmipd listening there? see --host and --port)")
        } catch let e as TLSError {
            throw CommandFailure("TLS handshake with \(host):\(port) failed: \(e.message) (does --ca name the CA of the server's certificate, and does the server trust --cert?)")
        }
    }
}

/// Runs one client call, printing the response payload as JSON; a refusal is one line on stderr,
/// "Error: OPERATION: RESULT REASON: message", and exit status 2.
func perform(_ options: ConnectionOptions, _ operation: KMIP.Operation? = nil, preferring preferred: ProtocolVersion? = nil,
             _ body: (KMIPClient) async throws -> TTLV) async throws {
    try await performEach(options, operation, preferring: preferred) { c, answers in answers.add(try await body(c)) }
}

/// The answers of a command that sends several requests, kept as they come.
final class Answers {
    var items = [TTLV]()
    func add(_ t: TTLV) { items.append(t) }
}

/// As `perform`, for commands that send several requests: one response prints as an object, several
/// as an array in the order sent. When one is refused, those answered before it still print (they
/// took effect), then the refusal.
func performEach(_ options: ConnectionOptions, _ operation: KMIP.Operation? = nil, preferring preferred: ProtocolVersion? = nil,
                 _ body: (KMIPClient, Answers) async throws -> Void) async throws {
    let client = try await options.client(for: operation, preferring: preferred)
    let answers = Answers()
    func show() {
        guard !answers.items.isEmpty else { return }
        print(answers.items.count == 1 ? JSONRender.string(answers.items[0]) : JSONRender.array(answers.items))
    }
    // Closed here, on every path, before the process may exit: a close still running on NIO's threads
    // while exit tears down OpenSSL crashed the client (a usage error after connecting, ~1 run in 10).
    let outcome: Result<Void, any Error>
    do { try await body(client, answers); outcome = .success(()) } catch { outcome = .failure(error) }
    await client.connection.close()
    do {
        try outcome.get()
        show()
    } catch let f as KMIPClient.Failure {
        show()
        let reason = f.reason?.name ?? "no Result Reason"
        let message = (f.message ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("Error: \(f.operation.name): \(reason)\(message.isEmpty ? "" : ": " + message)\n".utf8))
        throw ExitCode(2)
    }
}
