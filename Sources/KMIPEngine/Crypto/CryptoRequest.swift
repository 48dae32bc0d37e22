import KMIP

/// What every cryptographic operation reads first (KMIP 2.1 §6.1.17 Encrypt and its siblings): the
/// key, its Cryptographic Parameters (the request's, else the object's), the data, and the policy
/// check — usage mask, state and dates — that decides whether the token is asked at all.
struct CryptoRequest {
    var object: ManagedObject
    var parameters: CryptographicParameters
    var data: [UInt8]?

    enum Use { case protect, process }

    static func read(_ payload: some CryptographicRequest, _ context: RequestContext, need: CryptographicUsageMaskBits, use: Use,
                     streaming: Bool = false) async throws(EngineError) -> CryptoRequest {
        if !streaming, payload.stream.mentionsStreaming {
            throw EngineError(.featureNotSupported, "streaming is supported for Encrypt, Decrypt, Sign, Signature Verify and MAC")
        }
        let uid = try context.uid(payload.uniqueIdentifier)
        let object = try await context.fetch(uid)
        guard !Lifecycle.isDestroyed(object.state) else { throw EngineError(.objectDestroyed, "object \(uid) is destroyed") }
        guard object.keyValueUsable else { throw EngineError(.keyValueNotPresent, "object \(uid) cannot be used: \(object.unusableValueReason)") }
        switch use {
        case .protect where !Lifecycle.mayProtect(object, now: context.now):
            throw EngineError(.wrongKeyLifecycleState, "object \(uid) is \(Lifecycle.effectiveState(object, now: context.now)) or past its Protect Stop Date: it may not protect")
        case .process where !Lifecycle.mayProcess(object, now: context.now):
            throw EngineError(.wrongKeyLifecycleState, "object \(uid) is \(Lifecycle.effectiveState(object, now: context.now)) or before its Process Start Date: it may not process")
        default: break
        }
        guard need.rawValue & ~object.usageMask == 0 else {
            throw EngineError(.incompatibleUsageMask, "object \(uid)'s Cryptographic Usage Mask does not allow this operation")
        }
        let params = try CryptographicParameters.given(payload.cryptographicParameters, orStoredOn: object)
        context.idPlaceholder = uid
        return CryptoRequest(object: object, parameters: params, data: payload.data)
    }

    var algorithm: CryptographicAlgorithm {
        parameters.algorithm ?? CryptographicAlgorithm(rawValue: object.first(.cryptographicAlgorithm)?.value.enumValue ?? 0)
    }

    /// Usage Limits (KMIP 2.1 §4.59): counts what protect operations use, refusing what would exceed
    /// the total. The count is saved before the token is asked, so a crash never gives extra uses.
    func consumeUsage(_ bytes: Int, _ context: RequestContext) async throws(EngineError) {
        guard object.first(.usageLimits) != nil else { return }
        // Count under the object's lock, from the stored value, so parallel requests cannot overspend.
        try await context.services.locks.withLock(object.uid) { () async throws(EngineError) in
            guard let current = try await context.services.store.fetch(uid: object.uid) else {
                throw EngineError(.itemNotFound, "object \(object.uid) is gone")
            }
            try await Self.count(current, bytes, context)
        }
    }

    static func count(_ object: ManagedObject, _ bytes: Int, _ context: RequestContext) async throws(EngineError) {
        try await count(object, units: nil, bytes: bytes, context)
    }

    /// Counts one use (`bytes` when the unit is Byte) or, from Get Usage Allocation, `units` units.
    static func count(_ object: ManagedObject, units: Int64?, bytes: Int = 0, _ context: RequestContext) async throws(EngineError) {
        guard let limits = object.first(.usageLimits)?.value, let total = limits.first(.usageLimitsTotal)?.int64 else { return }
        let unit = limits.first(.usageLimitsUnit)?.enumValue.map(UsageLimitsUnit.init(rawValue:)) ?? .object
        // Usage Limits Count is what remains (KMIP 2.1 §4.59).
        let remaining = min(limits.first(.usageLimitsCount)?.int64 ?? total, total)
        let needed = units ?? Int64(unit == .byte ? bytes : 1)
        guard remaining >= 0, needed <= remaining else {
            throw EngineError(.permissionDenied, "Usage Limits: \(remaining) of \(total) \(unit.name) remain; \(needed) is too many")
        }
        var updated = object
        var fields = limits.children.filter { $0.tag != .usageLimitsCount }
        fields.append(TTLV(.usageLimitsCount, .longInteger(remaining - needed)))
        updated.set(.usageLimits, .structure(fields))
        try await context.services.store.save(updated)
    }

    func requireData() throws(EngineError) -> [UInt8] {
        guard let data else { throw EngineError(.invalidField, "Data is required") }
        return data
    }
}

/// Cryptographic Parameters (KMIP 2.1 §4.16), decoded and range-checked in `KMIP`.
extension CryptographicParameters {
    /// The request's parameters, else the object's own Cryptographic Parameters attribute, else none.
    static func given(_ request: CryptographicParameters?, orStoredOn object: ManagedObject) throws(EngineError) -> CryptographicParameters {
        if let request { return request }
        return try from(object.first(.cryptographicParameters)?.value)
    }
    /// A stored or embedded value (already checked when it was set; checked again, cheaply).
    static func from(_ t: TTLV?) throws(EngineError) -> CryptographicParameters {
        guard let t else { return CryptographicParameters() }
        do { return try CryptographicParameters(ttlv: t) } catch { throw EngineError(error) }
    }
}
