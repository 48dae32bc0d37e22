import COpenSSL
import CTLSTokenKey
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// TLS over two memory BIOs inside a NIO pipeline: ciphertext from the socket goes into the read BIO,
/// OpenSSL's output is drained from the write BIO to the socket. States: idle ─► handshaking ─►
/// active ─► closing ─► closed. The SSL object lives on this channel's event loop only.
public final class OpenSSLHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    enum Phase { case idle, handshaking, active, closing, closed }

    private let context: TLSContext
    private let handshakeTimeout: TimeAmount
    private let recordTimeout: TimeAmount?
    private var recordDeadline: Scheduled<Void>?
    private var ssl: OpaquePointer?
    private var readBIO: OpaquePointer?
    private var writeBIO: OpaquePointer?
    private var phase = Phase.idle
    private var pending: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var timeout: Scheduled<Void>?
    /// With the key in the token: the handshake's pending private-key operation (see `TokenTLSKey`).
    private var keyWaiter: AsyncKeyWaiter?
    private var channelContext: ChannelHandlerContext?
    /// The verified peer, set once the handshake is done; readable from any thread.
    public let peerBox = PeerBox()
    public var peer: PeerIdentity? { peerBox.value }

    /// `recordTimeout`: once part of a TLS record has arrived, the rest must follow within it (a
    /// client trickling a record byte by byte would otherwise hold the connection; slowloris).
    public init(context: TLSContext, handshakeTimeout: TimeAmount = .seconds(10), recordTimeout: TimeAmount? = nil) {
        self.context = context
        self.handshakeTimeout = handshakeTimeout
        self.recordTimeout = recordTimeout
    }

    // MARK: Lifecycle

    public func handlerAdded(context ctx: ChannelHandlerContext) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.ctx), let r = BIO_new(BIO_s_mem()), let w = BIO_new(BIO_s_mem()) else {
            ctx.fireErrorCaught(TLSError.drain(.configuration, "SSL_new")); ctx.close(promise: nil); return
        }
        // An empty read BIO means "wait for more", not end of file.
        kmipd_BIO_set_mem_eof_return(r, -1)
        kmipd_BIO_set_mem_eof_return(w, -1)
        SSL_set_bio(ssl, r, w)
        if context.isServer { SSL_set_accept_state(ssl) } else { SSL_set_connect_state(ssl) }
        self.ssl = ssl; readBIO = r; writeBIO = w
        if context.keyInToken {
            // The handshake runs in an ASYNC job that pauses while the token signs; the answer brings
            // the handshake back onto this channel's event loop.
            kmipd_ssl_set_async(ssl, 1)
            channelContext = ctx
            let loop = ctx.eventLoop
            let handler = NIOLoopBound(WeakHandler(self), eventLoop: loop)
            keyWaiter = AsyncKeyWaiter { loop.execute { handler.value.handler?.resumeHandshake() } }
        }
        if ctx.channel.isActive { start(ctx) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) { free() }

    public func channelActive(context ctx: ChannelHandlerContext) {
        start(ctx)
        ctx.fireChannelActive()
    }

    public func channelInactive(context ctx: ChannelHandlerContext) {
        phase = .closed
        timeout?.cancel()
        recordDeadline?.cancel()
        failPending(ChannelError.ioOnClosedChannel)
        ctx.fireChannelInactive()
    }

    private func start(_ ctx: ChannelHandlerContext) {
        guard phase == .idle else { return }
        phase = .handshaking
        timeout = ctx.eventLoop.scheduleTask(in: handshakeTimeout) { [weak self] in
            guard let self, self.phase == .handshaking else { return }
            ctx.fireErrorCaught(TLSError(.handshakeTimeout, "no TLS handshake within \(self.handshakeTimeout)"))
            self.phase = .closed
            ctx.close(promise: nil)
        }
        if !context.isServer { handshake(ctx) }
    }

    private func free() {
        // A handshake paused in its ASYNC job is run to its end (the key operation fails at once) so the
        // job and its stack are released with the connection.
        if let ssl, let w = keyWaiter, w.isPending {
            w.abandon()
            withWaiter { _ = SSL_do_handshake(ssl) }
            ERR_clear_error()
        }
        channelContext = nil
        if let ssl { SSL_free(ssl) }  // frees both BIOs too
        ssl = nil; readBIO = nil; writeBIO = nil
    }

    // MARK: Inbound

    public func channelRead(context ctx: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let r = readBIO, phase != .closed else { return }
        buffer.withUnsafeReadableBytes { p in
            if let base = p.baseAddress, p.count > 0 { _ = BIO_write(r, base, Int32(p.count)) }
        }
        if phase == .handshaking { handshake(ctx) }
        if phase == .active || phase == .closing { readPlaintext(ctx) }
    }

    private func handshake(_ ctx: ChannelHandlerContext) {
        guard let ssl else { return }
        ERR_clear_error()
        let rc = withWaiter { SSL_do_handshake(ssl) }
        if rc == 1 {
            if keyWaiter != nil { kmipd_ssl_set_async(ssl, 0) }  // reads and writes need no job
            flushCiphertext(ctx)
            freshBIOs()
            phase = .active
            timeout?.cancel()
            peerBox.set(PeerIdentity(ssl: ssl))
            ctx.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(peer: peer))
            writePending(ctx)
            return
        }
        let err = SSL_get_error(ssl, rc)
        if err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE || err == kmipd_ssl_error_want_async() {
            flushCiphertext(ctx)
            return
        }
        let error = TLSError.drain(.handshake, "TLS handshake failed (SSL_get_error \(err))")
        fail(ctx, error)
    }

    /// The token answered: the paused handshake goes on (on this channel's event loop).
    fileprivate func resumeHandshake() {
        guard phase == .handshaking, let ctx = channelContext else { return }
        handshake(ctx)
    }

    /// Runs `body` with this connection's key waiter set for the thread (the token key finds it there).
    private func withWaiter<T>(_ body: () -> T) -> T {
        guard let w = keyWaiter else { return body() }
        kmipd_token_key_set_waiter(Unmanaged.passUnretained(w).toOpaque())
        defer { kmipd_token_key_set_waiter(nil) }
        return body()
    }

    /// Memory BIOs keep the capacity of the largest flight they held (certificate chains, kilobytes
    /// per connection); after the handshake they are replaced by empty ones, carrying over any
    /// ciphertext not read yet (the write BIO was just drained).
    private func freshBIOs() {
        guard let ssl, let old = readBIO, let r = BIO_new(BIO_s_mem()), let w = BIO_new(BIO_s_mem()) else { return }
        let n = Int(kmipd_BIO_ctrl_pending(old))
        if n > 0 {
            var carry = [UInt8](repeating: 0, count: n)
            _ = BIO_read(old, &carry, Int32(n))
            _ = BIO_write(r, carry, Int32(n))
        }
        kmipd_BIO_set_mem_eof_return(r, -1)
        kmipd_BIO_set_mem_eof_return(w, -1)
        SSL_set_bio(ssl, r, w)  // frees the old pair
        readBIO = r; writeBIO = w
    }

    private func readPlaintext(_ ctx: ChannelHandlerContext) {
        guard let ssl else { return }
        var produced = false
        while true {
            var out = ctx.channel.allocator.buffer(capacity: 16_384)
            ERR_clear_error()
            let n = out.writeWithUnsafeMutableBytes(minimumWritableBytes: 16_384) { p in
                Int(max(0, SSL_read(ssl, p.baseAddress, Int32(p.count))))
            }
            if n > 0 {
                produced = true
                ctx.fireChannelRead(wrapInboundOut(out))
                continue
            }
            let err = SSL_get_error(ssl, 0)
            if err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_NONE { break }
            if err == SSL_ERROR_ZERO_RETURN {
                // The peer sent close_notify: answer with ours and close.
                close(ctx, promise: nil)
                break
            }
            fail(ctx, TLSError.drain(.io, "SSL_read failed (SSL_get_error \(err))"))
            break
        }
        flushCiphertext(ctx)  // TLS 1.3 tickets, alerts
        watchPartialRecord(ctx)
        if produced { ctx.fireChannelReadComplete() }
    }

    /// OpenSSL holding bytes it could not yet return means a record is incomplete: start its clock.
    private func watchPartialRecord(_ ctx: ChannelHandlerContext) {
        guard let recordTimeout, let ssl, phase == .active else { return }
        if SSL_has_pending(ssl) == 0 {
            recordDeadline?.cancel()
            recordDeadline = nil
        } else if recordDeadline == nil {
            recordDeadline = ctx.eventLoop.scheduleTask(in: recordTimeout) { [weak self] in
                guard let self, self.phase == .active else { return }
                ctx.fireErrorCaught(TLSError(.recordTimeout, "TLS record incomplete after \(recordTimeout)"))
                self.phase = .closed
                ctx.close(promise: nil)
            }
        }
    }

    // MARK: Outbound

    public func write(context ctx: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        switch phase {
        case .active: encrypt(ctx, buffer, promise)
        case .idle, .handshaking: pending.append((buffer, promise))
        case .closing, .closed: promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context ctx: ChannelHandlerContext) { ctx.flush() }

    private func writePending(_ ctx: ChannelHandlerContext) {
        let queued = pending
        pending.removeAll()
        for (b, p) in queued { encrypt(ctx, b, p) }
        ctx.flush()
    }

    private func encrypt(_ ctx: ChannelHandlerContext, _ buffer: ByteBuffer, _ promise: EventLoopPromise<Void>?) {
        guard let ssl else { promise?.fail(ChannelError.ioOnClosedChannel); return }
        var remaining = buffer
        while remaining.readableBytes > 0 {
            ERR_clear_error()
            let n = remaining.withUnsafeReadableBytes { p in SSL_write(ssl, p.baseAddress, Int32(p.count)) }
            if n > 0 { remaining.moveReaderIndex(forwardBy: Int(n)); continue }
            let error = TLSError.drain(.io, "SSL_write failed (SSL_get_error \(SSL_get_error(ssl, n)))")
            promise?.fail(error)
            fail(ctx, error)
            return
        }
        flushCiphertext(ctx, promise: promise)
    }

    /// Moves everything OpenSSL wrote into the write BIO to the socket.
    private func flushCiphertext(_ ctx: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        guard let w = writeBIO else { promise?.fail(ChannelError.ioOnClosedChannel); return }
        let pendingBytes = Int(kmipd_BIO_ctrl_pending(w))
        guard pendingBytes > 0 else { promise?.succeed(()); return }
        var out = ctx.channel.allocator.buffer(capacity: pendingBytes)
        _ = out.writeWithUnsafeMutableBytes(minimumWritableBytes: pendingBytes) { p in
            Int(max(0, BIO_read(w, p.baseAddress, Int32(pendingBytes))))
        }
        ctx.writeAndFlush(wrapOutboundOut(out), promise: promise)
    }

    // MARK: Closing

    public func close(context ctx: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        close(ctx, promise: promise)
    }

    private func close(_ ctx: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard phase != .closed, phase != .closing else { ctx.close(promise: promise); return }
        let wasActive = phase == .active
        phase = .closing
        timeout?.cancel()
        if wasActive, let ssl {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)  // queue close_notify
            ERR_clear_error()
        }
        // Close only after the close_notify (or alert) has been written.
        let written = ctx.eventLoop.makePromise(of: Void.self)
        flushCiphertext(ctx, promise: written)
        written.futureResult.whenComplete { _ in
            self.phase = .closed
            ctx.close(promise: promise)
        }
    }

    private func fail(_ ctx: ChannelHandlerContext, _ error: TLSError) {
        guard phase != .closed && phase != .closing else { return }
        failPending(error)
        ctx.fireErrorCaught(error)
        // Write whatever alert OpenSSL produced, then close.
        phase = .closing
        timeout?.cancel()
        let written = ctx.eventLoop.makePromise(of: Void.self)
        flushCiphertext(ctx, promise: written)
        written.futureResult.whenComplete { _ in
            self.phase = .closed
            ctx.close(promise: nil)
        }
    }

    private func failPending(_ error: any Error) {
        let queued = pending
        pending.removeAll()
        for (_, p) in queued { p?.fail(error) }
    }
}

/// Raised through the pipeline when the handshake completes.
public enum TLSEvent: Sendable {
    case handshakeCompleted(peer: PeerIdentity?)
}

/// Where a connection's verified identity is published for the task that serves it.
public final class PeerBox: Sendable {
    private let box = Mutex<PeerIdentity?>(nil)
    public init() {}
    public var value: PeerIdentity? { box.withLock { $0 } }
    func set(_ p: PeerIdentity?) { box.withLock { $0 = p } }
}

/// A weak reference to the handler, for the token's answer to find it if the connection still exists.
final class WeakHandler {
    weak var handler: OpenSSLHandler?
    init(_ handler: OpenSSLHandler) { self.handler = handler }
}
