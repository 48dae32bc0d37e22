import CPKCS11
import Foundation
import KMIP
import KMIPEngine
import Logging
import PKCS11

/// The engine's `Token` on a PKCS#11 module, as an HSM profile describes it. Every object carries
/// CKA_ID = the KMIP Unique Identifier and a readable CKA_LABEL.
public final class PKCS11Token: Token, @unchecked Sendable {
    public let profile: HSMProfile
    public let module: Module
    public let slot: UInt
    public let tokenInfo: Module.TokenInfo
    /// The mechanisms the token offers (C_GetMechanismList).
    public let mechanisms: TokenMechanisms
    let pool: SessionPool
    let cache: HandleCache
    let logger: Logger
    /// Other processes create and destroy objects on this token too (the nodes of a cluster): a CKA_ID
    /// the cache lacks is searched for, and a handle is checked before it is destroyed.
    public let shared: Bool

    /// Loads the module, finds the token by label, logs in and fills the handle cache.
    public init(profile: HSMProfile, pin: String, shared: Bool = false, logger: Logger = Logger(label: "kmipd.token")) throws(EngineError) {
        self.shared = shared
        guard let path = profile.modulePath() else {
            throw EngineError(.tokenUnavailable, "no PKCS#11 module found at \(profile.modules.joined(separator: ", "))")
        }
        do {
            let module = try Module.shared(path: path)
            let slot = try module.slot(tokenLabel: profile.tokenLabel)
            self.module = module
            self.slot = slot
            self.tokenInfo = try module.tokens().first { $0.slot == slot }!
            self.mechanisms = TokenMechanisms(try module.mechanisms(slot: slot), tokenName: profile.name,
                                              invalidSignatureCodes: profile.signatureInvalidReturnCodes ?? [])
            self.profile = profile
            self.logger = logger
            let cache = HandleCache()
            self.cache = cache
            self.pool = try SessionPool(count: profile.sessions, open: { () throws(PKCS11Error) -> Session in
                let s = try module.openSession(slot: slot)
                try Self.login(s, pin: pin)
                return s
            }, onReopen: { s, rv in
                // The token lost its sessions (reset, or removed and back): its handles may have
                // changed, so they are read again before any is used.
                guard ReturnValue.handlesMayHaveChanged(rv) else { return }
                try? cache.rebuild { () throws(PKCS11Error) in try Self.scan(s) }
            })
            // The start-up scan uses its own session, before any request can arrive.
            let s = try module.openSession(slot: slot)
            try Self.login(s, pin: pin)
            try cache.rebuild { () throws(PKCS11Error) in try Self.scan(s) }
        } catch { throw EngineError(error) }
    }

    /// C_Login, tried again a few times when the token's own state could not be read: two processes
    /// starting on one SoftHSM2 token folder (the nodes of a test cluster) were seen to fail with
    /// CKR_USER_PIN_NOT_INITIALIZED while the other rewrote the token file.
    static func login(_ s: Session, pin: String) throws(PKCS11Error) {
        var attempt = 0
        while true {
            do { try s.login(pin: pin); return } catch {
                attempt += 1
                guard error.rv == UInt(CKR_USER_PIN_NOT_INITIALIZED), attempt < 5 else { throw error }
                usleep(200_000)
            }
        }
    }

    /// CKA_ID → handle for every object the session can see.
    static func scan(_ s: Session) throws(PKCS11Error) -> [String: ObjectHandle] {
        var out = [String: ObjectHandle]()
        for h in try s.findObjects([]) {
            if let id = try? s.attribute(UInt(CKA_ID), of: h), !id.isEmpty {
                out[String(decoding: id, as: UTF8.self)] = h
            } else if let app = try? s.attribute(UInt(CKA_APPLICATION), of: h), app == Self.dataApplication,
                      let label = try? s.attribute(UInt(CKA_LABEL), of: h), !label.isEmpty {
                // Data objects on tokens that refuse CKA_ID on CKO_DATA carry the UID in CKA_LABEL.
                out[String(decoding: label, as: UTF8.self)] = h
            }
        }
        return out
    }

