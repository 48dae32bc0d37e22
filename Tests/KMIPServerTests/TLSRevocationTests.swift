import Foundation
import KMIPTestSupport
import KMIPTLS
import Testing

/// Revocation reaches the whole client chain, and no TLS 1.2 session is resumed (a resumed session
/// would not be checked against the CRL again).
@Suite struct TLSRevocationTests {
    /// A root CA, an intermediate CA it issued (revoked by the root's CRL when `revokeIntermediate`),
    /// and a client certificate the intermediate issued; the chain file holds leaf and intermediate,
    /// the CRL file both CAs' CRLs.
    static func chain(in dir: String, revokeIntermediate: Bool) throws -> (root: String, crl: String, chain: String, key: String) {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func p(_ f: String) -> String { dir + "/" + f }
        func openssl(_ args: [String]) throws {
            let r = try OpenSSLCLI.run(args)
            guard r.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["openssl": String(decoding: r.out, as: UTF8.self)]) }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-days", "2", "-subj", "/CN=root", "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", p("root.key"), "-out", p("root.crt")])
        try "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n".write(toFile: p("ca.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n".write(toFile: p("leaf.ext"), atomically: true, encoding: .utf8)
        try openssl(["req"] + ec + ["-subj", "/CN=intermediate", "-keyout", p("int.key"), "-out", p("int.csr")])
        try openssl(["x509", "-req", "-in", p("int.csr"), "-CA", p("root.crt"), "-CAkey", p("root.key"), "-CAcreateserial",
                     "-days", "2", "-extfile", p("ca.ext"), "-out", p("int.crt")])
        try openssl(["req"] + ec + ["-subj", "/CN=client-under-intermediate", "-keyout", p("leaf.key"), "-out", p("leaf.csr")])
        try openssl(["x509", "-req", "-in", p("leaf.csr"), "-CA", p("int.crt"), "-CAkey", p("int.key"), "-CAcreateserial",
                     "-days", "1", "-extfile", p("leaf.ext"), "-out", p("leaf.crt")])
        for ca in ["root", "int"] {
            try "[ca]\ndefault_ca = d\n[d]\ndatabase = \(p(ca + ".idx"))\ncrlnumber = \(p(ca + ".num"))\ndefault_md = sha256\ndefault_crl_days = 2\n"
                .write(toFile: p(ca + ".cnf"), atomically: true, encoding: .utf8)
            try "".write(toFile: p(ca + ".idx"), atomically: true, encoding: .utf8)
            try "01\n".write(toFile: p(ca + ".num"), atomically: true, encoding: .utf8)
        }
        if revokeIntermediate {
            try openssl(["ca", "-config", p("root.cnf"), "-keyfile", p("root.key"), "-cert", p("root.crt"), "-revoke", p("int.crt")])
        }
        for ca in ["root", "int"] {
            try openssl(["ca", "-config", p(ca + ".cnf"), "-keyfile", p(ca + ".key"), "-cert", p(ca + ".crt"), "-gencrl", "-out", p(ca + ".crl")])
        }
        let crls = try String(contentsOfFile: p("root.crl"), encoding: .utf8) + String(contentsOfFile: p("int.crl"), encoding: .utf8)
        try crls.write(toFile: p("all.crl"), atomically: true, encoding: .utf8)
        let chain = try String(contentsOfFile: p("leaf.crt"), encoding: .utf8) + String(contentsOfFile: p("int.crt"), encoding: .utf8)
        try chain.write(toFile: p("chain.pem"), atomically: true, encoding: .utf8)
        return (p("root.crt"), p("all.crl"), p("chain.pem"), p("leaf.key"))
    }

    @Test func aRevokedIntermediateRevokesWhatItIssued() async throws {
        let base = TestHSM.stateDir + "/chain-" + UUID().uuidString.prefix(8)
        let good = try Self.chain(in: base + "/good", revokeIntermediate: false)
        let goodServer = try await TestServer.start(clientCA: good.root, tlsOptions: .init(crlFile: good.crl))
        defer { goodServer.stop() }
        #expect(await ClientCertificateTests.answered(goodServer, cert: good.chain, key: good.key), "a valid chain with every CRL is refused")
        let bad = try Self.chain(in: base + "/bad", revokeIntermediate: true)
        let badServer = try await TestServer.start(clientCA: bad.root, tlsOptions: .init(crlFile: bad.crl))
        defer { badServer.stop() }
        #expect(!(await ClientCertificateTests.answered(badServer, cert: bad.chain, key: bad.key)), "a certificate under a revoked intermediate got in")
    }

    @Test func noTLS12SessionIsResumed() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let session = TestHSM.stateDir + "/session-" + UUID().uuidString.prefix(8) + ".pem"
        let common = ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_2", "-cert", server.pki.clientCertificate,
                      "-key", server.pki.clientKey, "-CAfile", server.pki.caCertificate]
        let first = String(decoding: try OpenSSLCLI.run(common + ["-sess_out", session], input: []).out, as: UTF8.self)
        #expect(first.contains("New, "), "\(first)")
        // No session to resume at all (nothing for -sess_out to write), or one the server will not resume.
        guard FileManager.default.fileExists(atPath: session) else { return }
        let second = String(decoding: try OpenSSLCLI.run(common + ["-sess_in", session], input: []).out, as: UTF8.self)
        #expect(second.contains("New, ") && !second.contains("Reused, "), "\(second)")
    }
}
