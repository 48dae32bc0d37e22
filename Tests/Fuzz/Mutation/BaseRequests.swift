import Foundation
import KMIP

/// The OASIS vectors' Request Messages as the mutation run starts from: placeholders resolved (times
/// to now, identifiers to live objects of the right kind), duplicates removed, in file order.
final class BaseRequests {
    private(set) var messages: [TTLV]
    init(_ m: [TTLV]) { messages = m }

    var count: Int { messages.count }
    subscript(_ i: Int) -> TTLV { messages[i] }
    func map<T>(_ f: (TTLV) throws -> T) rethrows -> [T] { try messages.map(f) }

    static let marker = "@UID"

    /// `now` resolves every `$NOW±n` of one run alike, so that the plan — and with it each mutation's
    /// number — is the same in every run started at another second.
    static func load(_ files: [String], live: LiveObjects, now: Int64) throws -> BaseRequests {
        var seen = Set<[UInt8]>(), out = [TTLV]()
        for path in files.sorted() {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), let root = try? XMLElement.parse(text) else { continue }
            for e in root.children where e.name == "RequestMessage" {
                guard var t = try? TTLVXML.ttlv(e, resolve: { resolve($0, $1, now: now) }) else { continue }
                t = substitute(t, live)
                if seen.insert(TTLVEncoder.encode(t)).inserted { out.append(t) }
            }
        }
        return BaseRequests(out)
    }

    static func resolve(_ raw: String, _ element: String, now: Int64) -> String {
        guard raw.hasPrefix("$") else { return raw }
        if raw.hasPrefix("$NOW") { return ISODate.format(now + (Int64(raw.dropFirst(4).replacingOccurrences(of: "+", with: "")) ?? 0)) }
        if raw.hasPrefix("$UNIQUE_IDENTIFIER_") { return marker + raw.dropFirst("$UNIQUE_IDENTIFIER_".count) }
        return "00"  // values the vectors take from earlier answers (MAC data, IVs): bytes of their own
    }

    /// Replaces identifier markers, item by item, by the live object that item's operation needs.
    static func substitute(_ message: TTLV, _ live: LiveObjects) -> TTLV {
        TTLV(message.tag, .structure(message.children.map { child in
            guard child.tag == .batchItem, let op = child.first(.operation)?.enumValue.map(KMIP.Operation.init(rawValue:)) else { return child }
            let text = "\(child)"
            let elliptic = text.contains("ECDSA") || text.contains("enumeration(6)") && text.contains("cryptographicAlgorithm")
            func walk(_ t: TTLV) -> TTLV {
                switch t.value {
                case .structure(let c): return TTLV(t.tag, .structure(c.map(walk)))
                case .textString(let s) where s.hasPrefix(marker):
                    let index = Int(s.dropFirst(marker.count)) ?? 0
                    return TTLV(t.tag, .textString(live.identifier(for: t.tag, operation: op, index: index, elliptic: elliptic)))
                default: return t
                }
            }
            return walk(child)
        }))
    }

    /// After the live objects were made anew: the old identifiers become the new ones.
    func replaceIdentifiers(from old: LiveObjects, to new: LiveObjects) {
        let map = Dictionary(uniqueKeysWithValues: zip(
            [old.aes, old.hmac, old.rsaPrivate, old.rsaPublic, old.ecPrivate, old.ecPublic, old.certificate],
            [new.aes, new.hmac, new.rsaPrivate, new.rsaPublic, new.ecPrivate, new.ecPublic, new.certificate]))
        func walk(_ t: TTLV) -> TTLV {
            switch t.value {
            case .structure(let c): return TTLV(t.tag, .structure(c.map(walk)))
            case .textString(let s): return map[s].map { TTLV(t.tag, .textString($0)) } ?? t
            default: return t
            }
        }
        messages = messages.map(walk)
    }
}
