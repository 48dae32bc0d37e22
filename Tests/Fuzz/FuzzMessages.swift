// libFuzzer target over what every client can reach: frame length, TTLV decoding, the request and
// response models, attribute lists, and the XML reader. Built by scripts/fuzz with the KMIP sources.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessages(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = TTLVDecoder.frameLength(bytes)
    if let tree = try? TTLVDecoder(limits: TTLVLimits(maxMessageSize: 1 << 20)).decode(bytes) {
        // Whatever decodes must encode back to something that decodes to the same tree.
        guard let back = try? TTLVDecoder().decode(TTLVEncoder.encode(tree)), back == tree else {
            fatalError("TTLV round trip changed the message")
        }
        if let request = try? RequestMessage(ttlv: tree) {
            _ = TTLVEncoder.encode(request.ttlv)
            for item in request.batchItems {
                for c in item.payload.children where c.tag == .attributes || c.tag == .templateAttribute {
                    _ = try? AttributeList.read(c)
                }
            }
        }
        _ = try? ResponseMessage(ttlv: tree)
    }
    if let text = String(validating: bytes, as: UTF8.self), let xml = try? XMLElement.parse(text) {
        _ = try? TTLVXML.ttlv(xml)
    }
    return 0
}
