/// What the server decides when a request does not (key protection, leases, certificates, RNG seeds),
/// apart from `AccessPolicy`, which decides who may do what.
public struct ServerDefaults: Sendable {
    /// Default Extractable for client-created symmetric keys and secret data.
    public var extractableByDefault: Bool
    /// Default Extractable for generated private keys. KMIP 2.1 §4.23 says True when the client does
    /// not say, and clients rely on it; false keeps them in the token unless a request asks.
    public var privateKeysExtractableByDefault = true
    /// The certificate Certify issues under when a request names no issuer (its private key is found
    /// through its Public Key Link and that key's Private Key Link).
    public var defaultIssuerCertificate: String?
    /// Lifetime of issued certificates; self-signed CA certificates get ten times this.
    public var certificateValidityDays = 365
    /// Whether RNG Seed passes client data to C_SeedRandom (which mixes it in as additional input;
    /// it cannot make the generator weaker). Off: refused with Permission Denied.
    public var acceptRNGSeed = true
    /// At most this many seed bytes of one RNG Seed request reach the token; the answer's Data Length
    /// says how many were taken (KMIP 2.1 §6.1.50). 0 takes none and leaves the token alone. nil: all.
    public var rngSeedMaximumBytes: Int?
    /// Lease Time given to new keys and secrets (KMIP 2.1 §4.30): how long a client may use an object
    /// before it asks again. nil: no lease.
    public var leaseTimeSeconds: UInt32?

    public init(extractableByDefault: Bool = true, leaseTimeSeconds: UInt32? = 3600) {
        self.extractableByDefault = extractableByDefault
        self.leaseTimeSeconds = leaseTimeSeconds
    }
}
