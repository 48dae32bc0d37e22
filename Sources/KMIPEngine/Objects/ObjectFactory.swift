import Crypto
import Foundation
import KMIP

/// Every way an object comes to be — generated (Create, Create Key Pair, Re-key), imported (Register,
/// Import), unwrapped, derived, issued (Certify) — goes through here: the client's attributes checked
/// as a client may set them, the server's attributes, and the crash-consistent write order (intent
/// row ─► token object ─► commit; `Reconciler` resolves what a crash leaves between them). The new
/// object becomes the batch's ID Placeholder.
enum ObjectFactory {
    /// A new object of `type` from a request's attributes, checked as a client may give them (KMIP 2.1
    /// §4 rules tables); the request's own Object Type is dropped (the server sets it).
    static func newObject(_ type: ObjectType, uid: String = UUID().uuidString.lowercased(), owner: String? = nil,
                          attributes: [Attribute], tokenObject: TokenObjectKind?, _ context: RequestContext) throws(EngineError) -> ManagedObject {
        var attrs = attributes
        // KMIP 2.1 §4.59: a Usage Limits Count given when an object is made is ignored (the server sets it).
        for i in attrs.indices where attrs[i].tag == .usageLimits {
            attrs[i].value = .structure(.usageLimits, attrs[i].value.children.filter { $0.tag != .usageLimitsCount })
        }
        try AttributeRules.validateClientAttributes(&attrs)
        attrs.remove(.objectType)
        return ManagedObject(uid: uid, objectType: type, owner: owner ?? context.identity, attributes: attrs, tokenObject: tokenObject)
    }

    /// Sets the attributes the server owns; returns whether the key may leave the token.
    @discardableResult
    static func applyServerAttributes(_ object: inout ManagedObject, _ context: RequestContext) -> Bool {
        let now = context.now
        object.set(.uniqueIdentifier, .textString(object.uid))
        object.set(.objectType, .enumeration(object.objectType.rawValue))
        object.set(.initialDate, .dateTime(now))
        object.set(.lastChangeDate, .dateTime(now))
        // A registering client may give the date the object was first made; a generated object's is its
        // Initial Date (KMIP 2.1 §4.38).
        let registered = context.operation == .register || context.operation == .import
        if !registered || object.first(.originalCreationDate) == nil { object.set(.originalCreationDate, .dateTime(now)) }
        if let mask = context.services.token.protectionStorageMask {
            object.set(.protectionStorageMask, .integer(Int32(bitPattern: mask)))
        }
        if let lease = context.services.defaults.leaseTimeSeconds, object.objectType != .opaqueObject {
            object.set(.leaseTime, .interval(lease))
        }
        // Fresh may come from a registering client (KMIP 2.1 §4.24); otherwise the object is fresh.
        if context.version >= .v1_3 && object.first(.fresh) == nil { object.set(.fresh, .boolean(true)) }
        if object.first(.cryptographicUsageMask) == nil { object.set(.cryptographicUsageMask, .integer(0)) }
        // Usage Limits Count: the units that remain, starting at the Total (KMIP 2.1 §4.59).
        if let limits = object.first(.usageLimits)?.value, let total = limits.first(.usageLimitsTotal)?.int64 {
            object.set(.usageLimits, .structure(limits.children.filter { $0.tag != .usageLimitsCount } + [TTLV(.usageLimitsCount, .longInteger(total))]))
        }
        // KMIP 1.x §3.18: the policy applied SHOULD be named; kmipd has one, its access policy. 1.x
        // clients see it (and Locate by it); 2.0 dropped the attribute, so 2.x clients never do.
        if object.first(.operationPolicyName) == nil { object.set(.operationPolicyName, .textString("default")) }
        let extractable = object.first(.extractable)?.value.bool ?? context.services.defaults.extractableByDefault
        let sensitive = object.first(.sensitive)?.value.bool ?? !extractable
        if context.version >= .v1_4 {
            object.set(.extractable, .boolean(extractable))
            object.set(.sensitive, .boolean(sensitive))
            object.set(.alwaysSensitive, .boolean(sensitive))
            object.set(.neverExtractable, .boolean(!extractable))
        } else {
            // Older clients do not know these attributes; the policy still applies and is recorded.
            object.attributes.remove(.extractable, .sensitive)
            object.attributes.append(Attribute(.extractable, .boolean(extractable)))
        }
        object.state = .preActive
        if !context.importedServerAttributes.isEmpty {
            let keys = Set(context.importedServerAttributes.map(\.key))
            object.attributes.removeAll { keys.contains($0.key) }
            object.attributes += context.importedServerAttributes
        }
        Lifecycle.advance(&object, now: now)
        return extractable
    }

    /// What the token is asked to make for a secret key, from the object about to be made.
    static func secretKeySpec(_ object: ManagedObject, algorithm: CryptographicAlgorithm, lengthBits: Int, extractable: Bool) -> SecretKeySpec {
        SecretKeySpec(algorithm: algorithm, lengthBits: lengthBits, extractable: extractable,
                      usage: CryptographicUsageMaskBits(rawValue: object.usageMask), label: label(object))
    }

