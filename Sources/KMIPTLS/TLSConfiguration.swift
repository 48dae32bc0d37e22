import COpenSSL

/// An OpenSSL SSL_CTX built once and then only read: protocol floor TLS 1.2, the KMIP profile cipher
/// suites, and mutual authentication against a configured CA.
public final class TLSContext: @unchecked Sendable {
    let ctx: OpaquePointer
    public let isServer: Bool
    /// The private key is in the token: handshakes run in OpenSSL ASYNC jobs so that its operations
    /// never block the event loop.
    public let keyInToken: Bool

    /// TLS 1.2 suites: ECDHE with AES-GCM first (forward secrecy), then the suites the KMIP 1.x profiles
    /// say a server SHALL support (TLS_RSA_WITH_AES_{128,256}_CBC_SHA256). TLS 1.3 keeps its defaults.
    public static let tls12Ciphers = [
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256", "AES256-SHA256", "AES128-SHA256",
    ].joined(separator: ":")

    public struct Files: Sendable {
        public var certificateChain: String
        /// A PEM key file; ignored when `tokenKey` is given.
        public var privateKey: String
        public var trustedCA: String
        /// The certificate's private key in the token instead of a file.
        public var tokenKey: TokenTLSKey?
        public init(certificateChain: String, privateKey: String, trustedCA: String, tokenKey: TokenTLSKey? = nil) {
            self.certificateChain = certificateChain; self.privateKey = privateKey; self.trustedCA = trustedCA
            self.tokenKey = tokenKey
        }
    }

    /// What an operator may tune: the protocol floor, the TLS 1.2 cipher list and TLS 1.3
    /// suites (OpenSSL syntax), and a CRL file checked for every client certificate.
    public struct Options: Sendable {
        /// "TLSv1.2" or "TLSv1.3"; nothing older is ever accepted.
        public var minimumVersion: String
        public var ciphers: String
        public var ciphersuites: String?
        /// PEM CRLs of the client CA; with one, a client certificate it lists is refused, and a CA
        /// without a CRL in the file fails every handshake (OpenSSL's X509_V_FLAG_CRL_CHECK). Read
        /// at start-up.
        public var crlFile: String?
        public init(minimumVersion: String = "TLSv1.2", ciphers: String = TLSContext.tls12Ciphers,
                    ciphersuites: String? = nil, crlFile: String? = nil) {
            self.minimumVersion = minimumVersion; self.ciphers = ciphers; self.ciphersuites = ciphersuites; self.crlFile = crlFile
        }
    }

    public init(server: Bool, files: Files, options: Options = Options()) throws(TLSError) {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()) else {
            throw TLSError.drain(.configuration, "SSL_CTX_new")
        }
        self.ctx = ctx
        self.isServer = server
        self.keyInToken = files.tokenKey != nil
        let floor: Int32
        switch options.minimumVersion {
        case "TLSv1.2": floor = TLS1_2_VERSION
        case "TLSv1.3": floor = TLS1_3_VERSION
        default: throw TLSError(.configuration, "minimum TLS version \(options.minimumVersion): use TLSv1.2 or TLSv1.3")
        }
        guard kmipd_SSL_CTX_set_min_proto(ctx, floor) == 1 else { throw TLSError.drain(.configuration, "minimum \(options.minimumVersion)") }
        kmipd_SSL_CTX_set_options(ctx)
        _ = kmipd_SSL_CTX_set_mode_release_buffers(ctx)
        guard SSL_CTX_set_cipher_list(ctx, options.ciphers) == 1 else { throw TLSError.drain(.configuration, "cipher list \(options.ciphers)") }
        if let suites = options.ciphersuites, SSL_CTX_set_ciphersuites(ctx, suites) != 1 {
            throw TLSError.drain(.configuration, "TLS 1.3 cipher suites \(suites)")
        }
        guard SSL_CTX_use_certificate_chain_file(ctx, files.certificateChain) == 1 else {
            throw TLSError.drain(.configuration, "certificate \(files.certificateChain)")
        }
        if let tokenKey = files.tokenKey {
            guard let cert = SSL_CTX_get0_certificate(ctx), let key = tokenKey.evpKey(certificate: cert),
                  SSL_CTX_use_PrivateKey(ctx, key) == 1, SSL_CTX_check_private_key(ctx) == 1 else {
                throw TLSError.drain(.configuration, "token key for \(files.certificateChain)")
            }
            EVP_PKEY_free(key)  // the SSL_CTX holds its own reference
        } else {
            guard SSL_CTX_use_PrivateKey_file(ctx, files.privateKey, SSL_FILETYPE_PEM) == 1,
                  SSL_CTX_check_private_key(ctx) == 1 else {
                throw TLSError.drain(.configuration, "private key \(files.privateKey)")
            }
        }
        guard SSL_CTX_load_verify_locations(ctx, files.trustedCA, nil) == 1 else {
            throw TLSError.drain(.configuration, "CA file \(files.trustedCA)")
        }
        if let crl = options.crlFile {
            guard let store = SSL_CTX_get_cert_store(ctx), let lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file()),
                  X509_load_crl_file(lookup, crl, X509_FILETYPE_PEM) > 0 else {
                throw TLSError.drain(.configuration, "CRL file \(crl)")
            }
            // Every certificate of the client's chain, not only the leaf: a revoked intermediate CA
            // revokes what it issued. Each CA of the chain then needs its CRL in the file.
            X509_STORE_set_flags(store, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
        }
        // The peer must present a certificate that chains to the CA: mutual TLS both ways.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        if server {
            if let names = SSL_load_client_CA_file(files.trustedCA) { SSL_CTX_set_client_CA_list(ctx, names) }
            // Without a session id context, resumption by clients that try it fails with alert 80.
            let sid = Array("kmipd".utf8)
            _ = SSL_CTX_set_session_id_context(ctx, sid, UInt32(sid.count))
            // No resumption: KMIP clients hold long-lived connections, and TLS 1.3 tickets would be made
            // (two per handshake) for clients that never use them.
            _ = kmipd_SSL_CTX_no_session_cache(ctx)
            _ = SSL_CTX_set_num_tickets(ctx, 0)
        }
    }

    deinit { SSL_CTX_free(ctx) }
}
