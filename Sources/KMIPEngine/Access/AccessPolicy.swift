import Foundation
import KMIP

/// Checks a Username and Password credential (the password file, in `KMIPFiles`).
public protocol CredentialChecker: Sendable {
    /// The identity a request with `credential` acts as, or nil when it is refused.
    func identity(for credential: UsernamePassword, certificateSubject: String, now: Date) async -> String?
}

/// Who may see what (one access choke point, `RequestContext.fetch`): an object belongs to the identity that
/// created it; admins see all; the owner may grant others named operations (`Grant`). Refusals look
/// like Item Not Found to the caller.
public struct AccessPolicy: Sendable {
    public var adminIdentities: Set<String>
    /// Username and Password credentials (KMIP 2.1 §2.1.2): checked when a request carries one.
    public var passwords: (any CredentialChecker)?
    /// Refuse requests without a valid credential (the certificate alone is not enough).
    public var requireCredential = false
    /// Certificates that act as one identity (`ClientGroup`), in order.
    public var groups: [ClientGroup] = []
    /// Whether an Encrypt in GCM or CTR mode may use a nonce the client chose. A client able to repeat
    /// a nonce gets the keystream, so Encrypt permission would give Decrypt: by default only a caller
    /// who may decrypt with the key anyway may choose its nonce.
    public var clientNonces: ClientNonces = .ifMayDecrypt
    public enum ClientNonces: String, Sendable, Codable {
        /// The server always makes GCM and CTR nonces for Encrypt.
        case refuse
        /// Callers who may Decrypt with the key (usage mask and access) may choose them.
        case ifMayDecrypt
        /// Any caller may choose them.
        case accept
    }
    public init(adminIdentities: Set<String> = []) { self.adminIdentities = adminIdentities }
    public func isAdmin(_ identity: String) -> Bool { adminIdentities.contains(identity) }

    /// Who a request acts as (KMIP 2.1 §7.1 Authentication, combined with the TLS client certificate):
    /// `user:NAME` with a valid Username and Password credential that this certificate may use, else
    /// the certificate subject. A credential that is wrong, unknown, not allowed from this certificate,
    /// not configured, or missing when one is required fails the whole request.
    public func requestIdentity(_ header: RequestHeader, certificateSubject: String) async throws(EngineError) -> String {
        let credential: UsernamePassword?
        do { credential = try UsernamePassword(authentication: header.authentication) } catch {
            throw EngineError(.authenticationNotSuccessful, "malformed credential: \(error.message)")
        }
        // An empty Username and Password is no credential: a C client library used by storage software
        // always sends one. Without a password file there is nothing to check a credential against,
        // and the TLS certificate has already authenticated the client: the credential is ignored.
        guard let credential, !(credential.username.isEmpty && credential.password.isEmpty) else {
            if requireCredential { throw EngineError(.authenticationNotSuccessful, "a Username and Password credential is required") }
            return certificateIdentity(certificateSubject)
        }
        guard let passwords else { return certificateIdentity(certificateSubject) }
        guard let identity = await passwords.identity(for: credential, certificateSubject: certificateSubject, now: Date()) else {
            throw EngineError(.authenticationNotSuccessful, "credential refused")
        }
        return identity
    }
    /// The identity a certificate acts as: its group's, or its own subject.
    public func certificateIdentity(_ subject: String) -> String {
        groups.first { $0.contains(subject: subject) }?.identity ?? subject
    }

    /// Owner and admins: everything; anyone else: the operations a grant names (none when `operation`
    /// is nil).
    public func mayAccess(_ object: ManagedObject, identity: String, operation: KMIP.Operation?) -> Bool {
        if mayManage(object, identity: identity) { return true }
        guard let operation else { return false }
        return Grant.of(object).contains { $0.allows(identity, operation) }
    }
    /// Owner and admins: the only ones who may change an object's grants.
    public func mayManage(_ object: ManagedObject, identity: String) -> Bool {
        object.owner == identity || isAdmin(identity)
    }
}
