import CoreMetrics
import COpenSSL
import KMIPTLS
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Admission in two stages. A connection that has not finished its TLS handshake has proven nothing,
/// so it must never take the place of a client that has: at most `maxHandshakes` connections may be
/// handshaking at once, and when that many are, the oldest is closed to make room (a flood of silent
/// sockets then only shortens its own members' lives; a real client's handshake takes milliseconds).
/// Authenticated connections are counted apart, up to `maxConnections`; beyond that a newly
/// authenticated one is closed.
final class ConnectionAdmission: Sendable {
    let maxHandshakes: Int
    let maxConnections: Int
    private struct State {
        var nextID = 0
        /// Handshaking connections, oldest first.
        var handshaking: [(id: Int, channel: any Channel)] = []
        var established = 0
    }
    private let state = Mutex(State())

    init(maxHandshakes: Int, maxConnections: Int) {
        self.maxHandshakes = max(1, maxHandshakes); self.maxConnections = maxConnections
    }

    /// Registers a new connection; returns its id and the connection it pushed out, if any.
    func admit(_ channel: any Channel) -> (id: Int, evicted: (any Channel)?) {
        state.withLock { s in
            s.nextID += 1
            var evicted: (any Channel)?
            if s.handshaking.count >= maxHandshakes { evicted = s.handshaking.removeFirst().channel }
            s.handshaking.append((s.nextID, channel))
            return (s.nextID, evicted)
        }
    }

    /// The handshake of `id` completed: true when it may stay (it then counts as established).
    func promote(_ id: Int) -> Bool {
        state.withLock { s in
            guard let i = s.handshaking.firstIndex(where: { $0.id == id }) else { return false }  // evicted meanwhile
            s.handshaking.remove(at: i)
            guard s.established < maxConnections else { return false }
            s.established += 1
            return true
        }
    }

    func release(_ id: Int, established: Bool) {
        state.withLock { s in
            if established { s.established -= 1 } else { s.handshaking.removeAll { $0.id == id } }
        }
    }

    var counts: (handshaking: Int, established: Int) { state.withLock { ($0.handshaking.count, $0.established) } }
}

/// Follows one connection through the two stages (after the TLS handler, which announces the end of
/// the handshake with `TLSEvent.handshakeCompleted`).
final class AdmissionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let admission: ConnectionAdmission
    private var id: Int?
    private var established = false
    /// The handshake's outcome has been counted (`kmipd_tls_handshakes_total`).
    private var counted = false

    init(_ admission: ConnectionAdmission) { self.admission = admission }

    func handlerAdded(context: ChannelHandlerContext) {
        let (id, evicted) = admission.admit(context.channel)
        self.id = id
        evicted?.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSEvent.handshakeCompleted? = event as? TLSEvent, let id {
            guard admission.promote(id) else {
                self.id = nil  // promote has already forgotten it
                count("refused", "over_connection_limit")
                context.close(promise: nil)
                return
            }
            established = true
            count("success", "none")
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tls = error as? TLSError { count("failure", Self.reason(tls)) }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Closed before its handshake ended: by the peer, or to make room for a newer one.
        count("closed", "none")
        if let id { admission.release(id, established: established) }
        id = nil
        context.fireChannelInactive()
    }
}

extension AdmissionHandler {
    private func count(_ outcome: String, _ reason: String) {
        guard !counted else { return }
        counted = true
        Counter(label: "kmipd_tls_handshakes_total", dimensions: [("outcome", outcome), ("reason", reason)]).increment()
    }

    /// OpenSSL's reason for the first error ("certificate verify failed" → "certificate_verify_failed"),
    /// or the TLS module's code (a timeout has no OpenSSL error): a small, fixed set of label values.
    static func reason(_ error: TLSError) -> String {
        guard error.sslError != 0, let text = ERR_reason_error_string(error.sslError) else { return snake(error.code.rawValue) }
        return snake(String(cString: text))
    }

    static func snake(_ s: String) -> String {
        var out = ""
        for c in s {
            if c.isUppercase { if !out.isEmpty && out.last != "_" { out.append("_") }; out.append(contentsOf: c.lowercased()) }
            else if c.isLetter || c.isNumber { out.append(c) } else if out.last != "_" { out.append("_") }
        }
        return out
    }
}
