/// The encoding of a KMIP message (KMIP Additional Message Encodings 1.0): TTLV, XML or JSON, with the
/// HTTP Content-Type of each (§2.4, §2.5).
public enum MessageEncoding: String, Sendable, Equatable, CaseIterable {
    case ttlv, xml, json

    public var contentType: String {
        switch self {
        case .ttlv: "application/octet-stream"
        case .xml: "text/xml"
        case .json: "application/json"
        }
    }

    /// From a Content-Type header; parameters such as `charset` are ignored.
    public init?(contentType: String) {
        let type = contentType.split(separator: ";").first.map { String($0).trimmingCharacters(in: " ") }?.lowercased()
        switch type {
        case "application/octet-stream": self = .ttlv
        case "text/xml", "application/xml": self = .xml
        case "application/json": self = .json
        default: return nil
        }
    }

    /// A message tree in this encoding.
    public func encode(_ t: TTLV) -> [UInt8] {
        switch self {
        case .ttlv: TTLVEncoder.encode(t)
        case .xml: TTLVXMLWriter.encode(t)
        case .json: TTLVJSON.encode(t)
        }
    }

    /// A message in this encoding, read under `limits`.
    public func decode(_ bytes: [UInt8], limits: TTLVLimits) throws(KMIPCodecError) -> TTLV {
        switch self {
        case .ttlv: try TTLVDecoder(limits: limits).decode(bytes)
        case .xml: try TTLVXML.decode(bytes, limits: limits)
        case .json: try TTLVJSON.decode(bytes, limits: limits)
        }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
