import Testing
@testable import KMIP

/// The JSON and XML message encodings (KMIP Additional Message Encodings 1.0 §4.1, §6.1): the spec's
/// examples read as written, every item type survives a round trip, and hostile text is refused
/// with a codec error before any work.
@Suite struct MessageEncodingTests {
    static let request: TTLV = .structure(.requestMessage, [
        .structure(.requestHeader, [
            .structure(.protocolVersion, [TTLV(.protocolVersionMajor, .integer(1)), TTLV(.protocolVersionMinor, .integer(4))]),
            TTLV(.maximumResponseSize, .integer(256)), TTLV(.batchCount, .integer(1)),
        ]),
        .structure(.batchItem, [
            TTLV(.operation, .enumeration(Operation.create.rawValue)),
            TTLV(.uniqueBatchItemID, .byteString([0xC5, 0x0F, 0x77])),
            .structure(.requestPayload, [
                TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
                .structure(.templateAttribute, [
                    .structure(.attribute, [TTLV(.attributeName, .textString("Cryptographic Algorithm")),
                                            TTLV(.attributeValue, .enumeration(CryptographicAlgorithm.aes.rawValue))]),
                    .structure(.attribute, [TTLV(.attributeName, .textString("Cryptographic Usage Mask")),
                                            TTLV(.attributeValue, .integer(12))]),
                    .structure(.attribute, [TTLV(.attributeName, .textString("x-note <&\"'>")),
                                            TTLV(.attributeValue, .textString("line\nbreak \"quoted\" <tag> & é"))]),
                ]),
                TTLV(.usageLimitsCount, .longInteger(1 << 60)), TTLV(.usageLimitsTotal, .longInteger(-2)),
                TTLV(.activationDate, .dateTime(978_307_200)), TTLV(.offset, .interval(27)),
                TTLV(.fresh, .boolean(true)), TTLV(.x, .bigInteger([0, 0, 0, 0, 0, 0, 1, 0])),
                TTLV(Tag(0x540001), .textString("extension")),
            ]),
        ]),
    ])

    @Test func jsonRoundTrip() throws {
        let text = TTLVJSON.encode(Self.request)
        #expect(try TTLVJSON.decode(text, limits: TTLVLimits()) == Self.request)
        let s = String(decoding: text, as: UTF8.self)
        #expect(s.contains(#"{"tag":"ObjectType","type":"Enumeration","value":"SymmetricKey"}"#))
        #expect(s.contains(#"{"tag":"AttributeValue","type":"Enumeration","value":"AES"}"#))
        #expect(s.contains(#"{"tag":"UsageLimitsCount","type":"LongInteger","value":"0x1000000000000000"}"#))
        #expect(s.contains(#"{"tag":"0x540001","type":"TextString","value":"extension"}"#))
    }

    @Test func xmlRoundTrip() throws {
        let text = TTLVXMLWriter.encode(Self.request)
        #expect(try TTLVXML.decode(text, limits: TTLVLimits()) == Self.request)
        let s = String(decoding: text, as: UTF8.self)
        #expect(s.contains(#"<ObjectType type="Enumeration" value="SymmetricKey"/>"#))
        #expect(s.contains(#"<TTLV tag="0x540001" type="TextString" value="extension"/>"#))
    }

