import KMIP

/// One-way protection (KMIP 2.1 §4.23 Extractable: may only become false; §4.55 Sensitive: may only
/// become true), carried over to what is made from an object: a replacement (Re-key and its siblings)
/// or a derived key is never less protected than its source. Otherwise a client could re-key or derive
/// its way to reading material the source keeps in the token.
enum Protection {
    /// Refuses a request that asks the new object to be less protected than `source`.
    static func checkRequested(_ requested: [Attribute], source: ManagedObject) throws(EngineError) {
        if !source.extractable, requested.contains(where: { $0.tag == .extractable && $0.value.bool == true }) {
            throw EngineError(.permissionDenied, "an object made from non-extractable \(source.uid) may not be extractable")
        }
        if isSensitive(source), requested.contains(where: { $0.tag == .sensitive && $0.value.bool == false }) {
            throw EngineError(.permissionDenied, "an object made from sensitive \(source.uid) may not be non-sensitive")
        }
    }

    /// Makes `object` at least as protected as `source` (before the server applies its defaults).
    static func inherit(_ object: inout ManagedObject, from source: ManagedObject) {
        if !source.extractable { object.set(.extractable, .boolean(false)) }
        if isSensitive(source) { object.set(.sensitive, .boolean(true)) }
    }

    static func isSensitive(_ o: ManagedObject) -> Bool { o.first(.sensitive)?.value.bool ?? false }
}
