import ArgumentParser
import Foundation
import KMIP
import KMIPClient
import KMIPTLS

@main
struct Kmip: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmip",
        abstract: "A scriptable KMIP client (JSON output), load generator and conformance runner.",
        subcommands: [Query.self, DiscoverVersions.self, Create.self, Register.self, Get.self, Locate.self,
                      GetAttributes.self, Activate.self, Revoke.self, Destroy.self, CreateKeyPair.self, Certify.self,
                      Encrypt.self, Decrypt.self, Sign.self, Verify.self, MAC.self, RNG.self, Hash.self, Conformance.self, Bench.self])
}

/// Where and how to connect; defaults follow the dev layout `scripts/serve` creates.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 5696
    @Option(help: "CA certificate that signed the server's certificate.") var ca = ".kmipd/pki/ca.crt"
    @Option(help: "Client certificate (PEM).") var cert = ".kmipd/pki/client.crt"
    @Option(help: "Client private key (PEM).") var key = ".kmipd/pki/client.key"
    @Option(name: .customLong("protocol"), help: "KMIP protocol version to speak, e.g. 1.4 or 2.1.") var protocolVersion = "1.4"

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

    func client() async throws -> KMIPClient {
        try await KMIPClient.connect(host: host, port: port, files: files, version: try version)
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
