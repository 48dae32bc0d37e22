/// Binary TTLV encoding (KMIP 2.1 §9.1): 3-byte tag, 1-byte type, 4-byte length, value padded to 8.
public enum TTLVEncoder {
    public static func encode(_ item: TTLV) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        append(item, to: &out)
        return out
    }

    public static func append(_ item: TTLV, to out: inout [UInt8]) {
        let t = item.tag.rawValue
        out.append(UInt8(truncatingIfNeeded: t >> 16)); out.append(UInt8(truncatingIfNeeded: t >> 8)); out.append(UInt8(truncatingIfNeeded: t))
        out.append(item.itemType.rawValue)
        switch item.value {
        case .structure(let children):
            let lengthAt = out.count
            out.append(contentsOf: [0, 0, 0, 0])
            for c in children { append(c, to: &out) }
            let len = UInt32(out.count - lengthAt - 4)
            withUnsafeBytes(of: len.bigEndian) { b in for i in 0..<4 { out[lengthAt + i] = b[i] } }
        case .integer(let v): fixed(UInt64(UInt32(bitPattern: v)) << 32, length: 4, &out)
        case .enumeration(let v): fixed(UInt64(v) << 32, length: 4, &out)
        case .interval(let v): fixed(UInt64(v) << 32, length: 4, &out)
        case .longInteger(let v), .dateTime(let v), .dateTimeExtended(let v): fixed(UInt64(bitPattern: v), length: 8, &out)
        case .boolean(let v): fixed(v ? 1 : 0, length: 8, &out)
        case .textString(let s): variable(Array(s.utf8), &out)
        case .byteString(let b): variable(b, &out)
        case .bigInteger(let b): variable(signPadded(b), &out)
        }
    }

    private static func fixed(_ v: UInt64, length: UInt32, _ out: inout [UInt8]) {
        withUnsafeBytes(of: length.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func variable(_ bytes: [UInt8], _ out: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: bytes)
        let pad = (8 - bytes.count % 8) % 8
        out.append(contentsOf: repeatElement(0, count: pad))
    }

    /// Big Integers are two's complement with a length that is a multiple of 8 (§9.1.1.4).
    static func signPadded(_ b: [UInt8]) -> [UInt8] {
        guard !b.isEmpty else { return [UInt8](repeating: 0, count: 8) }
        let fill: UInt8 = (b[0] & 0x80) != 0 ? 0xFF : 0x00
        let pad = (8 - b.count % 8) % 8
        return [UInt8](repeating: fill, count: pad) + b
    }
}
