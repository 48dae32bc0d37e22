/// A Response Message (KMIP 2.1 §8; 1.4 §7).
public struct ResponseMessage: Sendable, Hashable {
    public var header: ResponseHeader
    public var batchItems: [ResponseBatchItem]
    public init(header: ResponseHeader, batchItems: [ResponseBatchItem]) { self.header = header; self.batchItems = batchItems }
}

public struct ResponseHeader: Sendable, Hashable {
    public var protocolVersion: ProtocolVersion
    public var timeStamp: Int64
    public var batchCount: Int32
    public init(protocolVersion: ProtocolVersion, timeStamp: Int64, batchCount: Int32) {
        self.protocolVersion = protocolVersion; self.timeStamp = timeStamp; self.batchCount = batchCount
    }
}

public struct ResponseBatchItem: Sendable, Hashable {
    public var operation: Operation?
    public var uniqueBatchItemID: [UInt8]?
    public var resultStatus: ResultStatus
    public var resultReason: ResultReason?
    public var resultMessage: String?
    public var payload: TTLV?
    public init(operation: Operation?, uniqueBatchItemID: [UInt8]? = nil, resultStatus: ResultStatus,
                resultReason: ResultReason? = nil, resultMessage: String? = nil, payload: TTLV? = nil) {
        self.operation = operation; self.uniqueBatchItemID = uniqueBatchItemID; self.resultStatus = resultStatus
        self.resultReason = resultReason; self.resultMessage = resultMessage; self.payload = payload
    }
    public static func failure(_ op: Operation?, id: [UInt8]?, _ reason: ResultReason, _ message: String) -> Self {
        ResponseBatchItem(operation: op, uniqueBatchItemID: id, resultStatus: .operationFailed, resultReason: reason, resultMessage: message)
    }
}

extension ResponseMessage {
    public var ttlv: TTLV {
        let h = TTLV.structure(.responseHeader, [header.protocolVersion.ttlv(), TTLV(.timeStamp, .dateTime(header.timeStamp)),
                                                 TTLV(.batchCount, .integer(header.batchCount))])
        var children = [h]
        for item in batchItems {
            var c = [TTLV]()
            if let op = item.operation { c.append(TTLV(.operation, .enumeration(op.rawValue))) }
            if let id = item.uniqueBatchItemID { c.append(TTLV(.uniqueBatchItemID, .byteString(id))) }
            c.append(TTLV(.resultStatus, .enumeration(item.resultStatus.rawValue)))
            if let r = item.resultReason { c.append(TTLV(.resultReason, .enumeration(r.rawValue))) }
            if let m = item.resultMessage { c.append(TTLV(.resultMessage, .textString(m))) }
            if let p = item.payload { c.append(p) }
            children.append(.structure(.batchItem, c))
        }
        return .structure(.responseMessage, children)
    }

    public init(ttlv: TTLV) throws(KMIPCodecError) {
        guard ttlv.tag == .responseMessage else { throw KMIPCodecError(.invalidValue, "expected Response Message, got \(ttlv.tag)") }
        let h = try ttlv.required(.responseHeader)
        let header = ResponseHeader(protocolVersion: try ProtocolVersion(ttlv: try h.required(.protocolVersion)),
                                    timeStamp: h.first(.timeStamp)?.dateSeconds ?? 0, batchCount: try h.requiredInt(.batchCount))
        var items = [ResponseBatchItem]()
        for b in ttlv.all(.batchItem) {
            items.append(ResponseBatchItem(
                operation: try b.optionalEnum(.operation).map(Operation.init(rawValue:)),
                uniqueBatchItemID: b.first(.uniqueBatchItemID)?.bytes,
                resultStatus: ResultStatus(rawValue: try b.requiredEnum(.resultStatus)),
                resultReason: try b.optionalEnum(.resultReason).map(ResultReason.init(rawValue:)),
                resultMessage: try b.optionalText(.resultMessage),
                payload: b.first(.responsePayload)))
        }
        self.init(header: header, batchItems: items)
    }
}
