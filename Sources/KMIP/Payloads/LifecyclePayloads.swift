/// The Unique Identifier most request payloads start with: absent means the batch's ID Placeholder
/// (KMIP 2.1 §6.1 "ID Placeholder").
extension TTLV {
    func optionalIdentifier() throws(KMIPCodecError) -> String? { try optionalText(.uniqueIdentifier) }
}

/// Activate (KMIP 2.1 §6.1.1).
public struct ActivateRequest: RequestPayload, Hashable {
    public static let operation = Operation.activate
    public var uniqueIdentifier: String?
    public init(uniqueIdentifier: String?) { self.uniqueIdentifier = uniqueIdentifier }
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) { uniqueIdentifier = try payload.optionalIdentifier() }
    public var target: String? { uniqueIdentifier }
}

/// Destroy (KMIP 2.1 §6.1.15).
public struct DestroyRequest: RequestPayload, Hashable {
    public static let operation = Operation.destroy
    public var uniqueIdentifier: String?
    public init(uniqueIdentifier: String?) { self.uniqueIdentifier = uniqueIdentifier }
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) { uniqueIdentifier = try payload.optionalIdentifier() }
    public var target: String? { uniqueIdentifier }
}

/// Revocation Reason (KMIP 2.1 §4.47).
public struct RevocationReason: Sendable, Hashable {
    public var code: RevocationReasonCode
    public var message: String?
    public init(code: RevocationReasonCode, message: String? = nil) { self.code = code; self.message = message }
    public init(ttlv t: TTLV) throws(KMIPCodecError) {
        code = try t.required(.revocationReasonCode, RevocationReasonCode.self)
        message = try t.optionalText(.revocationMessage)
    }
    public var ttlv: TTLV {
        var c = [TTLV(.revocationReasonCode, .enumeration(code.rawValue))]
        if let message { c.append(TTLV(.revocationMessage, .textString(message))) }
        return .structure(.revocationReason, c)
    }
}

/// Revoke (KMIP 2.1 §6.1.44).
public struct RevokeRequest: RequestPayload, Hashable {
    public static let operation = Operation.revoke
    public var uniqueIdentifier: String?
    public var reason: RevocationReason
    public var compromiseOccurrenceDate: Int64?
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        reason = try RevocationReason(ttlv: try payload.requiredStructure(.revocationReason))
        compromiseOccurrenceDate = try payload.optionalDate(.compromiseOccurrenceDate)
    }
    public var target: String? { uniqueIdentifier }
}

/// Check (KMIP 2.1 §6.1.7).
public struct CheckRequest: RequestPayload, Hashable {
    public static let operation = Operation.check
    public var uniqueIdentifier: String?
    public var usageLimitsCount: Int64?
    public var usageMask: UInt32?
    public var leaseTime: UInt32?
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        if let c = payload.first(.usageLimitsCount) {
            guard let v = c.int64 else { throw KMIPCodecError(.wrongType, "Usage Limits Count must be a Long Integer", tag: .usageLimitsCount) }
            guard v >= 0 else { throw KMIPCodecError(.invalidValue, "Usage Limits Count must not be negative", tag: .usageLimitsCount) }
            usageLimitsCount = v
        }
        usageMask = try payload.optionalInt(.cryptographicUsageMask).map { UInt32(bitPattern: $0) }
        leaseTime = try payload.optionalInterval(.leaseTime)
    }
    public var target: String? { uniqueIdentifier }
}

/// Obtain Lease (KMIP 2.1 §6.1.35).
public struct ObtainLeaseRequest: RequestPayload, Hashable {
    public static let operation = Operation.obtainLease
    public var uniqueIdentifier: String?
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) { uniqueIdentifier = try payload.optionalIdentifier() }
    public var target: String? { uniqueIdentifier }
}

public struct ObtainLeaseResponse: ResponsePayload, Hashable {
    public var uniqueIdentifier: String
    /// Seconds the client may use the object before it asks again; 0: no limit.
    public var leaseTime: UInt32
    public var lastChangeDate: Int64
    public init(_ uid: String, leaseTime: UInt32, lastChangeDate: Int64) {
        uniqueIdentifier = uid; self.leaseTime = leaseTime; self.lastChangeDate = lastChangeDate
    }
    public func payload(version: ProtocolVersion) -> TTLV {
        .structure(.responsePayload, [TTLV(.uniqueIdentifier, .textString(uniqueIdentifier)), TTLV(.leaseTime, .interval(leaseTime)),
                                      TTLV(.lastChangeDate, .dateTime(lastChangeDate))])
    }
    public var identifiers: [String] { [uniqueIdentifier] }
}

/// Get Usage Allocation (KMIP 2.1 §6.1.23): how many Usage Limits Units the client is about to use.
public struct GetUsageAllocationRequest: RequestPayload, Hashable {
    public static let operation = Operation.getUsageAllocation
    public var uniqueIdentifier: String?
    public var count: Int64
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        uniqueIdentifier = try payload.optionalIdentifier()
        guard let c = payload.first(.usageLimitsCount) else {
            throw KMIPCodecError(.missingField, "Usage Limits Count is required", tag: .usageLimitsCount)
        }
        guard let n = c.int64 ?? c.int32.map(Int64.init) else {
            throw KMIPCodecError(.wrongType, "Usage Limits Count must be a Long Integer", tag: .usageLimitsCount)
        }
        guard n > 0 else { throw KMIPCodecError(.invalidValue, "Usage Limits Count must be positive", tag: .usageLimitsCount) }
        count = n
    }
    public var target: String? { uniqueIdentifier }
}