    /// A readable CKA_LABEL: the first Name, else the object type and UID.
    static func label(_ object: ManagedObject) -> String {
        if let n = object.first(.name)?.value.first(.nameValue)?.text { return n }
        return "kmipd \(object.objectType) \(object.uid)"
    }

    /// Digest (KMIP 2.1 §4.21) of the value, computed by the token, and the Random Number Generator
    /// that made a generated key (§4.48).
    static func addDerivedAttributes(_ object: inout ManagedObject, _ context: RequestContext, generated: Bool) async {
        // Short Unique Identifier (KMIP 2.0+, §4.56): SHA-256 of the (public) Unique Identifier, on the host.
        object.set(.shortUniqueIdentifier, .byteString(Array(SHA256.hash(data: Array(object.uid.utf8)))))
        // An Import brings the Digest it had (KMIP 2.1 §6.1.25); every other object gets the token's.
        if object.first(.digest) == nil { object.attributes.append(await digest(object, context)) }
        if context.version >= .v1_3, generated, let rng = context.services.token.randomNumberGenerator {
            object.attributes.append(Attribute(.randomNumberGenerator, rng.ttlv.value))
        }
    }

    /// Digest (KMIP 2.1 §4.21) of the value in the object's default key format. The Digest Value is
    /// there only for material that may leave the token: never for a non-extractable key or secret.
    static func digest(_ object: ManagedObject, _ context: RequestContext) async -> Attribute {
        let token = context.services.token
        var value: [UInt8]?
        var format: KeyFormatType? = object.objectType == .symmetricKey ? .raw : object.objectType == .secretData ? .opaque : nil
        switch object.objectType {
        case .publicKey, .privateKey:
            let alg = object.cryptographicAlgorithm ?? .rsa
            let readable = object.objectType == .publicKey || object.extractable
            if let key = readable ? try? await token.readAsymmetricKey(id: object.uid, algorithm: alg, isPrivate: object.objectType == .privateKey) : nil {
                let f = object.keyEncoding ?? object.defaultKeyFormat ?? AsymmetricKeyBlock.defaultFormat(key)
                format = f
                if let block = (try? AsymmetricKeyBlock.encode(key, format: f, object: object))?.keyBlock,
                   case .plain(let km, _) = block.value {
                    // Material the host already read: the bytes, or the transparent structure's encoding.
                    if case .bytes(let b) = km { value = Array(SHA256.hash(data: b)) } else { value = Array(SHA256.hash(data: TTLVEncoder.encode(km.ttlv))) }
                }
            } else {
                format = object.defaultKeyFormat ?? (alg == .rsa ? .pkcs1 : .pkcs8)
            }
        case .certificate:
            value = try? await token.sha256(id: object.uid)
        default:
            // An unsalted hash of secret material that may not leave the token would let anyone who
            // reads attributes test guesses offline (a password in Secret Data): no Digest Value then.
            if object.extractable && !Protection.isSensitive(object) { value = try? await token.sha256(id: object.uid) }
        }
        var fields = [TTLV(.hashingAlgorithm, .enumeration(HashingAlgorithm.sha256.rawValue))]
        if let value { fields.append(TTLV(.digestValue, .byteString(value))) }
        if let format { fields.append(TTLV(.keyFormatType, .enumeration(format.rawValue))) }
        return Attribute(.digest, .structure(fields))
    }

    static func persist(_ object: ManagedObject, _ context: RequestContext, generated: Bool,
                        makeTokenObject: (any Token) async throws(EngineError) -> Void) async throws(EngineError) {
        let store = context.services.store
        try await store.insertPending(object)
        do {
            try await makeTokenObject(context.services.token)
        } catch {
            try? await store.removePending(uid: object.uid)
            throw error
        }
        var object = object
        await addDerivedAttributes(&object, context, generated: generated)
        do {
            try await store.commit(object)
        } catch {
            // The token object has no committed row: remove it so nothing is left half-made.
            try? await context.services.token.destroy(id: object.uid)
            try? await store.removePending(uid: object.uid)
            throw error
        }
        context.idPlaceholder = object.uid
    }

    /// The two halves of a key pair: both intent rows, one token call, both commits.
    static func persistPair(_ pair: [ManagedObject], _ context: RequestContext,
                            makeTokenObjects: (any Token) async throws(EngineError) -> Void) async throws(EngineError) {
        let store = context.services.store, token = context.services.token
        for o in pair { try await store.insertPending(o) }
        do {
            try await makeTokenObjects(token)
        } catch {
            for o in pair { try? await store.removePending(uid: o.uid) }
            throw error
        }
        var done = [ManagedObject]()
        for var o in pair {
            await addDerivedAttributes(&o, context, generated: true)
            done.append(o)
        }
        do {
            for o in done { try await store.commit(o) }
        } catch {
            for o in pair {
                try? await token.destroy(id: o.uid)
                try? await store.removePending(uid: o.uid)
            }
            throw error
        }
        context.idPlaceholder = pair.first?.uid
    }
}
