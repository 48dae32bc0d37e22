import KMIP

/// Who may see what (ARCHITECTURE.md "one access choke point"): an object belongs to the identity that
/// created it; admins see all. Refusals look like Item Not Found to the caller.
public struct AccessPolicy: Sendable {
    public var adminIdentities: Set<String>
    /// Default Extractable for client-created symmetric keys and secret data.
    public var extractableByDefault: Bool
    /// Default Extractable for generated private keys. false: they never leave the token.
    public var privateKeysExtractableByDefault: Bool = false
    /// The certificate Certify issues under when a request names no issuer (its private key is found
    /// through its Public Key Link and that key's Private Key Link).
    public var defaultIssuerCertificate: String?
    /// Lifetime of issued certificates; self-signed CA certificates get ten times this.
    public var certificateValidityDays: Int = 365
    /// Whether RNG Seed passes client data to C_SeedRandom (which mixes it in as additional input;
    /// it cannot make the generator weaker). Off: refused with Permission Denied.
    public var acceptRNGSeed: Bool = true
    /// Lease Time given to new keys and secrets (KMIP 2.1 §4.31): how long a client may use an object
    /// before it asks again. nil: no lease.
    public var leaseTimeSeconds: UInt32?
    public init(adminIdentities: Set<String> = [], extractableByDefault: Bool = true, leaseTimeSeconds: UInt32? = 3600) {
        self.adminIdentities = adminIdentities; self.extractableByDefault = extractableByDefault
        self.leaseTimeSeconds = leaseTimeSeconds
    }
    public func isAdmin(_ identity: String) -> Bool { adminIdentities.contains(identity) }
    public func mayAccess(_ object: ManagedObject, identity: String) -> Bool {
        object.owner == identity || isAdmin(identity)
    }
}
