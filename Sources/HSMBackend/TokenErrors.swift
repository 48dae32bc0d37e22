import CPKCS11
import PKCS11
import KMIPEngine

/// The one place a CK_RV becomes an engine error code (and so, at the batch boundary, a KMIP Result
/// Reason). The CK_RV is kept in the error.
extension EngineError {
    init(_ e: PKCS11Error) {
        let code: Code
        let initRefusal = e.function.hasSuffix("Init") &&
            (e.rv == UInt(CKR_ARGUMENTS_BAD) || e.rv == UInt(CKR_KEY_SIZE_RANGE) || e.rv == UInt(CKR_KEY_TYPE_INCONSISTENT))
        switch e.rv {
        // A token that refuses a mechanism's parameters or this key at C_*Init cannot do the operation
        // (SoftHSM2: OAEP with SHA-2, HMAC keys shorter than the digest).
        case _ where initRefusal: code = .featureNotSupported
        case UInt(CKR_ATTRIBUTE_SENSITIVE): code = .sensitive
        case UInt(CKR_KEY_UNEXTRACTABLE): code = .objectNotExtractable
        case UInt(CKR_KEY_SIZE_RANGE), UInt(CKR_ATTRIBUTE_VALUE_INVALID), UInt(CKR_TEMPLATE_INCONSISTENT),
             UInt(CKR_TEMPLATE_INCOMPLETE), UInt(CKR_DOMAIN_PARAMS_INVALID): code = .invalidField
        case UInt(CKR_MECHANISM_INVALID), UInt(CKR_FUNCTION_NOT_SUPPORTED), UInt(CKR_MECHANISM_PARAM_INVALID): code = .featureNotSupported
        case UInt(CKR_DEVICE_ERROR), UInt(CKR_DEVICE_MEMORY), UInt(CKR_HOST_MEMORY), UInt(CKR_DEVICE_REMOVED), UInt(CKR_TOKEN_NOT_PRESENT),
             UInt(CKR_SESSION_HANDLE_INVALID), UInt(CKR_SESSION_CLOSED), UInt(CKR_USER_NOT_LOGGED_IN): code = .tokenUnavailable
        case _ where e.code == .tokenNotFound || e.code == .moduleLoad: code = .tokenUnavailable
        default: code = e.code == .notFound ? .itemNotFound : .cryptographicFailure
        }
        let creates = ["C_GenerateKey", "C_GenerateKeyPair", "C_CreateObject", "C_UnwrapKey", "C_DeriveKey"].contains { e.function.hasPrefix($0) }
        if creates && (e.rv == UInt(CKR_HOST_MEMORY) || e.rv == UInt(CKR_DEVICE_MEMORY)) {
            // The token is full (openCryptoki's soft token holds at most 2,048 objects): say so, and
            // let the server's log carry it as a token problem rather than a client's.
            self.init(.tokenUnavailable, "the token has no room for another object: \(e.description)", underlying: e.rv)
            return
        }
        self.init(code, e.description, underlying: e.rv)
    }
}
