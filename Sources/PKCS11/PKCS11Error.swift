import CPKCS11

/// The one error type of the PKCS11 module: the Cryptoki function that failed and its CK_RV.
public struct PKCS11Error: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case call, moduleLoad, tokenNotFound, notFound, invalidArgument }
    public var code: Code
    public var function: String
    public var rv: UInt
    public init(_ code: Code = .call, function: String, rv: UInt = 0) { self.code = code; self.function = function; self.rv = rv }
    public var description: String {
        code != .call && rv == 0 ? function : "\(function) failed: \(ReturnValue.name(rv)) (0x\(String(rv, radix: 16)))"
    }
}

/// Names for the CK_RV values we meet; used in errors and logs.
public enum ReturnValue {
    public static func name(_ rv: UInt) -> String {
        switch rv {
        case UInt(CKR_OK): "CKR_OK"
        case UInt(CKR_GENERAL_ERROR): "CKR_GENERAL_ERROR"
        case UInt(CKR_ARGUMENTS_BAD): "CKR_ARGUMENTS_BAD"
        case UInt(CKR_ATTRIBUTE_SENSITIVE): "CKR_ATTRIBUTE_SENSITIVE"
        case UInt(CKR_ATTRIBUTE_VALUE_INVALID): "CKR_ATTRIBUTE_VALUE_INVALID"
        case UInt(CKR_ATTRIBUTE_TYPE_INVALID): "CKR_ATTRIBUTE_TYPE_INVALID"
        case UInt(CKR_DEVICE_ERROR): "CKR_DEVICE_ERROR"
        case UInt(CKR_DEVICE_MEMORY): "CKR_DEVICE_MEMORY"
        case UInt(CKR_DEVICE_REMOVED): "CKR_DEVICE_REMOVED"
        case UInt(CKR_OPERATION_ACTIVE): "CKR_OPERATION_ACTIVE"
        case UInt(CKR_KEY_SIZE_RANGE): "CKR_KEY_SIZE_RANGE"
        case UInt(CKR_KEY_TYPE_INCONSISTENT): "CKR_KEY_TYPE_INCONSISTENT"
        case UInt(CKR_SIGNATURE_INVALID): "CKR_SIGNATURE_INVALID"
        case UInt(CKR_ENCRYPTED_DATA_INVALID): "CKR_ENCRYPTED_DATA_INVALID"
        case UInt(CKR_DATA_LEN_RANGE): "CKR_DATA_LEN_RANGE"
        case UInt(CKR_MECHANISM_INVALID): "CKR_MECHANISM_INVALID"
        case UInt(CKR_OBJECT_HANDLE_INVALID): "CKR_OBJECT_HANDLE_INVALID"
        case UInt(CKR_PIN_INCORRECT): "CKR_PIN_INCORRECT"
        case UInt(CKR_SESSION_HANDLE_INVALID): "CKR_SESSION_HANDLE_INVALID"
        case UInt(CKR_SESSION_CLOSED): "CKR_SESSION_CLOSED"
        case UInt(CKR_TEMPLATE_INCONSISTENT): "CKR_TEMPLATE_INCONSISTENT"
        case UInt(CKR_TEMPLATE_INCOMPLETE): "CKR_TEMPLATE_INCOMPLETE"
        case UInt(CKR_TOKEN_NOT_PRESENT): "CKR_TOKEN_NOT_PRESENT"
        case UInt(CKR_USER_NOT_LOGGED_IN): "CKR_USER_NOT_LOGGED_IN"
        case UInt(CKR_USER_ALREADY_LOGGED_IN): "CKR_USER_ALREADY_LOGGED_IN"
        case UInt(CKR_CRYPTOKI_NOT_INITIALIZED): "CKR_CRYPTOKI_NOT_INITIALIZED"
        case UInt(CKR_CRYPTOKI_ALREADY_INITIALIZED): "CKR_CRYPTOKI_ALREADY_INITIALIZED"
        case UInt(CKR_BUFFER_TOO_SMALL): "CKR_BUFFER_TOO_SMALL"
        case UInt(CKR_KEY_UNEXTRACTABLE): "CKR_KEY_UNEXTRACTABLE"
        case UInt(CKR_FUNCTION_NOT_SUPPORTED): "CKR_FUNCTION_NOT_SUPPORTED"
        case UInt(CKR_FUNCTION_FAILED): "CKR_FUNCTION_FAILED"
        case UInt(CKR_HOST_MEMORY): "CKR_HOST_MEMORY"
        case UInt(CKR_RANDOM_SEED_NOT_SUPPORTED): "CKR_RANDOM_SEED_NOT_SUPPORTED"
        case UInt(CKR_RANDOM_NO_RNG): "CKR_RANDOM_NO_RNG"
        case UInt(CKR_PIN_LEN_RANGE): "CKR_PIN_LEN_RANGE"
        case UInt(CKR_PIN_EXPIRED): "CKR_PIN_EXPIRED"
        case UInt(CKR_PIN_INVALID): "CKR_PIN_INVALID"
        case UInt(CKR_USER_PIN_NOT_INITIALIZED): "CKR_USER_PIN_NOT_INITIALIZED"
        case UInt(CKR_MECHANISM_PARAM_INVALID): "CKR_MECHANISM_PARAM_INVALID"
        case UInt(CKR_ATTRIBUTE_READ_ONLY): "CKR_ATTRIBUTE_READ_ONLY"
        case UInt(CKR_OPERATION_NOT_INITIALIZED): "CKR_OPERATION_NOT_INITIALIZED"
        case UInt(CKR_SIGNATURE_LEN_RANGE): "CKR_SIGNATURE_LEN_RANGE"
        case UInt(CKR_KEY_FUNCTION_NOT_PERMITTED): "CKR_KEY_FUNCTION_NOT_PERMITTED"
        case UInt(CKR_ENCRYPTED_DATA_LEN_RANGE): "CKR_ENCRYPTED_DATA_LEN_RANGE"
        case UInt(CKR_DOMAIN_PARAMS_INVALID): "CKR_DOMAIN_PARAMS_INVALID"
        case UInt(CKR_KEY_HANDLE_INVALID): "CKR_KEY_HANDLE_INVALID"
        case UInt(CKR_WRAPPED_KEY_INVALID): "CKR_WRAPPED_KEY_INVALID"
        case UInt(CKR_WRAPPING_KEY_TYPE_INCONSISTENT): "CKR_WRAPPING_KEY_TYPE_INCONSISTENT"
        case UInt(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT): "CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT"
        default: "CK_RV"
        }
    }
    /// The value of a name `name(_:)` knows (profiles name return codes).
    public static func value(named n: String) -> UInt? { (0..<0x200).map(UInt.init).first { name($0) == n } }

