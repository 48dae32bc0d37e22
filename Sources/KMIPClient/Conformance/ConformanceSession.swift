import Foundation
import KMIP

/// Per-file state of a conformance run: placeholder bindings and the comparison rules.
struct ConformanceSession {
    var bindings: [String: String] = [:]
    let requestTexts: Set<String>
    /// The file makes keys with Create / Create Key Pair: their ciphertexts, MACs and signatures
    /// differ from the reference server's, and later requests that quote them get ours instead.
    let generatesKeys: Bool
    /// Reference value → the value this server returned, for those later requests.
    var replacements: [String: String] = [:]

    init(requestTexts: Set<String>, generatesKeys: Bool) { self.requestTexts = requestTexts; self.generatesKeys = generatesKeys }

    /// Tags whose values legitimately differ between servers (generated material, derived values).
    static let generated: Set<Tag> = [.digestValue, .keyMaterial, .data, .ivCounterNonce, .authenticatedEncryptionTag,
                                      .signatureData, .macData, .correlationValue, .serverCorrelationValue, .certificateValue]
    /// Structures whose actual form may carry children the expected one lacks.
    static let openStructures: Set<Tag> = [.attributes, .responseHeader, .serverInformation, .responsePayload, .attribute,
                                           .capabilityInformation, .profileInformation, .validationInformation]

    /// The values responses returned so far, by tag (latest wins), for placeholders first seen in a request.
    var lastValues: [String: String] = [:]

    mutating func remember(_ response: TTLV) {
        func walk(_ t: TTLV) {
            if case .structure(let c) = t.value { c.forEach(walk) } else { lastValues[t.tag.xmlName] = Self.render(t) }
        }
        walk(response)
    }

    /// `$NOW±n` becomes a time; other `$NAME` placeholders become what the server returned for them —
    /// bound earlier, or (first seen in a request, like `$MAC_DATA`) the same field of the last response.
    mutating func substitute(_ raw: String, element: String) -> String {
        if let r = replacements[raw.lowercased()] { return r }
        guard raw.hasPrefix("$") else { return raw }
        if raw.hasPrefix("$NOW") {
            let offset = Int64(raw.dropFirst(4).replacingOccurrences(of: "+", with: "")) ?? 0
            return ISODate.format(Int64(Date().timeIntervalSince1970) + offset)
        }
        let key = String(raw.dropFirst())
        if let bound = bindings[key] { return bound }
        if let seen = lastValues[element] { bindings[key] = seen; return seen }
        return raw
    }

    /// nil when `actual` matches `expected`; otherwise the first difference.
    mutating func compare(expected: XMLElement, actual: TTLV, path: String, operation: KMIP.Operation? = nil) -> String? {
        guard let tag = Tag(named: expected.name) else { return "\(path): unknown expected tag \(expected.name)" }
        guard tag == actual.tag else { return "\(path): expected \(expected.name), got \(actual.tag.xmlName)" }
        let here = "\(path)/\(expected.name)"
        // The Random Number Generator attribute describes the server's own RNG (KMIP 2.1 §4.46).
        if tag == .randomNumberGenerator { return nil }
        if tag == .attributeValue, contextSiblings.first?.attributes["value"] == "Random Number Generator" { return nil }
        let type = ItemType(xmlName: expected.attributes["type"] ?? "Structure") ?? .structure
        guard type == actual.itemType else { return "\(here): expected \(type.xmlName), got \(actual.itemType.xmlName)" }
        if type == .structure { return compareChildren(expected, actual, here, operation: operation) }

        let raw = expected.attributes["value"] ?? ""
        let got = Self.render(actual)
        if raw.hasPrefix("$") {
            if raw.hasPrefix("$NOW") { return nil }
            let key = String(raw.dropFirst())
            if let bound = bindings[key] { return bound == got ? nil : "\(here): expected \(raw)=\(bound), got \(got)" }
            bindings[key] = got
            return nil
        }
        if type == .dateTime || type == .dateTimeExtended { return nil }  // times vary between runs
        if (type == .byteString || type == .bigInteger) && Self.generated.contains(tag) {
            // Server-generated material (keys, digests) never matches; outputs of generated keys vary too.
            if !requestTexts.contains(raw.lowercased()) { return nil }
            if generatesKeys { replacements[raw.lowercased()] = got; return nil }
        }
        // Resolve enumeration names against the attribute this value belongs to, as the request side does.
        // (A response-side placeholder was handled above.)
        let wanted: TTLV
        do {
            let wrapper = XMLElement(name: "Attribute", children: contextSiblings + [expected])
            wanted = try TTLVXML.ttlv(wrapper).children.last!
        } catch { return "\(here): cannot read expected value '\(raw)': \(error)" }
        return wanted.value == actual.value ? nil : "\(here): expected \(raw), got \(got)"
    }

