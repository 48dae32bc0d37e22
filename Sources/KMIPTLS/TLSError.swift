import COpenSSL

/// The one error type of the TLS module: what failed, with OpenSSL's error queue (codes and text).
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case configuration, handshake, io, handshakeTimeout, recordTimeout, peerCertificate }
    public var code: Code
    public var message: String
    /// The first OpenSSL error code from the queue (ERR_get_error), 0 if none.
    public var sslError: UInt
    public init(_ code: Code, _ message: String, sslError: UInt = 0) { self.code = code; self.message = message; self.sslError = sslError }
    public var description: String { "\(code.rawValue): \(message)" }

    /// Drains this thread's OpenSSL error queue into one error (the queue is per thread and shared by
    /// every connection on an event loop, so it is always drained after a failure).
    static func drain(_ code: Code, _ context: String) -> TLSError {
        var first: UInt = 0
        var texts = [String]()
        while true {
            let e = ERR_get_error()
            if e == 0 { break }
            if first == 0 { first = UInt(e) }
            var buf = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(e, &buf, buf.count)
            texts.append(String(cString: buf))
        }
        return TLSError(code, texts.isEmpty ? context : "\(context): \(texts.joined(separator: "; "))", sslError: first)
    }
}
