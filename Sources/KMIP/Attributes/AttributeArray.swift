/// Reading and editing a list of attributes by tag rather than by name.
extension Array where Element == Attribute {
    public func first(_ tag: Tag) -> Attribute? { first { $0.key == .tag(tag) } }
    public func all(_ tag: Tag) -> [Attribute] { filter { $0.key == .tag(tag) } }
    public func contains(_ tag: Tag) -> Bool { first(tag) != nil }
    /// Removes every instance of each of `tags`.
    public mutating func remove(_ tags: Tag...) {
        let keys = Set(tags.map { Attribute.Key.tag($0) })
        removeAll { keys.contains($0.key) }
    }
    public var cryptographicAlgorithm: CryptographicAlgorithm? {
        first(.cryptographicAlgorithm)?.value.enumValue.map { CryptographicAlgorithm(rawValue: $0) }
    }
}
