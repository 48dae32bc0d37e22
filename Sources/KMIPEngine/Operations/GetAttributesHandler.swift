import KMIP

/// Get Attributes (KMIP 2.1 §6.1.23): the named attributes, in the order asked, or all of them.
struct GetAttributesHandler: OperationHandler {
    static let operation = Operation.getAttributes

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        let object = try await context.fetch(uid)
        let wanted = AttributeSelection.names(in: payload)
        let visible = object.attributes.filter { $0.isDefined(in: context.version) }
        var chosen = [Attribute]()
        if wanted.isEmpty {
            chosen = visible
        } else {
            for name in wanted { chosen += visible.filter { $0.name == name } }
        }
        context.idPlaceholder = uid
        var out = [TTLV(.uniqueIdentifier, .textString(uid))]
        out += AttributeList.encode(chosen, version: context.version)
        return response(out)
    }
}

/// Reads attribute references: 1.x Attribute Name text, 2.x Attribute Reference (a tag enumeration or
/// vendor name).
enum AttributeSelection {
    static func names(in payload: TTLV) -> [String] {
        var names = [String]()
        for c in payload.children {
            if c.tag == .attributeName, let t = c.text { names.append(t) }
            if c.tag == .attributeReference {
                if let e = c.enumValue, let n = Tag(e).name { names.append(n) }
                if let n = c.first(.attributeName)?.text {
                    names.append(Attribute.vendorName(vendor: c.first(.vendorIdentification)?.text, name: n))
                }
            }
        }
        return names
    }
}
