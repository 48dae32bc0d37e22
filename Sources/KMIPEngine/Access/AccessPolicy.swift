import KMIP

/// Who may see what (ARCHITECTURE.md "one access choke point"): an object belongs to the identity that
/// created it; admins see all. Refusals look like Item Not Found to the caller.
public struct AccessPolicy: Sendable {
    public var adminIdentities: Set<String>
    /// Default Extractable for client-created symmetric keys and secret data.
    public var extractableByDefault: Bool
    public init(adminIdentities: Set<String> = [], extractableByDefault: Bool = true) {
        self.adminIdentities = adminIdentities; self.extractableByDefault = extractableByDefault
    }
    public func isAdmin(_ identity: String) -> Bool { adminIdentities.contains(identity) }
    public func mayAccess(_ object: ManagedObject, identity: String) -> Bool {
        object.owner == identity || isAdmin(identity)
    }
}