    /// §4.1.6: each example of the spec, as written.
    @Test func jsonSpecExamples() throws {
        func one(_ json: String) throws -> TTLV { try TTLVJSON.decode(Array(json.utf8), limits: TTLVLimits()) }
        #expect(try one(#"{"tag": "BatchCount", "type":"Integer", "value":"0x0000000A"}"#) == TTLV(.batchCount, .integer(10)))
        #expect(try one(#"{"tag": "CryptographicUsageMask", "type":"Integer", "value": "Encrypt|Decrypt|CertificateSign"}"#)
                == TTLV(.cryptographicUsageMask, .integer(0x100c)))
        #expect(try one(#"{"tag": "CryptographicUsageMask", "type":"Integer", "value": "CertificateSign|0x0000000c"}"#)
                == TTLV(.cryptographicUsageMask, .integer(0x100c)))
        #expect(try one(#"{"tag": "0x540001", "type":"LongInteger", "value":"0xfffffffffffffffe"}"#) == TTLV(Tag(0x540001), .longInteger(-2)))
        #expect(try one(#"{"tag": "0x420057", "type":"Enumeration", "value":2}"#) == TTLV(.objectType, .enumeration(2)))
        #expect(try one(#"{"tag": "ObjectType", "type":"Enumeration", "value":"0x00000002"}"#) == TTLV(.objectType, .enumeration(2)))
        #expect(try one(#"{"tag": "BatchOrderOption", "type":"Boolean", "value":"0x0000000000000001"}"#) == TTLV(.batchOrderOption, .boolean(true)))
        #expect(try one(#"{"tag": "ArchiveDate", "type":"DateTime", "value":"0x000000003a505520"}"#) == TTLV(.archiveDate, .dateTime(0x3a50_5520)))
        #expect(try one(#"{"tag": "ArchiveDate", "type":"DateTime", "value":"2001-01-01T10:00:00+10:00"}"#) == TTLV(.archiveDate, .dateTime(978_307_200)))
        #expect(try one(#"{"tag": "Offset", "type":"Interval", "value":"0x0000001b"}"#) == TTLV(.offset, .interval(27)))
        #expect(try one(#"{"tag": "ProtocolVersion", "value":[{"tag": "ProtocolVersionMajor", "type":"Integer", "value":1}]}"#)
                == .structure(.protocolVersion, [TTLV(.protocolVersionMajor, .integer(1))]))
        #expect(try one(#"{"tag": "PrivateKeyTemplateAttribute", "type":"Structure", "value":[]}"#) == .structure(.privateKeyTemplateAttribute, []))
    }

    @Test func normalizedNames() {
        #expect(TextValues.camelCase("Symmetric Key") == "SymmetricKey")
        #expect(TextValues.camelCase("3DES") == "DES3")
        #expect(TextValues.camelCase("PKCS#1 v1.5") == "PKCS_1V1_5")
        #expect(TextValues.camelCase("Certificate Length (deprecated)") == "CertificateLengthDeprecated")
    }

    /// Text from a client is untrusted: each of these is a codec error, never a trap or a hang.
    @Test(arguments: [
        (String(repeating: "[", count: 100_000), KMIPCodecError.Code.tooDeep),
        (String(repeating: #"{"tag":"RequestMessage","value":["#, count: 40), .tooDeep),
        (#"{"tag": "NoSuchTag", "type":"Integer", "value":1}"#, .unknownTag),
        (#"{"tag": "BatchCount", "type":"Integer", "value":4294967296}"#, .invalidValue),
        (#"{"tag": "BatchCount", "type":"Integer", "value":1e400}"#, .invalidValue),
        (#"{"tag": "BatchCount", "type":"Sometimes", "value":1}"#, .jsonSyntax),
        (#"{"tag": "BatchCount", "type":"Integer", "value":"\u"}"#, .jsonSyntax),
        (#"{"tag": "ObjectType", "type":"Enumeration", "value":-1}"#, .invalidValue),
        (#"{"tag": "MACSignature", "type":"ByteString", "value":"C50F7"}"#, .invalidValue),
        (#"{"tag": "RequestMessage", "value": 5}"#, .jsonSyntax),
        (#"[1, 2"#, .jsonSyntax),
        ("\"\u{01}\"", .jsonSyntax),
    ]) func hostileJSONIsRefused(_ text: String, _ code: KMIPCodecError.Code) {
        #expect { try TTLVJSON.decode(Array(text.utf8), limits: TTLVLimits()) } throws: { ($0 as? KMIPCodecError)?.code == code }
    }

    @Test func limitsApplyToText() {
        let limits = TTLVLimits(maxMessageSize: 64, maxDepth: 32, maxItems: 100)
        let big = Array(TTLVJSON.encode(Self.request))
        #expect { try TTLVJSON.decode(big, limits: limits) } throws: { ($0 as? KMIPCodecError)?.code == .tooLarge }
        let many = TTLV.structure(.requestPayload, (0..<200).map { _ in TTLV(.batchCount, .integer(1)) })
        #expect { try TTLVJSON.decode(TTLVJSON.encode(many), limits: TTLVLimits(maxItems: 100)) } throws: { ($0 as? KMIPCodecError)?.code == .tooLarge }
        #expect { try TTLVXML.decode(TTLVXMLWriter.encode(many), limits: TTLVLimits(maxItems: 100)) } throws: { ($0 as? KMIPCodecError)?.code == .tooLarge }
    }
}

extension MessageEncodingTests {
    /// Found by the mutation run: a date before 1970 was written a day late.
    @Test(arguments: [Int64(-1), -86_400, -86_401, 0, 86_399, 978_307_200, -62_135_596_800, 253_402_300_799])
    func datesRoundTrip(_ seconds: Int64) throws {
        #expect(ISODate.parse(ISODate.format(seconds)) == seconds)
        let t = TTLV(.activationDate, .dateTime(seconds))
        #expect(try TTLVJSON.decode(TTLVJSON.encode(t), limits: TTLVLimits()) == t)
    }

    /// A date that does not exist is no date (it was carried into the next month or year).
    @Test func impossibleDatesAreRefused() {
        for bad in ["2027-13-01T00:00:00Z", "2027-02-29T00:00:00Z", "2027-04-31T00:00:00Z", "2027-01-01T24:00:00Z",
                    "2027-01-01T00:60:00Z", "2027-01-01T00:00:60Z", "2027-01-00T00:00:00Z", "2027x01-01T00:00:00Z",
                    "2027-+1-01T00:00:00Z", "2027-01-01T00:00:00+25:00"] {
            #expect(ISODate.parse(bad) == nil, "\(bad)")
        }
        #expect(ISODate.parse("2028-02-29T00:00:00Z") == 1_835_395_200, "a leap day")
        #expect(ISODate.parse("2000-02-29T12:00:00+01:30") == 951_820_200, "12:00 at +01:30 is 10:30 UTC")
    }

    @Test func extremeValuesDoNotTrap() throws {
        for t in [TTLV(.usageLimitsCount, .longInteger(.min)), TTLV(.activationDate, .dateTime(.min)), TTLV(.activationDate, .dateTime(.max))] {
            #expect(try TTLVJSON.decode(TTLVJSON.encode(t), limits: TTLVLimits()) == t)
            _ = TTLVXMLWriter.encode(t)
        }
    }
}
