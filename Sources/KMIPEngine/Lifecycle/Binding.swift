/// A store and a token belong to each other. The store is only a description of what the token holds,
/// so a server must never run on a store that describes another token (or on a token that another
/// store describes): reconciling the two would "repair" one of them to match the other.
///
/// At `kmipd store init` the store records a random binding id and the token's serial and label; the
/// token keeps the same binding id and the store's id in a data object of its own. `kmipd serve`
/// compares both sides before it does anything else (`BindingCheck`).

/// What the store records: its own id, and the token it describes (nil fields: not bound yet).
public struct StoreIdentity: Codable, Sendable, Equatable {
    public var storeID: String
    public var bindingID: String?
    public var tokenSerial: String?
    public var tokenLabel: String?
    public init(storeID: String, bindingID: String? = nil, tokenSerial: String? = nil, tokenLabel: String? = nil) {
        self.storeID = storeID; self.bindingID = bindingID; self.tokenSerial = tokenSerial; self.tokenLabel = tokenLabel
    }
    public var isBound: Bool { bindingID != nil }
}

/// What the token records, in its binding object: which store describes it.
public struct TokenBinding: Codable, Sendable, Equatable {
    public var bindingID: String
    public var storeID: String
    public init(bindingID: String, storeID: String) { self.bindingID = bindingID; self.storeID = storeID }
}

/// Serial and label of a token, as C_GetTokenInfo reports them.
public struct TokenIdentity: Sendable, Equatable, CustomStringConvertible {
    public var serial: String
    public var label: String
    public init(serial: String, label: String) { self.serial = serial; self.label = label }
    public var description: String { "token '\(label)' (serial \(serial))" }
}

/// The start-up comparison of the two sides. Every mismatch is one line that names both sides and the
/// command that resolves it deliberately.
public enum BindingCheck {
    public enum Outcome: Sendable, Equatable {
        case bound
        /// Bound, but the token now reports another serial or label (a token restored onto other
        /// hardware keeps its objects and its binding): the store's record is updated.
        case boundTokenRenamed
    }

    /// - Parameters:
    ///   - storeName: how the operator knows the store (its path).
    ///   - adopt: the command that makes this store the token's on purpose.
    public static func verify(store: StoreIdentity, storeName: String, token: TokenBinding?, tokenIdentity: TokenIdentity,
                              bindCommand: String, adoptCommand: String) throws(EngineError) -> Outcome {
        let storeSide = "store \(storeName) (id \(store.storeID))"
        switch (store.bindingID, token) {
        case (nil, nil):
            throw EngineError(.bindingMismatch, "\(storeSide) and \(tokenIdentity) are not bound to each other: check that both are the right ones, then run `\(bindCommand)`")
        case (nil, let t?):
            throw EngineError(.bindingMismatch, "\(tokenIdentity) belongs to store id \(t.storeID), not to \(storeSide): point \"database\" at that store, or make this one the token's with `\(adoptCommand) --take-over`")
        case (let b?, nil):
            throw EngineError(.bindingMismatch, "\(storeSide) describes token '\(store.tokenLabel ?? "?")' (serial \(store.tokenSerial ?? "?"), binding \(b)), but \(tokenIdentity) has no kmipd binding: a different or re-initialised token; point token.label at the right token")
        case (let b?, let t?) where t.bindingID != b || t.storeID != store.storeID:
            throw EngineError(.bindingMismatch, "\(storeSide) describes token '\(store.tokenLabel ?? "?")' (serial \(store.tokenSerial ?? "?"), binding \(b)), but \(tokenIdentity) belongs to store id \(t.storeID) (binding \(t.bindingID)): use the matching store and token, or `\(adoptCommand) --take-over`")
        default:
            return store.tokenSerial == tokenIdentity.serial && store.tokenLabel == tokenIdentity.label ? .bound : .boundTokenRenamed
        }
    }
}