    func handle(_ id: String) throws(EngineError) -> ObjectHandle {
        guard let h = cache.get(id) else { throw EngineError(.itemNotFound, "token has no object with CKA_ID \(id)") }
        return h
    }

    /// Readiness: a pooled session answers C_GetSessionInfo and is logged in as the user.
    public func probe() async throws(EngineError) {
        let state = try await call { (s) throws(PKCS11Error) -> UInt in try s.state() }
        guard state == UInt(CKS_RW_USER_FUNCTIONS) || state == UInt(CKS_RO_USER_FUNCTIONS) else {
            throw EngineError(.tokenUnavailable, "the token's session is not logged in (C_GetSessionInfo state \(state))")
        }
    }

    /// Runs a PKCS#11 call on a pooled session, mapping CK_RV to engine errors.
    func call<T: Sendable>(_ body: @escaping @Sendable (Session) throws(PKCS11Error) -> T) async throws(EngineError) -> T {
        do { return try await pool.run(body) } catch { throw EngineError(error) }
    }

    /// Runs a PKCS#11 call on the objects `ids` name. Their handles are looked up on the session's
    /// thread at each attempt, so a retry after a reopened session uses the handles read again.
    func call<T: Sendable>(objects ids: String...,
                           body: @escaping @Sendable (Session, [ObjectHandle]) throws(PKCS11Error) -> T) async throws(EngineError) -> T {
        let cache = self.cache, shared = self.shared, refresh = profile.peerObjectRefresh
        return try await call { (s) throws(PKCS11Error) -> T in
            var handles = [ObjectHandle]()
            for id in ids {
                var h = cache.get(id)
                if h == nil, shared { h = try Self.search(id, s, cache: cache, refresh: refresh) }
                guard let h else {
                    throw PKCS11Error(.notFound, function: "token has no object with CKA_ID \(id)")
                }
                handles.append(h)
            }
            return try body(s, handles)
        }
    }

    /// An object another process made since the cache was built: found by CKA_ID (or, for data
    /// objects on tokens that refuse CKA_ID on them, by label), then cached. When the module may not
    /// have noticed the other process's change, it is made to (`peerObjectRefresh`) and asked again.
    static func search(_ id: String, _ s: Session, cache: HandleCache, refresh: String?) throws(PKCS11Error) -> ObjectHandle? {
        guard let found = try findAll(id, s, refresh: refresh).first else { return nil }
        cache.set(id, found)
        return found
    }

    /// Every object carrying this CKA_ID (or data-object label), searched afresh.
    static func findAll(_ id: String, _ s: Session, refresh: String?) throws(PKCS11Error) -> [ObjectHandle] {
        let data: [ObjectAttribute] = [.cls(UInt(CKO_DATA)), .label(id), .bytes(UInt(CKA_APPLICATION), dataApplication)]
        for attempt in 0..<3 {
            if attempt > 0 {
                guard refresh == "softhsm2-generation" else { break }
                SoftHSM2Generation.nudge()
            }
            let found = try s.findObjects([.id(id)]) + s.findObjects(data)
            if !found.isEmpty { return found }
        }
        return []
    }

    /// Whether the token has the object (searched for when other processes share the token).
    func has(_ id: String) async -> Bool {
        if cache.get(id) != nil { return true }
        guard shared else { return false }
        let cache = self.cache
        let refresh = profile.peerObjectRefresh
        return (try? await call { (s) throws(PKCS11Error) in try Self.search(id, s, cache: cache, refresh: refresh) }) != nil
    }

    /// Before the process exits (`kmipd serve`, after its graceful shutdown): the pool's sessions are
    /// closed once idle, and no other session closes itself while the module's exit handlers run.
    public func prepareForExit() async {
        await pool.close()
        module.prepareForExit()
    }

    // MARK: Token

    public func generateSecretKey(id: String, spec: SecretKeySpec) async throws(EngineError) {
        let (plan, t) = Self.secretKeyGeneration(id: id, spec: spec, mechanisms: mechanisms)
        let mech = try mechanisms.require(plan)
        let h = try await call { (s) throws(PKCS11Error) in try s.generateKey(mech, template: t) }
        cache.set(id, h)
    }

