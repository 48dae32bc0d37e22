import KMIP

/// What every cryptographic operation reads first (KMIP 2.1 §6.1.18 Encrypt and its siblings): the
/// key, its Cryptographic Parameters (the request's, else the object's), the data, and the policy
/// check — usage mask, state and dates — that decides whether the token is asked at all.
struct CryptoRequest {
    var object: ManagedObject
    var parameters: CryptoParameters
    var data: [UInt8]?

    enum Use { case protect, process }

    static func read(_ payload: TTLV, _ context: RequestContext, need: CryptographicUsageMaskBits, use: Use,
                     streaming: Bool = false) async throws(EngineError) -> CryptoRequest {
        if !streaming, payload.first(.initIndicator)?.bool == true || payload.first(.finalIndicator) != nil || payload.first(.correlationValue) != nil {
            throw EngineError(.featureNotSupported, "streaming is supported for Encrypt, Decrypt, Sign, Signature Verify and MAC")
        }
        let uid = try context.uid(in: payload)
        let object = try await context.fetch(uid)
        guard object.tokenObject != nil, !Lifecycle.isDestroyed(object.state) else {
            throw EngineError(.objectDestroyed, "object \(uid) is destroyed")
        }
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
        let params = try CryptoParameters(payload.first(.cryptographicParameters) ?? object.first(.cryptographicParameters)?.value)
        let data: [UInt8]?
        if let d = payload.first(.data) {
            guard let b = d.bytes else { throw EngineError(.invalidField, "Data must be a Byte String") }
            data = b
        } else { data = nil }
        context.idPlaceholder = uid
        return CryptoRequest(object: object, parameters: params, data: data)
    }

    var algorithm: CryptographicAlgorithm {
        parameters.algorithm ?? CryptographicAlgorithm(rawValue: object.first(.cryptographicAlgorithm)?.value.enumValue ?? 0)
    }

    /// Usage Limits (KMIP 2.1 §4.62): counts what protect operations use, refusing what would exceed
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
        guard let limits = object.first(.usageLimits)?.value, let total = limits.first(.usageLimitsTotal)?.int64 else { return }
        let unit = limits.first(.usageLimitsUnit)?.enumValue.map(UsageLimitsUnit.init(rawValue:)) ?? .object
        let used = limits.first(.usageLimitsCount)?.int64 ?? 0
        let needed = Int64(unit == .byte ? bytes : 1)
        guard used >= 0, used <= total, needed <= total - used else {
            throw EngineError(.permissionDenied, "Usage Limits: \(used) of \(total) \(unit.name) used; \(needed) more is too many")
        }
        var updated = object
        var fields = limits.children.filter { $0.tag != .usageLimitsCount }
        fields.append(TTLV(.usageLimitsCount, .longInteger(used + needed)))
        updated.set(.usageLimits, .structure(fields))
        try await context.services.store.save(updated)
    }

    func requireData() throws(EngineError) -> [UInt8] {
        guard let data else { throw EngineError(.invalidField, "Data is required") }
        return data
    }
}

/// Cryptographic Parameters (KMIP 2.1 §4.15), the fields kmipd uses.
struct CryptoParameters {
    var blockCipherMode: BlockCipherMode?
    var padding: PaddingMethod?
    var hashing: HashingAlgorithm?
    var algorithm: CryptographicAlgorithm?
    var signatureAlgorithm: DigitalSignatureAlgorithm?
    var randomIV: Bool?
    var ivLength: Int?
    var tagLength: Int?
    var counterLength: Int?
    var saltLength: Int?
    var maskGeneratorHashing: HashingAlgorithm?
    var pSource: [UInt8]?

    /// IV Length in bits: one byte to 128 bytes (GCM allows long IVs; nothing needs more).
    static let ivBits: ClosedRange<Int32> = 8...1024

    init(_ t: TTLV?) throws(EngineError) {
        guard let t else { return }
        do {
            blockCipherMode = try t.optionalEnum(.blockCipherMode).map(BlockCipherMode.init(rawValue:))
            padding = try t.optionalEnum(.paddingMethod).map(PaddingMethod.init(rawValue:))
            hashing = try t.optionalEnum(.hashingAlgorithm).map(HashingAlgorithm.init(rawValue:))
            algorithm = try t.optionalEnum(.cryptographicAlgorithm).map(CryptographicAlgorithm.init(rawValue:))
            signatureAlgorithm = try t.optionalEnum(.digitalSignatureAlgorithm).map(DigitalSignatureAlgorithm.init(rawValue:))
            randomIV = try t.optionalBool(.randomIV)
            // Lengths become allocations and CK_ULONGs: bounded here (KMIP 2.1 §4.15 gives bits for IV
            // and counter lengths, bytes for tag and salt lengths). The mode-specific rules come later.
            ivLength = try t.optionalInt(.ivLength, in: Self.ivBits)
            tagLength = try t.optionalInt(.tagLength, in: 0...255)
            counterLength = try t.optionalInt(.counterLength, in: 1...128)
            saltLength = try t.optionalInt(.saltLength, in: 0...1024)
            maskGeneratorHashing = try t.optionalEnum(.maskGeneratorHashingAlgorithm).map(HashingAlgorithm.init(rawValue:))
            pSource = t.first(.pSource)?.bytes
        } catch { throw EngineError(error) }
        if let bits = ivLength, bits % 8 != 0 { throw EngineError(.invalidField, "IV Length \(bits) is not a whole number of bytes") }
    }
}
