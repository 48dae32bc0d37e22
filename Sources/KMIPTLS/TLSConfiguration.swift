import COpenSSL

/// An OpenSSL SSL_CTX built once and then only read: protocol floor TLS 1.2, the KMIP profile cipher
/// suites, and mutual authentication against a configured CA.
public final class TLSContext: @unchecked Sendable {
    let ctx: OpaquePointer
    public let isServer: Bool

    /// TLS 1.2 suites: ECDHE with AES-GCM first (forward secrecy), then the suites the KMIP 1.x profiles
    /// say a server SHALL support (TLS_RSA_WITH_AES_{128,256}_CBC_SHA256). TLS 1.3 keeps its defaults.
    public static let tls12Ciphers = [
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256", "AES256-SHA256", "AES128-SHA256",
    ].joined(separator: ":")

    public struct Files: Sendable {
        public var certificateChain: String
        public var privateKey: String
        public var trustedCA: String
        public init(certificateChain: String, privateKey: String, trustedCA: String) {
            self.certificateChain = certificateChain; self.privateKey = privateKey; self.trustedCA = trustedCA
        }
    }

    public init(server: Bool, files: Files, ciphers: String = TLSContext.tls12Ciphers) throws(TLSError) {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()) else {
            throw TLSError.drain(.configuration, "SSL_CTX_new")
        }
        self.ctx = ctx
        self.isServer = server
        guard kmipd_SSL_CTX_set_min_proto(ctx, TLS1_2_VERSION) == 1 else { throw TLSError.drain(.configuration, "minimum TLS 1.2") }
        kmipd_SSL_CTX_set_options(ctx)
        _ = kmipd_SSL_CTX_set_mode_release_buffers(ctx)
        guard SSL_CTX_set_cipher_list(ctx, ciphers) == 1 else { throw TLSError.drain(.configuration, "cipher list \(ciphers)") }
        guard SSL_CTX_use_certificate_chain_file(ctx, files.certificateChain) == 1 else {
            throw TLSError.drain(.configuration, "certificate \(files.certificateChain)")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, files.privateKey, SSL_FILETYPE_PEM) == 1,
              SSL_CTX_check_private_key(ctx) == 1 else {
            throw TLSError.drain(.configuration, "private key \(files.privateKey)")
        }
        guard SSL_CTX_load_verify_locations(ctx, files.trustedCA, nil) == 1 else {
            throw TLSError.drain(.configuration, "CA file \(files.trustedCA)")
        }
        // The peer must present a certificate that chains to the CA: mutual TLS both ways.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        if server {
            if let names = SSL_load_client_CA_file(files.trustedCA) { SSL_CTX_set_client_CA_list(ctx, names) }
            // Without a session id context, resumption by clients that try it fails with alert 80.
            let sid = Array("kmipd".utf8)
            _ = SSL_CTX_set_session_id_context(ctx, sid, UInt32(sid.count))
        }
    }

    deinit { SSL_CTX_free(ctx) }
}
