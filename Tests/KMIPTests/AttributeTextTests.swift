import KMIP
import Testing

/// Attributes written as `NAME=VALUE` (what `kmip --attribute` takes), typed by the item types the
/// specifications give in their structure tables.
@Suite struct AttributeTextTests {
    let now: Int64 = 1_800_000_000

    func parse(_ s: String) throws -> Attribute { try AttributeText.attribute(s, now: now) }

    /// Every attribute KMIP 2.1 §4 defines has an item type, so every one can be written as text.
    @Test func everyAttributeHasAType() {
        let untyped = AttributeRuleTable.definedInV21.filter { $0.itemType == nil }.map(\.description)
        #expect(untyped.isEmpty, "attributes without an item type: \(untyped)")
        #expect(Tag.cryptographicLength.itemType == .integer && Tag.activationDate.itemType == .dateTime)
        #expect(Tag.offset.itemType == .interval, "from the payload tables' words: \"An Interval object\"")
        #expect(Tag.comment.itemType == .textString && Tag.alwaysSensitive.itemType == .boolean)
    }

    @Test func scalarsByType() throws {
        #expect(try parse("Cryptographic Length=256").value == TTLV(.cryptographicLength, .integer(256)))
        #expect(try parse("CryptographicAlgorithm=AES").value == TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)))
        #expect(try parse("State=Pre-Active").value.enumValue == State.preActive.rawValue)
        #expect(try parse("Extractable=false").value == TTLV(.extractable, .boolean(false)))
        #expect(try parse("Object Group=a=b").value == TTLV(.objectGroup, .textString("a=b")), "the first = splits")
        #expect(try parse("Lease Time=2h").value == TTLV(.leaseTime, .interval(7200)))
        #expect(try parse("Cryptographic Usage Mask=Encrypt,Decrypt").value.int32 == 0xC)
        #expect(try parse("Cryptographic Usage Mask=0x4").value.int32 == 4)
    }

    @Test func dates() throws {
        #expect(try parse("Activation Date=now").value == TTLV(.activationDate, .dateTime(now)))
        #expect(try parse("Activation Date=now+30d").value.dateSeconds == now + 30 * 86400)
        #expect(try parse("Deactivation Date=now-1h").value.dateSeconds == now - 3600)
        #expect(try parse("Activation Date=2027-01-01").value.dateSeconds == 1_798_761_600)
        #expect(try parse("Activation Date=2027-01-01T01:00:00Z").value.dateSeconds == 1_798_761_600 + 3600)
        #expect(try parse("Activation Date=@42").value.dateSeconds == 42)
    }

    @Test func structures() throws {
        let link = try parse("Link=Parent Link:abc:1")
        #expect(link.value.first(.linkType)?.enumValue == LinkType.parentLink.rawValue)
        #expect(link.value.first(.linkedObjectIdentifier)?.text == "abc:1", "only the first ':' splits")
        #expect(try parse("Name=db key").value.first(.nameValue)?.text == "db key")
        let json = try parse(#"Usage Limits={"Usage Limits Total": 1000, "Usage Limits Unit": "Object"}"#)
        #expect(json.value.first(.usageLimitsTotal) == TTLV(.usageLimitsTotal, .longInteger(1000)))
        #expect(json.value.first(.usageLimitsUnit)?.enumValue == UsageLimitsUnit.object.rawValue)
        let params = try parse(#"Cryptographic Parameters={"Block Cipher Mode": "GCM", "Tag Length": 16, "Random IV": true}"#)
        #expect(params.value.children.map(\.tag) == [.blockCipherMode, .tagLength, .randomIV])
    }

    @Test func vendorAttributes() throws {
        let text = try parse("x-team=storage")
        #expect(text.key == .vendor("x-team") && text.value.text == "storage")
        let count = try parse("x-count:Integer=3")
        #expect(count.key == .vendor("x-count") && count.value.int32 == 3)
        #expect(count.v1.first(.attributeName)?.text == "x-count")
    }

    /// What does not read is refused by name, never guessed or trapped on.
    @Test(arguments: ["Cryptographic Length=big", "Cryptographic Length=4294967296", "Frobnication=1", "no equals sign",
                      "Cryptographic Algorithm=Rot13", "Activation Date=tomorrow", "Activation Date=now+99999999999999999d",
                      "Lease Time=-5", "Link=no colon", "Usage Limits={\"Nope\": 1}", "Usage Limits={", "x-n:Structure=1",
                      "Cryptographic Usage Mask=Encrypt,Fly", "Extractable=maybe", "Usage Limits=[1]"])
    func refusals(_ text: String) {
        #expect(throws: AttributeText.Failure.self) { try parse(text) }
    }
}