    /// The C_GenerateKey mechanism and template of a Create. Public so that `kmipd token bench` measures
    /// the very call Create makes (SoftHSM2 rewrites an object's file for each attribute it sets, so the
    /// template's length is part of the cost).
    public static func secretKeyGeneration(id: String, spec: SecretKeySpec, mechanisms: TokenMechanisms) -> (mechanism: Mechanism, template: [ObjectAttribute]) {
        let plan = KeyPlan(spec.algorithm, bits: spec.lengthBits, mechanisms: mechanisms)
        var template = keyTemplate(id: id, spec: spec, keyType: plan.keyType)
        if plan.needsValueLen { template.append(.valueLen(spec.lengthBits / 8)) }
        return (Mechanism(plan.mechanism), template)
    }

    public func importSecretKey(id: String, spec: SecretKeySpec, material: [UInt8]) async throws(EngineError) {
        let plan = KeyPlan(spec.algorithm, bits: material.count * 8, mechanisms: mechanisms)
        let template = Self.keyTemplate(id: id, spec: spec, keyType: plan.keyType) + [.cls(UInt(CKO_SECRET_KEY)), .value(material)]
        let h = try await call { (s) throws(PKCS11Error) in try s.createObject(template) }
        cache.set(id, h)
    }

    /// CKA_APPLICATION of the data objects this server stores.
    static let dataApplication = Array("kmipd".utf8)

    public func storeData(id: String, label: String, bytes: [UInt8]) async throws(EngineError) {
        let takesID = profile.mechanisms.dataObjectsTakeID
        var template: [ObjectAttribute] = [.cls(UInt(CKO_DATA)), .token(true), .isPrivate(true), .label(takesID ? label : id),
                                           .bytes(UInt(CKA_APPLICATION), Self.dataApplication), .value(bytes), .modifiable(false)]
        if takesID { template.append(.id(id)) }
        let t = template
        let h = try await call { (s) throws(PKCS11Error) in try s.createObject(t) }
        cache.set(id, h)
    }

    public func readValue(id: String) async throws(EngineError) -> [UInt8] {
        try await call(objects: id) { (s, h) throws(PKCS11Error) in try s.attribute(UInt(CKA_VALUE), of: h[0]) }
    }

    public func destroy(id: String) async throws(EngineError) {
        if shared {
            // Never a cached handle: another node may have destroyed the object, and a token may give
            // its handle to a new one. What carries this CKA_ID now is what goes.
            let refresh = profile.peerObjectRefresh
            try await call { (s) throws(PKCS11Error) in
                for h in try Self.findAll(id, s, refresh: refresh) {
                    do throws(PKCS11Error) { try s.destroyObject(h) } catch {
                        guard error.rv == UInt(CKR_OBJECT_HANDLE_INVALID) else { throw error }  // gone meanwhile
                    }
                }
            }
            cache.remove(id)
            return
        }
        guard cache.get(id) != nil else { return }
        do {
            try await call(objects: id) { (s, h) throws(PKCS11Error) in try s.destroyObject(h[0]) }
        } catch where error.underlying == UInt(CKR_OBJECT_HANDLE_INVALID) || error.code == .itemNotFound {
            // Already gone (a repeated destroy during recovery, or a concurrent one).
        }
        cache.remove(id)
    }

    /// Every CKA_ID on the token; read afresh when other processes share it.
    public func allIDs() async throws(EngineError) -> Set<String> {
        if shared {
            let cache = self.cache, refresh = profile.peerObjectRefresh
            try await call { (s) throws(PKCS11Error) in
                if refresh == "softhsm2-generation" { SoftHSM2Generation.nudge() }
                try cache.rebuild { () throws(PKCS11Error) in try Self.scan(s) }
            }
        }
        return cache.ids
    }

    public func random(count: Int) async throws(EngineError) -> [UInt8] {
        try await call { (s) throws(PKCS11Error) in try s.generateRandom(count) }
    }

