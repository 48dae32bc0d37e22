/// The Username and Password credential of a request header (KMIP 2.1 §2.1.2 Credential, §7.1
/// Authentication; 1.4 §2.1.2). 1.x carries one Credential, 2.x one or more: the first of type
/// Username and Password is used.
public struct UsernamePassword: Sendable, Hashable {
    public var username: String
    public var password: String
    public init(username: String, password: String) { self.username = username; self.password = password }

    /// nil when the Authentication structure has no Username and Password credential; a malformed one
    /// (a missing or non-text Username or Password) is an error.
    public init?(authentication: TTLV?) throws(KMIPCodecError) {
        guard let authentication else { return nil }
        for credential in authentication.all(.credential) {
            guard try credential.optionalEnum(.credentialType) == CredentialType.usernameAndPassword.rawValue else { continue }
            let value = try credential.required(.credentialValue)
            self.init(username: try value.requiredText(.username), password: try value.optionalText(.password) ?? "")
            return
        }
        return nil
    }

    /// The Authentication structure that carries this credential.
    public var authentication: TTLV {
        .structure(.authentication, [.structure(.credential, [
            TTLV(.credentialType, .enumeration(CredentialType.usernameAndPassword.rawValue)),
            .structure(.credentialValue, [TTLV(.username, .textString(username)), TTLV(.password, .textString(password))]),
        ])])
    }
}
