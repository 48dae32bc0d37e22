/// A decoded Request Message (KMIP 2.1 §8; 1.4 §7): header and batch items, payloads left as TTLV so
/// each operation's handler reads its own payload.
public struct RequestMessage: Sendable, Hashable {
    public var header: RequestHeader
    public var batchItems: [RequestBatchItem]
    public init(header: RequestHeader, batchItems: [RequestBatchItem]) { self.header = header; self.batchItems = batchItems }
}

/// Request Header (KMIP 2.1 §8.2 / 1.4 §7.2).
public struct RequestHeader: Sendable, Hashable {
    public var protocolVersion: ProtocolVersion
    public var maximumResponseSize: Int32?
    public var asynchronousIndicator: Bool?
    public var batchErrorContinuationOption: BatchErrorContinuation?
    public var batchOrderOption: Bool?
    public var timeStamp: Int64?
    /// The Authentication structure as sent (KMIP 2.1 §7.1; 1.4 §6.6): read by `usernameAndPassword`.
    public var authentication: TTLV?
    public var batchCount: Int32
    public init(protocolVersion: ProtocolVersion, batchCount: Int32, maximumResponseSize: Int32? = nil,
                batchErrorContinuationOption: BatchErrorContinuation? = nil) {
        self.protocolVersion = protocolVersion; self.batchCount = batchCount
        self.maximumResponseSize = maximumResponseSize; self.batchErrorContinuationOption = batchErrorContinuationOption
    }
}

/// One Batch Item of a request.
public struct RequestBatchItem: Sendable, Hashable {
    public var operation: Operation
    public var uniqueBatchItemID: [UInt8]?
    /// The Request Payload structure (empty structure when absent).
    public var payload: TTLV
    public init(operation: Operation, uniqueBatchItemID: [UInt8]? = nil, payload: TTLV) {
        self.operation = operation; self.uniqueBatchItemID = uniqueBatchItemID; self.payload = payload
    }
}

extension ProtocolVersion {
    public init(ttlv: TTLV) throws(KMIPCodecError) {
        self.init(try ttlv.requiredInt(.protocolVersionMajor), try ttlv.requiredInt(.protocolVersionMinor))
    }
    public func ttlv(_ tag: Tag = .protocolVersion) -> TTLV {
        .structure(tag, [TTLV(.protocolVersionMajor, .integer(major)), TTLV(.protocolVersionMinor, .integer(minor))])
    }
}

extension RequestMessage {
    /// Reads a Request Message from its TTLV tree; shape errors carry the offending tag.
    public init(ttlv: TTLV) throws(KMIPCodecError) {
        guard ttlv.tag == .requestMessage, ttlv.itemType == .structure else {
            throw KMIPCodecError(.invalidValue, "expected Request Message, got \(ttlv.tag)", tag: ttlv.tag)
        }
        let h = try ttlv.required(.requestHeader)
        var header = RequestHeader(protocolVersion: try ProtocolVersion(ttlv: try h.required(.protocolVersion)),
                                   batchCount: try h.requiredInt(.batchCount))
        header.maximumResponseSize = try h.optionalInt(.maximumResponseSize)
        header.asynchronousIndicator = try h.optionalBool(.asynchronousIndicator)
        header.batchOrderOption = try h.optionalBool(.batchOrderOption)
        header.batchErrorContinuationOption = try h.optionalEnum(.batchErrorContinuationOption).map(BatchErrorContinuation.init(rawValue:))
        header.timeStamp = h.first(.timeStamp)?.dateSeconds
        header.authentication = h.first(.authentication)
        var items = [RequestBatchItem]()
        for b in ttlv.all(.batchItem) {
            let op = Operation(rawValue: try b.requiredEnum(.operation))
            let id = b.first(.uniqueBatchItemID)?.bytes
            let payload = b.first(.requestPayload) ?? .structure(.requestPayload, [])
            items.append(RequestBatchItem(operation: op, uniqueBatchItemID: id, payload: payload))
        }
        self.init(header: header, batchItems: items)
    }

    public var ttlv: TTLV {
        var h: [TTLV] = [header.protocolVersion.ttlv()]
        if let m = header.maximumResponseSize { h.append(TTLV(.maximumResponseSize, .integer(m))) }
        if let a = header.asynchronousIndicator { h.append(TTLV(.asynchronousIndicator, .boolean(a))) }
        if let a = header.authentication { h.append(a) }
        if let b = header.batchErrorContinuationOption { h.append(TTLV(.batchErrorContinuationOption, .enumeration(b.rawValue))) }
        if let o = header.batchOrderOption { h.append(TTLV(.batchOrderOption, .boolean(o))) }
        if let t = header.timeStamp { h.append(TTLV(.timeStamp, .dateTime(t))) }
        h.append(TTLV(.batchCount, .integer(header.batchCount)))
        var children = [TTLV.structure(.requestHeader, h)]
        for item in batchItems {
            var c = [TTLV(.operation, .enumeration(item.operation.rawValue))]
            if let id = item.uniqueBatchItemID { c.append(TTLV(.uniqueBatchItemID, .byteString(id))) }
            c.append(item.payload)
            children.append(.structure(.batchItem, c))
        }
        return .structure(.requestMessage, children)
    }
}