    public func sha256(id: String) async throws(EngineError) -> [UInt8]? {
        guard await has(id) else { return nil }
        // Secret keys: C_DigestKey, so the value never leaves the token. Data objects: their value.
        let value: [UInt8]? = try? await call(objects: id) { (s, h) throws(PKCS11Error) in try s.digestKey(Mechanism(.sha256), key: h[0]) }
        if let value { return value }
        guard let bytes = try? await readValue(id: id) else { return nil }
        return try await call { (s) throws(PKCS11Error) in try s.digest(Mechanism(.sha256), bytes) }
    }

    public var randomNumberGenerator: RNGDescription? { profile.randomNumberGenerator }

    public var protectionStorageMask: UInt32? {
        guard let names = profile.protectionStorage, !names.isEmpty else { return nil }
        return names.compactMap { ProtectionStorageMask(named: $0)?.rawValue }.reduce(0, |)
    }

    public var keyPairKinds: [String] {
        var kinds = [String]()
        if mechanisms.has(.rsaPkcsKeyPairGen) { kinds.append("RSA 2048/3072/4096") }
        if mechanisms.has(.ecKeyPairGen) { kinds.append("EC P-256/P-384/P-521") }
        if mechanisms.has(.ecEdwardsKeyPairGen) { kinds.append("Ed25519") }
        return kinds
    }

    /// The token's abilities for Query: "AES, 3DES, …; lacks AES-GCM, …".
    public var abilities: String {
        let (has, lacks) = mechanisms.summary
        return has.joined(separator: ", ") + (lacks.isEmpty ? "" : "; lacks " + lacks.joined(separator: ", "))
    }

    public var objectCount: Int { cache.count }
    /// Pool sessions in use now, and how many the pool holds.
    public var sessionUsage: (inUse: Int, total: Int) { pool.usage }

    static func keyTemplate(id: String, spec: SecretKeySpec, keyType: UInt) -> [ObjectAttribute] {
        let u = spec.usage
        let sensitive = !spec.extractable
        return [
            .token(true), .isPrivate(true), .id(id), .label(spec.label), .keyType(keyType),
            .sensitive(sensitive), .extractable(spec.extractable),
            .flag(Int32(CKA_ENCRYPT), u.contains(.encrypt)), .flag(Int32(CKA_DECRYPT), u.contains(.decrypt)),
            .flag(Int32(CKA_WRAP), u.contains(.wrapKey)), .flag(Int32(CKA_UNWRAP), u.contains(.unwrapKey)),
            .flag(Int32(CKA_SIGN), u.contains(.sign) || u.contains(.macGenerate)),
            .flag(Int32(CKA_VERIFY), u.contains(.verify) || u.contains(.macVerify)),
            .flag(Int32(CKA_DERIVE), u.contains(.deriveKey)),
        ]
    }
}

/// Which PKCS#11 key type and generation mechanism serve a KMIP algorithm on this token.
struct KeyPlan {
    var keyType: UInt
    var mechanism: MechanismType
    var needsValueLen: Bool

    init(_ alg: CryptographicAlgorithm, bits: Int, mechanisms: TokenMechanisms) {
        switch alg {
        case .aes where mechanisms.has(.aesKeyGen):
            self.init(keyType: UInt(CKK_AES), mechanism: .aesKeyGen, needsValueLen: true)
        case ._3des where mechanisms.has(.des3KeyGen) && (bits == 168 || bits == 192):
            self.init(keyType: UInt(CKK_DES3), mechanism: .des3KeyGen, needsValueLen: false)
        default:
            // HMAC keys and every algorithm the token has no generator for: a generic secret of the
            // requested length, generated in the token.
            self.init(keyType: UInt(CKK_GENERIC_SECRET), mechanism: .genericSecretKeyGen, needsValueLen: true)
        }
    }
    init(keyType: UInt, mechanism: MechanismType, needsValueLen: Bool) {
        self.keyType = keyType; self.mechanism = mechanism; self.needsValueLen = needsValueLen
    }
}
