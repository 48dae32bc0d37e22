import NIOCore

/// Listener settings and the limits enforced before any work is done (ARCHITECTURE.md "Limits").
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var maxMessageSize: Int
    public var maxConnections: Int
    public var idleTimeout: TimeAmount
    public var handshakeTimeout: TimeAmount

    public init(host: String = "127.0.0.1", port: Int = 5696, maxMessageSize: Int = 1 << 20, maxConnections: Int = 1024,
                idleTimeout: TimeAmount = .seconds(300), handshakeTimeout: TimeAmount = .seconds(10)) {
        self.host = host; self.port = port; self.maxMessageSize = maxMessageSize; self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout; self.handshakeTimeout = handshakeTimeout
    }
}