    /// The Attribute Name sibling of the value being compared (enumeration names depend on it).
    private var contextSiblings: [XMLElement] = []

    private mutating func compareChildren(_ expected: XMLElement, _ actual: TTLV, _ here: String, operation: KMIP.Operation?) -> String? {
        var op = operation
        if actual.tag == .batchItem, let o = actual.first(.operation)?.enumValue { op = KMIP.Operation(rawValue: o) }
        if actual.tag == .responsePayload && (op == .query || op == .discoverVersions && false) { return nil }  // Query contents vary
        let open = Self.openStructures.contains(actual.tag)
        let kids = actual.children
        var used = Set<Int>()
        var k = 0
        var attributeName: XMLElement?
        for child in expected.children {
            // Wording and correlation values are the server's own.
            if child.name == "ResultMessage" || child.name == "ServerCorrelationValue" { continue }
            guard let childTag = Tag(named: child.name) else { return "\(here): unknown expected tag \(child.name)" }
            contextSiblings = child.name == "AttributeValue" ? (attributeName.map { [$0] } ?? []) : []
            if child.name == "AttributeName" { attributeName = child }
            if open {
                // Open structures (attribute lists, headers): order is not defined and extras are allowed.
                var firstProblem: String?
                var found = false
                for j in kids.indices where !used.contains(j) && kids[j].tag == childTag {
                    let saved = bindings
                    let ctx = contextSiblings
                    if let problem = compare(expected: child, actual: kids[j], path: here, operation: op) {
                        bindings = saved; contextSiblings = ctx
                        firstProblem = firstProblem ?? problem
                    } else { used.insert(j); found = true; break }
                }
                if !found { return firstProblem ?? "\(here): missing \(child.name)" }
                continue
            }
            while k < kids.count && kids[k].tag == .resultMessage && childTag != .resultMessage { k += 1 }
            // An Attribute Index of 0 may be omitted (1.4 §2.1.1): the vectors omit it, kmipd sends it.
            if k < kids.count && Self.isIndexZero(kids[k]) && childTag != .attributeIndex { k += 1 }
            // KMIP 2.1 §4.21: a Digest carries its value only if the server can see the key material
            // (never for a private key that cannot leave the HSM).
            let conditional = childTag == .digestValue
            if conditional && (k >= kids.count || kids[k].tag != childTag) { continue }
            guard k < kids.count else { return "\(here): missing \(child.name)" }
            guard kids[k].tag == childTag else { return "\(here): expected \(child.name), got \(kids[k].tag.xmlName)" }
            if let problem = compare(expected: child, actual: kids[k], path: here, operation: op) { return problem }
            k += 1
        }
        if !open, let extra = kids[k...].first(where: { $0.tag != .resultMessage && !Self.isIndexZero($0) }) {
            return "\(here): unexpected \(extra.tag.xmlName)"
        }
        return nil
    }

    static func isIndexZero(_ t: TTLV) -> Bool { t.tag == .attributeIndex && t.value == .integer(0) }

    static func render(_ t: TTLV) -> String {
        switch t.value {
        case .textString(let s): return s
        case .byteString(let b), .bigInteger(let b): return b.map { String(format: "%02x", $0) }.joined()
        case .integer(let v): return String(v)
        case .longInteger(let v), .dateTime(let v), .dateTimeExtended(let v): return String(v)
        case .enumeration(let v), .interval(let v): return String(v)
        case .boolean(let b): return String(b)
        case .structure: return "<structure>"
        }
    }
}
