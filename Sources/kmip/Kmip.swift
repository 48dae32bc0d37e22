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
        subcommands: [Query.self, DiscoverVersions.self, Create.self, Register.self, Get.self, Locate.self,
                      GetAttributes.self, Activate.self, Revoke.self, Destroy.self, CreateKeyPair.self, Certify.self,
                      Encrypt.self, Decrypt.self, Sign.self, Verify.self, MAC.self, RNG.self, Hash.self, Conformance.self, Bench.self])

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
    @Option(name: .customLong("protocol"), help: "KMIP protocol version to speak, e.g. 1.4 or 2.1.") var protocolVersion = "1.4"
    @Option(help: "tls (TTLV over TLS) or https (KMIP over HTTPS, POST --path).") var transport = "tls"
    @Option(help: "Message encoding over https: ttlv, xml or json.") var encoding = "ttlv"
    @Option(help: "The request URI over https.") var path = "/kmip"

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

    var version: ProtocolVersion {
        get throws {
            let parts = protocolVersion.split(separator: ".").compactMap { Int32($0) }
            guard parts.count == 2, ProtocolVersion.supported.contains(ProtocolVersion(parts[0], parts[1])) else {
                throw ValidationError("unsupported protocol version \(protocolVersion)")
            }
            return ProtocolVersion(parts[0], parts[1])
        }
    }
    var files: TLSContext.Files { TLSContext.Files(certificateChain: cert, privateKey: key, trustedCA: ca) }

    /// Connects, turning what can go wrong before the first request into one line with a hint.
    func client() async throws -> KMIPClient {
        let version = try self.version
        let tls: TLSContext
        do { tls = try TLSContext(server: false, files: files) } catch {
            throw CommandFailure("client TLS files (--ca \(ca), --cert \(cert), --key \(key)): \(error.message)")
        }
        let connect = try connector(tls)
        do {
            return KMIPClient(connection: try await connect(), version: version)
        } catch let e as NIOConnectionError {
            let cause = e.connectionErrors.first.map { f in (f.error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(f.error)" }
                ?? e.dnsAError.map { "no address for \(host) (\($0))" } ?? "no answer"
            throw CommandFailure("cannot connect to \(host):\(port): \(cause) (is kmipd listening there? see --host and --port)")
        } catch let e as TLSError {
            throw CommandFailure("TLS handshake with \(host):\(port) failed: \(e.message) (does --ca name the CA of the server's certificate, and does the server trust --cert?)")
        }
    }
}

/// Runs one client call, printing the response payload as JSON, or the failure as JSON on stderr
/// with exit code 1.
func perform(_ options: ConnectionOptions, _ body: (KMIPClient) async throws -> TTLV) async throws {
    let client = try await options.client()
    defer { Task { await client.connection.close() } }
    do {
        print(JSONRender.string(try await body(client)))
    } catch let f as KMIPClient.Failure {
        FileHandle.standardError.write(Data((JSONRender.object([
            "operation": .string(f.operation.name), "resultReason": .string(f.reason?.name ?? ""),
            "resultMessage": .string(f.message ?? "")]) + "\n").utf8))
        throw ExitCode(1)
    }
}
