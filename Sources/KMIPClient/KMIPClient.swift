import KMIP
import KMIPTLS

/// A small typed client over `KMIPConnection`: one request per call, in the chosen protocol version.
/// Used by `kmip`, the load generator, the conformance runner and the tests.
public final class KMIPClient: Sendable {
    public let connection: KMIPConnection
    public let version: ProtocolVersion
    /// Sent in every request header (KMIP 2.1 §7.1 Authentication) when set.
    public let credential: UsernamePassword?

    public struct Failure: Error, CustomStringConvertible {
        public var operation: Operation
        public var reason: ResultReason?
        public var message: String?
        public var description: String { "\(operation) failed: \(reason?.description ?? "?"): \(message ?? "")" }
    }

    public init(connection: KMIPConnection, version: ProtocolVersion = .v1_4, credential: UsernamePassword? = nil) {
        self.connection = connection; self.version = version; self.credential = credential
    }

    public static func connect(host: String, port: Int, files: TLSContext.Files, version: ProtocolVersion = .v1_4) async throws -> KMIPClient {
        let tls = try TLSContext(server: false, files: files)
        return KMIPClient(connection: try await KMIPConnection.connect(host: host, port: port, tls: tls), version: version)
    }

    /// Sends one operation and returns its response payload, or throws the server's failure.
    @discardableResult
    public func call(_ operation: Operation, _ payload: [TTLV]) async throws -> TTLV {
        var header = RequestHeader(protocolVersion: version, batchCount: 1)
        header.authentication = credential?.authentication
        let request = RequestMessage(header: header,
                                     batchItems: [RequestBatchItem(operation: operation, payload: .structure(.requestPayload, payload))])
        let response = try await connection.send(request)
        guard let item = response.batchItems.first else { throw Failure(operation: operation, reason: nil, message: "empty response") }
        guard item.resultStatus == .success else { throw Failure(operation: operation, reason: item.resultReason, message: item.resultMessage) }
        return item.payload ?? .structure(.responsePayload, [])
    }

    /// Sends a request built from the payload types the server decodes with.
    @discardableResult
    public func send<R: EncodableRequest>(_ request: R) async throws -> TTLV {
        try await call(R.operation, request.payload(version: version).children)
    }

    /// One attribute list under `tag`, in this client's version's form (2.x Attributes-shaped, 1.x
    /// Template-Attribute-shaped).
    public func attributeList(_ attrs: [Attribute], tag: Tag) -> TTLV {
        version.isV2 ? .structure(tag, attrs.filter { $0.isDefined(in: version) }.map(\.v2)) : .structure(tag, attrs.map(\.v1))
    }

    /// Attributes in this client's version's wire form.
    public func attributeItems(_ attrs: [Attribute], tag: Tag = .templateAttribute) -> [TTLV] {
        version.isV2 ? AttributeList.encode(attrs, version: version) : [.structure(tag, attrs.map(\.v1))]
    }

    public func create(algorithm: CryptographicAlgorithm, length: Int32, usage: UInt32, name: String? = nil,
                       extra: [Attribute] = []) async throws -> String {
        var attrs = [Attribute(.cryptographicAlgorithm, .enumeration(algorithm.rawValue)),
                     Attribute(.cryptographicLength, .integer(length)),
                     Attribute(.cryptographicUsageMask, .integer(Int32(bitPattern: usage)))]
        if let name { attrs.append(Self.name(name)) }
        attrs += extra
        return try Self.uid(try await send(CreateRequest(objectType: .symmetricKey, attributes: attrs)))
    }

    public func locate(_ attrs: [Attribute], maxItems: Int32? = nil) async throws -> [String] {
        try await send(LocateRequest(filters: attrs, maximumItems: maxItems.map(Int.init))).all(.uniqueIdentifier).compactMap(\.text)
    }

    @discardableResult
    public func simple(_ op: Operation, uid: String, _ more: [TTLV] = []) async throws -> TTLV {
        try await call(op, [TTLV(.uniqueIdentifier, .textString(uid))] + more)
    }

    public func revoke(uid: String, reason: RevocationReasonCode = .cessationOfOperation) async throws {
        try await send(RevokeRequest(uniqueIdentifier: uid, reason: RevocationReason(code: reason)))
    }

    public static func name(_ n: String) -> Attribute {
        Attribute(.name, .structure([TTLV(.nameValue, .textString(n)),
                                                          TTLV(.nameType, .enumeration(NameType.uninterpretedTextString.rawValue))]))
    }

    static func uid(_ payload: TTLV) throws -> String {
        guard let u = payload.first(.uniqueIdentifier)?.text else { throw KMIPConnection.ClientError.malformedResponse("no Unique Identifier") }
        return u
    }
}
