import KMIP
import Testing

/// The generated tables against the specifications' own numbering: KMIP 2.1 §10 (Tags) numbers its
/// tags 42 0001 to 42 0176 without holes except three reserved values, so a tag the generator missed
/// (2.1 writes its newest ones "0x42016A") shows up here as a hole.
@Suite struct TagTableTests {
    static let reservedIn21: Set<UInt32> = [0x420137, 0x42013E, 0x42013F]

    @Test func everyTagOfKMIP21IsKnown() {
        let known = Set(TagTable.all.map(\.value))
        let holes = (UInt32(0x420001)...0x420176).filter { !known.contains($0) && !Self.reservedIn21.contains($0) }
        #expect(holes.isEmpty, "missing tags: \(holes.map { String($0, radix: 16) })")
        #expect(TagTable.all.count == 0x176 - Self.reservedIn21.count)
    }

    /// The 2.1 Rotate attributes and Query's Asynchronous Request structure, which a request may carry.
    @Test func newestTagsAndTheirRules() {
        for name in ["Rotate Automatic", "Rotate Date", "Rotate Generation", "Rotate Interval", "Rotate Latest",
                     "Rotate Name", "Rotate Offset"] {
            let tag = Tag(named: name)
            #expect(tag != nil && tag!.since == ProtocolVersion(2, 1), "\(name)")
            #expect(tag.flatMap { AttributeRule.of(.tag($0)) } != nil, "no rules for \(name)")
            #expect(tag.map { AttributeRuleTable.definedInV21.contains($0) && !AttributeRuleTable.definedInV20.contains($0) } == true)
        }
        #expect(Tag(named: "Asynchronous Request") == Tag(0x420173))
        #expect(Tag(named: "Asynchronous Correlation Values") == Tag(0x420176))
    }

    /// Which version defines which attribute, from the attribute chapters.
    @Test func attributesByVersion() {
        func defined(_ name: String, _ v: ProtocolVersion) -> Bool {
            Attribute(name: name, value: TTLV(.attributeValue, .integer(0))).isDefined(in: v)
        }
        #expect(!defined("Key Format Type", .v1_4) && defined("Key Format Type", .v2_0))
        #expect(defined("Operation Policy Name", .v1_0) && !defined("Operation Policy Name", .v2_0))
        #expect(!defined("Extractable", .v1_3) && defined("Extractable", .v1_4))
        #expect(!defined("Sensitive", .v1_3) && defined("Sensitive", .v2_1))
        #expect(defined("x-anything", .v1_0) && defined("x-anything", .v2_1))
    }
}
