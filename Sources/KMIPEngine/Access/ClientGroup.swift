/// Certificates that act as one identity: a vCenter cluster's hosts, a storage array's controllers, a
/// database's replicas each have a certificate of their own but must share keys. A member's requests act
/// as `group:NAME`, so what one member creates belongs to the group and every member sees it; per-object
/// grants work as for any identity. A certificate is a member when its subject is listed, or when a
/// field of its subject (`OU`, `O`, `CN`…) has the configured value. The first matching group wins.
public struct ClientGroup: Sendable, Hashable, Codable {
    public var name: String
    /// Exact certificate subjects (RFC 2253, as kmipd logs them).
    public var members: [String]?
    /// A subject field and the value that makes a certificate a member, e.g. `OU` = `vsphere-prod`.
    public var subjectField: String?
    public var subjectValue: String?

    public init(name: String, members: [String]? = nil, subjectField: String? = nil, subjectValue: String? = nil) {
        self.name = name; self.members = members; self.subjectField = subjectField; self.subjectValue = subjectValue
    }

    public var identity: String { "group:" + name }

    public func contains(subject: String) -> Bool {
        if members?.contains(subject) == true { return true }
        guard let field = subjectField, let value = subjectValue else { return false }
        return SubjectName.fields(of: subject).contains { $0.type.caseInsensitiveCompare(field) == .orderedSame && $0.value == value }
    }
}
