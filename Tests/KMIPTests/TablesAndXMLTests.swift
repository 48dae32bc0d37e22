import KMIP
import Testing

/// The generated tables (from the specifications) and the XML form of the OASIS test files.
@Suite struct TablesAndXMLTests {
    @Test func tagsCarryNameAndVersion() {
        #expect(Tag.activationDate.rawValue == 0x420001 && Tag.activationDate.name == "Activation Date")
        #expect(Tag.activationDate.since == .v1_0)
        #expect(Tag.shortUniqueIdentifier.since == .v2_0)
        #expect(Tag(named: "ActivationDate") == .activationDate)
        #expect(Tag(named: "activation date") == .activationDate)
        #expect(TagTable.all.count > 350)
    }

    @Test func enumerationsCarryNameAndVersion() {
        #expect(ObjectType.symmetricKey.name == "Symmetric Key")
        #expect(ObjectType(named: "SymmetricKey") == .symmetricKey)
        #expect(CryptographicAlgorithm(named: "DES3") == ._3des)  // the XML spelling of 3DES
        #expect(ResultReason.objectNotFound.since == .v2_0)
        #expect(Operation.setAttribute.since == .v2_0)
        #expect(State.preActive.rawValue == 1 && State.destroyedCompromised.rawValue == 6)
    }

    @Test func xmlToTTLV() throws {
        let xml = """
        <?xml version="1.0"?>
        <!-- a comment -->
        <RequestPayload>
          <ObjectType type="Enumeration" value="SymmetricKey"/>
          <Attribute>
            <AttributeName type="TextString" value="Cryptographic Usage Mask"/>
            <AttributeValue type="Integer" value="Encrypt Decrypt"/>
          </Attribute>
          <Attribute>
            <AttributeName type="TextString" value="Cryptographic Algorithm"/>
            <AttributeValue type="Enumeration" value="AES"/>
          </Attribute>
          <AttributeReference type="Enumeration" value="State"/>
          <ActivationDate type="DateTime" value="2012-04-25T08:10:23+00:00"/>
          <KeyMaterial type="ByteString" value="0a0B"/>
          <Extractable type="Boolean" value="false"/>
          <NameValue type="TextString" value="a &amp; b"/>
        </RequestPayload>
        """
        let t = try TTLVXML.ttlv(try XMLElement.parse(xml))
        #expect(t.first(.objectType)?.enumValue == ObjectType.symmetricKey.rawValue)
        #expect(t.all(.attribute)[0].first(.attributeValue)?.int32 == 12)
        #expect(t.all(.attribute)[1].first(.attributeValue)?.enumValue == CryptographicAlgorithm.aes.rawValue)
        #expect(t.first(.attributeReference)?.enumValue == Tag.state.rawValue)
        #expect(t.first(.activationDate)?.dateSeconds == 1_335_341_423)
        #expect(t.first(.keyMaterial)?.bytes == [0x0A, 0x0B])
        #expect(t.first(.extractable)?.bool == false)
        #expect(t.first(.nameValue)?.text == "a & b")
        #expect(ISODate.format(1_335_341_423) == "2012-04-25T08:10:23+00:00")
    }

    @Test func xmlErrors() {
        #expect(throws: KMIPCodecError.self) { try XMLElement.parse("<A><B></A>") }
        #expect(throws: KMIPCodecError.self) { try TTLVXML.ttlv(try XMLElement.parse("<NoSuchTag type=\"Integer\" value=\"1\"/>")) }
        #expect(throws: KMIPCodecError.self) { try TTLVXML.ttlv(try XMLElement.parse("<ObjectType type=\"Enumeration\" value=\"Nope\"/>")) }
    }

    @Test func attributesInBothForms() throws {
        let name = Attribute(name: "Name", value: .structure(.name, [TTLV(.nameValue, .textString("k")), TTLV(.nameType, .enumeration(1))]))
        let vendor = Attribute(name: "x-Barcode", value: TTLV(.attributeValue, .textString("XA1")))
        let v1 = AttributeList.encode([name, vendor], version: .v1_4)
        let v2 = AttributeList.encode([name, vendor], version: .v2_1)
        // 1.x responses number each instance (Attribute Index 0 included).
        #expect(try AttributeList.read(.structure(.templateAttribute, v1)) == AttributeList.numbered([name, vendor]))
        #expect(try AttributeList.read(v2[0]) == [name, vendor])
        // 2.x vendor attributes carry Vendor Identification and the bare name.
        #expect(v2[0].children[1].first(.vendorIdentification)?.text == "x")
        #expect(v2[0].children[1].first(.attributeName)?.text == "Barcode")
        // A 2.0 attribute is not sent to a 1.4 client.
        let short = Attribute(.shortUniqueIdentifier, .byteString([1]))
        #expect(AttributeList.encode([short], version: .v1_4).isEmpty)
    }
}
