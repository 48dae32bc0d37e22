import COpenSSL

/// The verified peer of a connection: its certificate subject (RFC 2253) is the KMIP client identity.
public struct PeerIdentity: Sendable, Hashable {
    public var subject: String
    public var commonName: String?
    public var protocolVersion: String
    public var cipher: String

    init?(ssl: OpaquePointer) {
        guard SSL_get_verify_result(ssl) == X509_V_OK, let cert = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(cert) }
        guard let name = X509_get_subject_name(cert) else { return nil }
        subject = Self.format(name)
        commonName = Self.commonName(name)
        protocolVersion = String(cString: SSL_get_version(ssl))
        cipher = SSL_get_current_cipher(ssl).map { String(cString: SSL_CIPHER_get_name($0)) } ?? ""
    }

    static func format(_ name: OpaquePointer) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        _ = X509_NAME_print_ex(bio, name, 0, kmipd_XN_FLAG_RFC2253())
        let n = Int(kmipd_BIO_ctrl_pending(bio))
        var buf = [UInt8](repeating: 0, count: n)
        _ = BIO_read(bio, &buf, Int32(n))
        return String(decoding: buf, as: UTF8.self)
    }

    static func commonName(_ name: OpaquePointer) -> String? {
        let i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard i >= 0, let entry = X509_NAME_get_entry(name, i), let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var out: UnsafeMutablePointer<UInt8>?
        let len = ASN1_STRING_to_UTF8(&out, data)
        guard len >= 0, let out else { return nil }
        defer { kmipd_OPENSSL_free(out) }
        return String(decoding: UnsafeBufferPointer(start: out, count: Int(len)), as: UTF8.self)
    }
}
