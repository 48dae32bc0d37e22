import CoreMetrics
import KMIP
import Logging

/// Runs one request message: version negotiation, batch rules (KMIP 2.1 §8, 1.4 §6), per-item
/// dispatch, and the Maximum Response Size check. The only place an `EngineError` becomes a Result
/// Reason.
public struct BatchExecutor: Sendable {
    /// Replaced as a whole by a reload (a new access policy); a request keeps the copy it started with.
    public var services: EngineServices
    let handlers: [Operation: any OperationHandler]
    public var limits: TTLVLimits
    public var maxBatchItems: Int

    public init(services: EngineServices, limits: TTLVLimits = TTLVLimits(), maxBatchItems: Int = 256) {
        self.services = services
        self.limits = limits
        self.maxBatchItems = maxBatchItems
        var h = [Operation: any OperationHandler]()
        for handler in Operations.all { h[type(of: handler).operation] = handler }
        self.handlers = h
    }

    public var supportedOperations: [Operation] { handlers.keys.sorted { $0.rawValue < $1.rawValue } }

    /// Bytes in, bytes out: an undecodable message still gets a framed error response. `requestID`
    /// (the server's, for one message) is written into the audit lines and log lines of the request.
    public func process(_ bytes: [UInt8], identity: String, now: Int64, requestID: String? = nil) async -> [UInt8] {
        let response: ResponseMessage
        do {
            let tree = try TTLVDecoder(limits: limits).decode(bytes)
            let request = try RequestMessage(ttlv: tree)
            response = await execute(request, identity: identity, now: now, requestID: requestID)
        } catch {
            // KMIP 2.1 §9.1 / 1.4 §11.1: a message the server cannot read gets Invalid Message.
            let version = Self.bestEffortVersion(bytes)
            response = Self.messageFailure(version: version, now: now, reason: .invalidMessage, message: error.description)
            OperationMetrics.record(operation: nil, reason: .invalidMessage, elapsed: .zero)
        }
        return TTLVEncoder.encode(response.ttlv)
    }

    /// A message in the XML or JSON encoding, read into a tree by the caller (or the reason it could
    /// not be): the answer as a tree, for the caller to write in the same encoding.
    public func process(tree: Result<TTLV, KMIPCodecError>, identity: String, now: Int64, requestID: String? = nil) async -> TTLV {
        let response: ResponseMessage
        do {
            let request = try RequestMessage(ttlv: try tree.get())
            response = await execute(request, identity: identity, now: now, requestID: requestID)
        } catch {
            let version = (try? tree.get()).map(Self.bestEffortVersion(tree:)) ?? .v1_0
            response = Self.messageFailure(version: version, now: now, reason: .invalidMessage, message: error.description)
            OperationMetrics.record(operation: nil, reason: .invalidMessage, elapsed: .zero)
        }
        return response.ttlv
    }

    /// The version a readable header asks for, when this server speaks it; else 1.0.
    static func bestEffortVersion(tree: TTLV) -> ProtocolVersion {
        guard let version = tree.first(.requestHeader)?.first(.protocolVersion),
              case .integer(let major)? = version.first(.protocolVersionMajor)?.value,
              case .integer(let minor)? = version.first(.protocolVersionMinor)?.value else { return .v1_0 }
        let v = ProtocolVersion(major, minor)
        return ProtocolVersion.supported.contains(v) ? v : .v1_0
    }

    public func execute(_ request: RequestMessage, identity: String, now: Int64, requestID: String? = nil) async -> ResponseMessage {
        let requested = request.header.protocolVersion
        guard let version = ProtocolVersion.supported.first(where: { $0 == requested }) else {
            let answerIn: ProtocolVersion = requested.major <= 1 ? .v1_4 : .v2_1
            let reason: ResultReason = answerIn.isV2 ? .unsupportedProtocolVersion : .invalidMessage
            return Self.messageFailure(version: answerIn, now: now, reason: reason, message: "protocol version \(requested) is not supported")
        }
        let items = request.batchItems
        guard Int(request.header.batchCount) == items.count, !items.isEmpty else {
            return Self.messageFailure(version: version, now: now, reason: .invalidMessage,
                                       message: "Batch Count \(request.header.batchCount) but \(items.count) batch items")
        }
        guard items.count <= maxBatchItems else {
            return Self.messageFailure(version: version, now: now, reason: .invalidMessage, message: "more than \(maxBatchItems) batch items")
        }
        let continuation = request.header.batchErrorContinuationOption ?? .stop
        if continuation == .undo {
            return Self.messageFailure(version: version, now: now, reason: .featureNotSupported,
                                       message: "Batch Error Continuation Option Undo is not supported; use Stop or Continue")
        }
        if items.count > 1, items.contains(where: { $0.uniqueBatchItemID == nil }) {
            return Self.messageFailure(version: version, now: now, reason: .invalidMessage,
                                       message: "every item of a batch of more than one needs a Unique Batch Item ID")
        }

        let actor: String
        do { actor = try await services.policy.requestIdentity(request.header, certificateSubject: identity) } catch {
            services.auditLog.record(AuditEntry(time: ISODate.format(now), identity: identity, operation: "Authentication",
                                                uniqueIdentifiers: [], result: "Operation Failed", reason: error.message,
                                                node: services.serverInfo.nodeName, requestID: requestID))
            OperationMetrics.record(operation: nil, reason: .authenticationNotSuccessful, elapsed: .zero)
            return Self.messageFailure(version: version, now: now, reason: .authenticationNotSuccessful, message: error.message)
        }
        let context = RequestContext(identity: actor, version: version, now: now, services: services)
        context.certificateSubject = identity
        context.requestID = requestID
        var out = [ResponseBatchItem]()
        let clock = ContinuousClock()
        for item in items {
            let started = clock.now
            let result = await run(item, context)
            OperationMetrics.record(operation: item.operation, reason: result.resultReason, elapsed: clock.now - started)
            audit(item, result, context)
            out.append(result)
            if result.resultStatus != .success && continuation == .stop { break }
        }
        var response = ResponseMessage(header: ResponseHeader(protocolVersion: version, timeStamp: now, batchCount: Int32(out.count)),
                                       batchItems: out)
        if let max = request.header.maximumResponseSize, max > 0, TTLVEncoder.encode(response.ttlv).count > Int(max) {
            response.batchItems = out.map {
                .failure($0.operation, id: $0.uniqueBatchItemID, .responseTooLarge, "response exceeds Maximum Response Size \(max)")
            }
        }
        return response
    }

