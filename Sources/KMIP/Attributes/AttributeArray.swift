/// Reading and editing a list of attributes by tag rather than by name.
extension Array where Element == Attribute {
    public func first(_ tag: Tag) -> Attribute? {
        guard let name = tag.name else { return nil }
        return first { $0.name == name }
    }
    public func all(_ tag: Tag) -> [Attribute] {
        guard let name = tag.name else { return [] }
        return filter { $0.name == name }
    }
    public func contains(_ tag: Tag) -> Bool { first(tag) != nil }
    /// Removes every instance of each of `tags`.
    public mutating func remove(_ tags: Tag...) {
        let names = Set(tags.compactMap(\.name))
        removeAll { names.contains($0.name) }
    }
    public var cryptographicAlgorithm: CryptographicAlgorithm? {
        first(.cryptographicAlgorithm)?.value.enumValue.map { CryptographicAlgorithm(rawValue: $0) }
    }
}
