import ArgumentParser
import Foundation

/// The blocks of a PEM file (RFC 7468): label and DER body, in file order. Tolerant as OpenSSL is: text
/// between blocks (`subject=…` lines of a chain file), any line length, CRLF; SwiftASN1's PEMDocument
/// refuses lines that are not 64 characters, which real certificate bundles do not always keep.
struct PEMBlock: Equatable {
    var label: String
    var der: [UInt8]

    /// The blocks; nil when the bytes are not PEM at all (DER, raw key bytes, a password).
    static func blocks(_ bytes: [UInt8]) throws -> [PEMBlock]? {
        guard let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN ") else { return nil }
        var blocks = [PEMBlock]()
        var rest = text[...]
        while let begin = rest.range(of: "-----BEGIN ") {
            guard let labelEnd = rest.range(of: "-----", range: begin.upperBound..<rest.endIndex) else {
                throw ValidationError("a PEM BEGIN line has no closing dashes")
            }
            let label = String(rest[begin.upperBound..<labelEnd.lowerBound])
            guard let end = rest.range(of: "-----END \(label)-----", range: labelEnd.upperBound..<rest.endIndex) else {
                throw ValidationError("the PEM \(label) block has no END \(label) line")
            }
            let body = rest[labelEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
            guard let der = Data(base64Encoded: String(body)), !der.isEmpty else {
                throw ValidationError("the PEM \(label) block (number \(blocks.count + 1)) is not base64")
            }
            blocks.append(PEMBlock(label: label, der: [UInt8](der)))
            rest = rest[end.upperBound...]
        }
        return blocks
    }
}
