import NIOCore

/// Listener settings and the limits enforced before any work is done (nothing is buffered or computed past them).
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var maxMessageSize: Int
    /// Authenticated connections (TLS handshake done) at once.
    public var maxConnections: Int
    /// Connections still in their TLS handshake at once; the oldest is closed to admit a new one.
    public var maxHandshakes: Int
    /// A connection that sends nothing for this long is closed (KMIP clients keep connections open).
    public var idleTimeout: TimeAmount
    public var handshakeTimeout: TimeAmount
    /// A request (or TLS record) that has started to arrive must be complete within this time, so
    /// clients that trickle bytes (slowloris) cannot hold connections.
    public var messageTimeout: TimeAmount
    /// Whole requests read ahead of the one being processed on a connection; beyond it the server
    /// stops reading that connection (TCP back-pressure) until it catches up.
    public var maxPendingRequests: Int
    /// On SIGTERM: how long to keep listening after readiness went false (so a load balancer stops
    /// sending new connections), then how long in-flight requests may take before they are cut.
    public var drainDelay: Duration = .zero
    public var drainTimeout: Duration = .seconds(30)

    public init(host: String = "127.0.0.1", port: Int = 5696, maxMessageSize: Int = 1 << 20, maxConnections: Int = 1024,
                idleTimeout: TimeAmount = .seconds(300), handshakeTimeout: TimeAmount = .seconds(10),
                messageTimeout: TimeAmount = .seconds(30), maxPendingRequests: Int = 8, maxHandshakes: Int = 256) {
        self.host = host; self.port = port; self.maxMessageSize = maxMessageSize; self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout; self.handshakeTimeout = handshakeTimeout
        self.messageTimeout = messageTimeout; self.maxPendingRequests = maxPendingRequests
        self.maxHandshakes = maxHandshakes
    }
}
