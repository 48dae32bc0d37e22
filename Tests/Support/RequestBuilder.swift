import KMIP
import KMIPEngine

/// Builds requests the way clients send them, for handler tests.
public enum Req {
    public static func message(_ version: ProtocolVersion = .v1_4, _ items: [(Operation, [TTLV])], continuation: BatchErrorContinuation? = nil) -> RequestMessage {
        let batch = items.enumerated().map { i, item in
            RequestBatchItem(operation: item.0, uniqueBatchItemID: items.count > 1 ? [UInt8(i)] : nil,
                             payload: .structure(.requestPayload, item.1))
        }
        return RequestMessage(header: RequestHeader(protocolVersion: version, batchCount: Int32(batch.count),
                                                    batchErrorContinuationOption: continuation), batchItems: batch)
    }

    public static func attr(_ name: String, _ value: TTLV.Value) -> Attribute {
        Attribute(name: name, value: TTLV(Tag(named: name) ?? .attributeValue, value))
    }
    public static func name(_ n: String) -> Attribute {
        Attribute(name: "Name", value: .structure(.name, [TTLV(.nameValue, .textString(n)),
                                                          TTLV(.nameType, .enumeration(NameType.uninterpretedTextString.rawValue))]))
    }

    public static func attributes(_ attrs: [Attribute], _ version: ProtocolVersion) -> [TTLV] {
        version.isV2 ? AttributeList.encode(attrs, version: version) : [.structure(.templateAttribute, attrs.map(\.v1))]
    }

    public static func createAES(_ bits: Int32 = 256, name: String? = nil, extra: [Attribute] = [], _ version: ProtocolVersion = .v1_4) -> (Operation, [TTLV]) {
        var attrs = [attr("Cryptographic Algorithm", .enumeration(CryptographicAlgorithm.aes.rawValue)),
                     attr("Cryptographic Length", .integer(bits)),
                     attr("Cryptographic Usage Mask", .integer(Int32(CryptographicUsageMaskBits([.encrypt, .decrypt]).rawValue)))]
        if let name { attrs.append(self.name(name)) }
        attrs += extra
        return (.create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue))] + attributes(attrs, version))
    }

    public static func uid(_ op: Operation, _ uid: String, _ more: [TTLV] = []) -> (Operation, [TTLV]) {
        (op, [TTLV(.uniqueIdentifier, .textString(uid))] + more)
    }
}

extension ResponseMessage {
    public var first: ResponseBatchItem { batchItems[0] }
}
extension ResponseBatchItem {
    public var uid: String? { payload?.first(.uniqueIdentifier)?.text }
}
