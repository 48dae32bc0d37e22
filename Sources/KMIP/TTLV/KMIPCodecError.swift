/// The one error type of the `KMIP` module: codec and message-shape failures, with a stable code.
/// The engine maps codes to KMIP Result Reasons at its boundary.
public struct KMIPCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case truncated, badLength, badPadding, tooDeep, tooLarge, unknownItemType, invalidUTF8
        case missingField, wrongType, invalidValue, unknownTag, xmlSyntax, jsonSyntax
    }
    public var code: Code
    public var message: String
    /// The field the failure concerns, when known.
    public var tag: Tag?
    public init(_ code: Code, _ message: String, tag: Tag? = nil) { self.code = code; self.message = message; self.tag = tag }
    public var description: String { "\(code.rawValue): \(message)" }
}
