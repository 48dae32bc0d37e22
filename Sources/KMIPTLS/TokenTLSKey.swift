import COpenSSL
import CTLSTokenKey
import Synchronization

/// A TLS server key that never leaves the token: OpenSSL asks for each private-key operation of a
/// handshake. In the server the handshake runs in an OpenSSL ASYNC job: `start` begins the token call
/// elsewhere and the job pauses, so the event loop serves other connections meanwhile, and the
/// handshake goes on when the answer is there (`AsyncKeyWaiter`). `perform` answers synchronously where
/// no job runs. RSA and EC keys; RSA keys sign (TLS 1.3 PSS, TLS 1.2 ECDHE-RSA) but do not decrypt, so
/// the TLS_RSA_* key-exchange suites of the KMIP 1.x profiles are not available with such a key.
public final class TokenTLSKey: Sendable {
    public enum Operation: Int32, Sendable {
        /// RSASSA-PKCS1-v1_5 over a DigestInfo (CKM_RSA_PKCS).
        case rsaPKCS1 = 1
        /// Raw RSA on a block OpenSSL padded (PSS; CKM_RSA_X_509).
        case rsaRaw = 2
        /// ECDSA over a digest; the answer is the DER ECDSA-Sig-Value.
        case ecdsa = 3
    }
    public typealias Completion = @Sendable ([UInt8]?) -> Void
    let perform: @Sendable (Operation, [UInt8]) -> [UInt8]?
    let start: (@Sendable (Operation, [UInt8], @escaping Completion) -> Void)?
    public init(perform: @escaping @Sendable (Operation, [UInt8]) -> [UInt8]?,
                start: (@Sendable (Operation, [UInt8], @escaping Completion) -> Void)? = nil) {
        self.perform = perform; self.start = start
    }

    /// The key for SSL_CTX_use_PrivateKey; `self` is kept alive for the process (server lifetime).
    func evpKey(certificate: OpaquePointer) -> OpaquePointer? {
        kmipd_token_key(certificate, tokenKeyCallback, start == nil ? nil : tokenKeyStart, start == nil ? nil : tokenKeyPoll,
                        Unmanaged.passRetained(self).toOpaque())
    }
}

/// One connection's pending private-key operation. The connection's handler owns it; the token call's
/// completion holds it too, so an answer that comes after the connection is gone lands nowhere.
public final class AsyncKeyWaiter: Sendable {
    enum State { case idle, pending, done([UInt8]?) }
    private let state = Mutex(State.idle)
    /// Called (on any thread) when an answer arrives: the handler drives its handshake again.
    let resume: @Sendable () -> Void
    public init(resume: @escaping @Sendable () -> Void) { self.resume = resume }

    func begin() { state.withLock { $0 = .pending } }
    func complete(_ answer: [UInt8]?) {
        let wasPending = state.withLock { s -> Bool in
            guard case .pending = s else { return false }
            s = .done(answer)
            return true
        }
        if wasPending { resume() }
    }
    /// The connection is going away: the paused operation fails at once, so its job can end.
    func abandon() { state.withLock { if case .pending = $0 { $0 = .done(nil) } } }
    var isPending: Bool { state.withLock { if case .pending = $0 { true } else { false } } }
    /// nil while the answer is not there; then the answer (nil: the operation failed), once.
    func take() -> [UInt8]?? {
        state.withLock { s -> [UInt8]?? in
            guard case .done(let answer) = s else { return nil }
            s = .idle
            return .some(answer)
        }
    }
}

private let tokenKeyStart: kmipd_token_key_start_fn = { ctx, waiter, op, input, inputLength in
    guard let ctx, let waiter, let input else { return }
    let key = Unmanaged<TokenTLSKey>.fromOpaque(ctx).takeUnretainedValue()
    let w = Unmanaged<AsyncKeyWaiter>.fromOpaque(waiter).takeUnretainedValue()
    w.begin()
    guard let start = key.start, let operation = TokenTLSKey.Operation(rawValue: op) else { return w.complete(nil) }
    start(operation, Array(UnsafeBufferPointer(start: input, count: inputLength))) { answer in w.complete(answer) }
}

private let tokenKeyPoll: kmipd_token_key_poll_fn = { waiter, out, outLength in
    guard let waiter, let out, let outLength else { return 0 }
    let w = Unmanaged<AsyncKeyWaiter>.fromOpaque(waiter).takeUnretainedValue()
    guard let taken = w.take() else { return -1 }
    guard let answer = taken, answer.count <= outLength.pointee else { return 0 }
    answer.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: answer.count) }
    outLength.pointee = answer.count
    return 1
}

/// The C callback: finds the key object and copies its answer into OpenSSL's buffer.
private let tokenKeyCallback: kmipd_token_key_fn = { ctx, op, input, inputLength, out, outLength in
    guard let ctx, let input, let out, let outLength, let operation = TokenTLSKey.Operation(rawValue: op) else { return 0 }
    let key = Unmanaged<TokenTLSKey>.fromOpaque(ctx).takeUnretainedValue()
    guard let answer = key.perform(operation, Array(UnsafeBufferPointer(start: input, count: inputLength))),
          answer.count <= outLength.pointee else { return 0 }
    answer.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: answer.count) }
    outLength.pointee = answer.count
    return 1
}
