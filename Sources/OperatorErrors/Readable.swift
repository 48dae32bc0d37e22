import Foundation

/// One readable line for an error a person sees (`kmipd` and `kmip` failures): never a Foundation
/// dump. Errors that describe themselves well (`CustomStringConvertible` of our modules) are kept;
/// Foundation's file and JSON errors are turned into what went wrong and with which file or key.
public enum Readable {
    /// What went wrong, without naming the file (callers add it when they know it).
    public static func reason(_ error: any Error) -> String {
        switch error {
        case let e as DecodingError: return decoding(e)
        case let e as CocoaError: return cocoa(e)
        case let e as POSIXError: return String(cString: strerror(e.code.rawValue))
        default:
            let ns = error as NSError
            if ns.domain == NSCocoaErrorDomain { return cocoa(CocoaError(CocoaError.Code(rawValue: ns.code), userInfo: ns.userInfo)) }
            if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
            return oneLine(String(describing: error))
        }
    }

    static func cocoa(_ e: CocoaError) -> String {
        let path = e.filePath ?? e.url?.path
        let what: String
        switch e.code {
        case .fileReadNoSuchFile, .fileNoSuchFile: what = "no such file"
        case .fileReadNoPermission, .fileWriteNoPermission: what = "permission denied"
        case .fileWriteOutOfSpace: what = "no space left on the device"
        case .fileWriteVolumeReadOnly: what = "read-only file system"
        case .fileReadCorruptFile, .propertyListReadCorrupt:
            let detail = (e.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ((e.userInfo[NSUnderlyingErrorKey] as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String)
            what = "not valid JSON" + (detail.map { " (\(oneLine($0)))" } ?? "")
        case .fileReadInapplicableStringEncoding: what = "not UTF-8 text"
        default: what = "file error \(e.code.rawValue)"
        }
        return path.map { "\($0): \(what)" } ?? what
    }

    static func decoding(_ e: DecodingError) -> String {
        func path(_ c: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = (c + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch e {
        case .keyNotFound(let key, let ctx): return "setting \(path(ctx.codingPath, key)) is missing"
        case .valueNotFound(_, let ctx): return "setting \(path(ctx.codingPath)) is null"
        case .typeMismatch(let type, let ctx): return "setting \(path(ctx.codingPath)) should be \(typeName(type))"
        case .dataCorrupted(let ctx):
            if ctx.codingPath.isEmpty {
                let detail = (ctx.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? ctx.debugDescription
                return "not valid JSON (\(oneLine(detail)))"
            }
            return "setting \(path(ctx.codingPath)): \(oneLine(ctx.debugDescription))"
        @unknown default: return oneLine(String(describing: e))
        }
    }

    static func typeName(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default: String(describing: t).hasPrefix("Array") ? "a list" : "an object"
        }
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

/// A failure of a command, as the one line its user reads (with the hint, when there is one).
public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ line: String) { description = line }
    /// `error` explained, prefixed by what was being done ("reading /etc/kmipd/kmipd.json").
    public init(_ step: String, _ error: any Error) { description = "\(step): \(Readable.reason(error))" }
}