    /// Errors after which a session can no longer be used: it is replaced by a new, logged-in one.
    /// CKR_OPERATION_ACTIVE is here because a token that did not end an operation after an error (the
    /// spec says it must) leaves the session stuck.
    public static func isSessionLost(_ rv: UInt) -> Bool {
        rv == UInt(CKR_SESSION_HANDLE_INVALID) || rv == UInt(CKR_SESSION_CLOSED) || rv == UInt(CKR_DEVICE_REMOVED)
            || rv == UInt(CKR_TOKEN_NOT_PRESENT) || rv == UInt(CKR_USER_NOT_LOGGED_IN) || rv == UInt(CKR_OBJECT_HANDLE_INVALID)
            || rv == UInt(CKR_OPERATION_ACTIVE)
    }

    /// Errors after which the token's object handles may have changed (it lost every session).
    public static func handlesMayHaveChanged(_ rv: UInt) -> Bool { isSessionLost(rv) && rv != UInt(CKR_OPERATION_ACTIVE) }

    /// Errors that mean the session (not the operation) was refused, so the call had no effect and may
    /// be repeated on a fresh session.
    public static func callNeverRan(_ rv: UInt) -> Bool {
        rv == UInt(CKR_SESSION_HANDLE_INVALID) || rv == UInt(CKR_SESSION_CLOSED) || rv == UInt(CKR_DEVICE_REMOVED)
            || rv == UInt(CKR_USER_NOT_LOGGED_IN) || rv == UInt(CKR_OPERATION_ACTIVE)
    }
}

@inline(__always)
func check(_ rv: CK_RV, _ function: String) throws(PKCS11Error) {
    guard rv == CK_RV(CKR_OK) else { throw PKCS11Error(.call, function: function, rv: UInt(rv)) }
}