    private func run(_ item: RequestBatchItem, _ context: RequestContext) async -> ResponseBatchItem {
        guard let handler = handlers[item.operation] else {
            return .failure(item.operation, id: item.uniqueBatchItemID, .operationNotSupported, "operation \(item.operation) is not supported")
        }
        if let since = item.operation.since, since > context.version {
            return .failure(item.operation, id: item.uniqueBatchItemID, .operationNotSupported,
                            "operation \(item.operation) is not defined in KMIP \(context.version)")
        }
        context.operation = item.operation
        do {
            let payload = try context.references.resolve(item.payload, idPlaceholder: context.idPlaceholder, version: context.version)
            let request = try handler.decode(payload, context.version)
            context.requestIdentifiers = request.identifiers
            let response: any ResponsePayload
            // Operations that change the object they name run one at a time per object, however it is
            // named: Unique Identifier, Private Key Unique Identifier or the batch's ID Placeholder.
            if Self.changesObject.contains(item.operation), let uid = request.target ?? context.idPlaceholder {
                response = try await services.locks.withLock(uid) { () async throws(EngineError) -> any ResponsePayload in
                    try await handler.run(request, context)
                }
            } else {
                response = try await handler.run(request, context)
            }
            context.responseIdentifiers = response.identifiers
            if context.version.isV2 { context.references.record(item.operation, response.identifiers) }  // 1.x has no references
            let answer = Self.definedFields(response.payload(version: context.version), in: context.version)
            return ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID, resultStatus: .success, payload: answer)
        } catch {
            if error.code == .tokenUnavailable || error.code == .storeFailure || error.code == .generalFailure {
                services.audit.error("operation failed", metadata: ["operation": "\(item.operation)", "error": "\(error)",
                                                                    "request": "\(context.requestID ?? "-")"])
            }
            var reason = error.resultReason(for: context.version)
            // Never answer with a reason the client's version does not define.
            if let since = reason.since, since > context.version { reason = .generalFailure }
            return .failure(item.operation, id: item.uniqueBatchItemID, reason, error.message)
        }
    }

    /// A response carries only fields the client's version defines (a 1.2 client cannot parse a 1.4
    /// Authenticated Encryption Tag, for example).
    static func definedFields(_ t: TTLV, in version: ProtocolVersion) -> TTLV {
        guard case .structure(let children) = t.value else { return t }
        let kept = children.filter { c in c.tag.since.map { $0 <= version } ?? true }.map { definedFields($0, in: version) }
        return TTLV(t.tag, .structure(kept))
    }

    /// Operations that read, change and write the object their Unique Identifier names.
    static let changesObject: Set<Operation> = [
        .addAttribute, .modifyAttribute, .deleteAttribute, .setAttribute, .activate, .revoke, .destroy,
        .reKey, .reKeyKeyPair, .reCertify, .certify, .deriveKey, .import,
    ]

    /// Writes the audit line for one batch item: identifiers named in the request and the response.
    func audit(_ item: RequestBatchItem, _ result: ResponseBatchItem, _ context: RequestContext) {
        var uids = context.requestIdentifiers
        for u in context.responseIdentifiers where !uids.contains(u) { uids.append(u) }
        let message = context.auditMessage
        context.requestIdentifiers = []
        context.responseIdentifiers = []
        context.auditMessage = nil
        services.auditLog.record(AuditEntry(time: ISODate.format(context.now), identity: context.identity, operation: item.operation.name,
                                            uniqueIdentifiers: uids, result: result.resultStatus.name, reason: result.resultReason?.name,
                                            certificate: context.certificateSubject == context.identity ? nil : context.certificateSubject,
                                            node: services.serverInfo.nodeName, requestID: context.requestID, message: message))
    }

    static func messageFailure(version: ProtocolVersion, now: Int64, reason: ResultReason, message: String) -> ResponseMessage {
        ResponseMessage(header: ResponseHeader(protocolVersion: version, timeStamp: now, batchCount: 1),
                        batchItems: [.failure(nil, id: nil, reason, message)])
    }

    /// The version to answer an unreadable message in: its own if the header is readable, else 1.0
    /// (the lowest, which every client parses).
    static func bestEffortVersion(_ bytes: [UInt8]) -> ProtocolVersion {
        // RequestMessage(8) RequestHeader(8) ProtocolVersion(8) Major(16) Minor(16)
        guard bytes.count >= 64, bytes[0...2] == [0x42, 0x00, 0x78] else { return .v1_0 }
        let major = Int32(bytes[36]) << 24 | Int32(bytes[37]) << 16 | Int32(bytes[38]) << 8 | Int32(bytes[39])
        let minor = Int32(bytes[52]) << 24 | Int32(bytes[53]) << 16 | Int32(bytes[54]) << 8 | Int32(bytes[55])
        let v = ProtocolVersion(major, minor)
        return ProtocolVersion.supported.contains(v) ? v : .v1_0
    }
}
