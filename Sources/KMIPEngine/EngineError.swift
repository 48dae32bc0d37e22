import KMIP

/// The one error type of the engine. Handlers, the token and the store throw it with a `Code`; the
/// batch executor turns the code into a KMIP Result Reason in exactly one place (`resultReason`).
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case itemNotFound, permissionDenied, authenticationNotSuccessful, invalidField, invalidMessage, operationNotSupported
        case featureNotSupported, wrongKeyLifecycleState, stateForbidsChange, incompatibleUsageMask, objectNotExtractable, sensitive, keyFormatNotSupported
        case cryptographicFailure, objectAlreadyExists, attributeNotFound, attributeReadOnly, keyValueNotPresent
        case attributeSingleValued, nonUniqueName, objectDestroyed, invalidCSR, responseTooLarge, unsupportedProtocolVersion, invalidObjectType
        case tokenUnavailable, storeFailure, generalFailure
        /// The store and the token do not describe each other (start-up only, never a request).
        case bindingMismatch
    }
    public var code: Code
    public var message: String
    /// The C return code behind the failure (CK_RV or SQLite code), when there is one.
    public var underlying: UInt?
    public init(_ code: Code, _ message: String, underlying: UInt? = nil) {
        self.code = code; self.message = message; self.underlying = underlying
    }
    public var description: String {
        underlying.map { "\(code.rawValue): \(message) (rv 0x\(String($0, radix: 16)))" } ?? "\(code.rawValue): \(message)"
    }

    /// KMIP Result Reason for this failure (KMIP 2.1 §11.46), chosen for the client's version.
    public func resultReason(for version: ProtocolVersion) -> ResultReason {
        switch code {
        // 2.x names a missing managed object Object Not Found (KMIP 2.1 §11.46).
        case .itemNotFound: return version.isV2 ? .objectNotFound : .itemNotFound
        case .permissionDenied: return .permissionDenied
        case .authenticationNotSuccessful: return .authenticationNotSuccessful
        case .invalidField: return .invalidField
        case .invalidMessage: return .invalidMessage
        case .operationNotSupported: return .operationNotSupported
        case .featureNotSupported: return .featureNotSupported
        // Wrong Key Lifecycle State is a 2.0 reason; KMIP 1.x servers (and the 1.4 test cases) say
        // Permission Denied when the state forbids what was asked.
        case .wrongKeyLifecycleState: return version.isV2 ? .wrongKeyLifecycleState : .permissionDenied
        // A change the object's state forbids (destroying an Active key, moving an Active key's
        // Activation Date): KMIP 1.x answers Permission Denied, 2.x Wrong Key Lifecycle State.
        case .stateForbidsChange: return version.isV2 ? .wrongKeyLifecycleState : .permissionDenied
        case .incompatibleUsageMask: return version.isV2 ? .incompatibleCryptographicUsageMask : .permissionDenied
        // Not Extractable and Sensitive arrived in 1.4; earlier clients know only Permission Denied.
        case .objectNotExtractable: return version >= .v1_4 ? .notExtractable : .permissionDenied
        case .sensitive: return version >= .v1_4 ? .sensitive : .permissionDenied
        case .keyFormatNotSupported: return .keyFormatTypeNotSupported
        case .keyValueNotPresent: return version >= .v1_2 ? .keyValueNotPresent : .permissionDenied
        case .cryptographicFailure: return .cryptographicFailure
        case .objectAlreadyExists: return version >= .v1_4 ? .objectAlreadyExists : .illegalOperation
        case .attributeNotFound: return version.isV2 ? .attributeNotFound : .itemNotFound
        case .attributeReadOnly: return version.isV2 ? .attributeReadOnly : .permissionDenied
        case .attributeSingleValued: return version.isV2 ? .attributeSingleValued : .indexOutOfBounds
        // Asking for the value of a destroyed object (KMIP 2.1 §11.46 Object Destroyed); 1.x has no
        // such reason and its clients (PyKMIP's tests among them) expect Item Not Found.
        case .objectDestroyed: return version.isV2 ? .objectDestroyed : .itemNotFound
        case .invalidCSR: return version.isV2 ? .invalidCSR : .invalidField
        case .nonUniqueName: return version.isV2 ? .nonUniqueNameAttribute : .invalidField
        case .responseTooLarge: return .responseTooLarge
        case .unsupportedProtocolVersion: return version.isV2 ? .unsupportedProtocolVersion : .invalidMessage
        case .invalidObjectType: return version.isV2 ? .invalidObjectType : .illegalOperation
        case .tokenUnavailable, .storeFailure, .generalFailure, .bindingMismatch: return .generalFailure
        }
    }
}

extension EngineError {
    /// Any error from parsing a request payload: engine errors pass through, codec errors map as
    /// below, anything else is an Invalid Field.
    public static func from(_ error: any Error) -> EngineError {
        switch error {
        case let e as EngineError: return e
        case let e as KMIPCodecError: return EngineError(e)
        default: return EngineError(.invalidField, "\(error)")
        }
    }

    /// Request-shape failures from the codec become Invalid Field (a field of the wrong type or value)
    /// or Invalid Message (a structure that cannot be read at all).
    public init(_ e: KMIPCodecError) {
        switch e.code {
        case .missingField, .wrongType, .invalidValue, .unknownTag: self.init(.invalidField, e.message)
        default: self.init(.invalidMessage, e.message)
        }
    }
}
