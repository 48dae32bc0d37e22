import KMIP
import Logging

/// What a handler may use while it serves one batch item. Batch state (the ID Placeholder) lives here,
/// per request, never on the shared engine.
public final class RequestContext: @unchecked Sendable {
    public let identity: String
    public let version: ProtocolVersion
    public let now: Int64
    public let services: EngineServices
    /// ID Placeholder (KMIP 2.1 §6.1 "ID Placeholder"): set by operations that create or find one
    /// object, used by later items of the same batch that omit the Unique Identifier.
    /// Only the batch's own task touches it (items run in order), hence @unchecked.
    public var idPlaceholder: String?
    /// The TLS client's certificate subject, when a credential made `identity` something else.
    public var certificateSubject: String?
    /// The server's id of the message being served (log and audit lines).
    public var requestID: String?
    /// The operation of the batch item being served (what a grant must name).
    public var operation: Operation?
    /// What the batch item's request and response named, for its audit line.
    var requestIdentifiers: [String] = []
    var responseIdentifiers: [String] = []
    /// A Log operation's message, for its audit line.
    var auditMessage: String?
    /// Earlier items' identifiers, for 2.x Enumeration and Integer Unique Identifiers.
    var references = IdentifierReferences()
    /// Import's supplied values of attributes the server otherwise sets (State, Initial Date, Digest, …):
    /// they replace what a Register would set (KMIP 2.1 §6.1.25). Set by the Import handler for the one
    /// Register it runs, empty otherwise.
    var importedServerAttributes: [Attribute] = []

    init(identity: String, version: ProtocolVersion, now: Int64, services: EngineServices) {
        self.identity = identity; self.version = version; self.now = now; self.services = services
    }

    /// The Unique Identifier a request names, or the ID Placeholder when it names none.
    public func uid(_ named: String?) throws(EngineError) -> String {
        if let named { return named }
        guard let p = idPlaceholder else { throw EngineError(.invalidField, "no Unique Identifier and no ID Placeholder") }
        return p
    }

    /// The one access choke point: every handler fetches objects through here. Another owner's object
    /// looks missing; the refusal is written to the audit log.
    public func fetch(_ uid: String) async throws(EngineError) -> ManagedObject {
        guard var object = try await services.store.fetch(uid: uid) else {
            throw EngineError(.itemNotFound, "no object \(uid)")
        }
        guard services.policy.mayAccess(object, identity: identity, operation: operation) else {
            services.audit.warning("access refused", metadata: ["uid": "\(uid)", "identity": "\(identity)", "request": "\(requestID ?? "-")"])
            throw EngineError(.itemNotFound, "no object \(uid)")
        }
        // A date that passed moves the state: a narrow update of the state column (never a whole-object
        // write, which could undo a concurrent change; locked handlers call this too).
        if Lifecycle.advance(&object, now: now) { try await services.store.advanceStates(now: now) }
        return object
    }

    /// Saves a change made by a client, stamping Last Change Date (KMIP 2.1 §4.29).
    public func saveChange(_ object: ManagedObject) async throws(EngineError) {
        var o = object
        o.set(.lastChangeDate, .dateTime(now))
        try await services.store.save(o)
    }
}

/// The long-lived collaborators every handler shares.
public struct EngineServices: Sendable {
    public var store: any ObjectStore
    public var token: any Token
    public var policy: AccessPolicy
    public var defaults: ServerDefaults
    public var serverInfo: ServerInfo
    public var audit: Logger
    public var streams: StreamRegistry
    /// One JSON line per operation: who, what, which objects, the result.
    public var auditLog: any AuditSink
    /// Serialises changes to one object.
    public var locks = ObjectLocks()
    public init(store: any ObjectStore, token: any Token, policy: AccessPolicy, defaults: ServerDefaults = ServerDefaults(),
                serverInfo: ServerInfo = ServerInfo(),
                audit: Logger = Logger(label: "kmipd.audit"), streams: StreamRegistry = StreamRegistry(),
                auditLog: any AuditSink = NoAudit()) {
        self.store = store; self.token = token; self.policy = policy; self.defaults = defaults; self.serverInfo = serverInfo; self.audit = audit
        self.streams = streams; self.auditLog = auditLog
    }
}

/// Answers to Query's Server Information (KMIP 2.1 §6.1.40).
public struct ServerInfo: Sendable {
    public var vendorIdentification = "kmipd"
    public var productName = "kmipd"
    public var productVersion = "0.1.0"
    public var tokenDescription = ""
    /// This node's name in a cluster (configuration `node`, else the host name); nil for one node.
    public var nodeName: String?
    public init() {}
}
