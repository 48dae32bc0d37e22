import DevPKI
import Foundation
import HSMBackend
import KMIP
import KMIPClient
import KMIPEngine
import KMIPServer
import KMIPTLS
import NIOCore
import Store

/// A real kmipd on 127.0.0.1 (an ephemeral port) with a fresh token, database and dev PKI, for tests
/// that go through TLS. Stop it with `stop()`; every test makes its own.
public final class TestServer: Sendable {
    public let port: Int
    public let pki: DevPKI.Result
    public let token: PKCS11Token
    public let store: SQLiteObjectStore
    public let devPKI: DevPKI
    let task: Task<Void, any Error>

    /// `clientCA` replaces the dev CA as the one client certificates must chain to.
    public static func start(admins: Set<String> = [], configuration: ServerConfiguration = ServerConfiguration(port: 0),
                             clientCA: String? = nil, tlsOptions: TLSContext.Options = .init(),
                             serverKeyInToken: Bool = false, token given: PKCS11Token? = nil,
                             group: (any EventLoopGroup)? = nil) async throws -> TestServer {
        let token = try given ?? TestHSM.makeToken()
        let store = try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create)
        let dir = TestHSM.stateDir + "/pki-" + UUID().uuidString.prefix(8)
        let executor = BatchExecutor(services: EngineServices(store: store, token: token, policy: AccessPolicy(adminIdentities: admins)))
        let pki = try await DevPKI(executor: executor, directory: dir).create(serverKeyInToken: serverKeyInToken)
        let tokenKey = pki.serverKey.hasPrefix("token:") ? TokenTLSKey.inToken(token, privateKeyID: String(pki.serverKey.dropFirst(6))) : nil
        let tls = try TLSContext(server: true, files: .init(certificateChain: pki.serverCertificate, privateKey: pki.serverKey,
                                                            trustedCA: clientCA ?? pki.caCertificate, tokenKey: tokenKey), options: tlsOptions)
        var config = configuration
        config.port = 0
        let server = group.map { KMIPServer(configuration: config, tls: tls, executor: executor, group: $0) }
            ?? KMIPServer(configuration: config, tls: tls, executor: executor)
        let task = Task { try await server.run() }
        let port = try await server.boundPort()
        return TestServer(port: port, pki: pki, token: token, store: store, devPKI: DevPKI(executor: executor, directory: dir), task: task)
    }

    init(port: Int, pki: DevPKI.Result, token: PKCS11Token, store: SQLiteObjectStore, devPKI: DevPKI, task: Task<Void, any Error>) {
        self.port = port; self.pki = pki; self.token = token; self.store = store; self.devPKI = devPKI; self.task = task
    }

    public var clientFiles: TLSContext.Files {
        .init(certificateChain: pki.clientCertificate, privateKey: pki.clientKey, trustedCA: pki.caCertificate)
    }

    public func client(_ version: ProtocolVersion = .v1_4) async throws -> KMIPClient {
        try await KMIPClient.connect(host: "127.0.0.1", port: port, files: clientFiles, version: version)
    }

    public func stop() { task.cancel() }
    /// Stops the server and waits until it has closed its connections (before its event loops go).
    public func stopAndWait() async { task.cancel(); _ = await task.result }
}

extension TestServer {
    /// A self-signed client certificate that no kmipd CA signed (for refusal tests), made with the
    /// openssl command line.
    public static func selfSignedClient(directory: String) throws -> (cert: String, key: String) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let cert = directory + "/c.crt", key = directory + "/c.key"
        try OpenSSLCLI.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                            "-subj", "/CN=stranger", "-keyout", key, "-out", cert])
        return (cert, key)
    }
}
