import KMIP
import Testing

/// The binary TTLV codec (KMIP 2.1 §9.1): round trips of every item type, the spec's own encoding
/// examples, and every malformed case the decoder must refuse with a precise error.
@Suite struct TTLVCodecTests {
    static let everyType: [TTLV] = [
        TTLV(.cryptographicLength, .integer(-7)),
        TTLV(.usageLimitsTotal, .longInteger(Int64.min)),
        TTLV(.modulus, .bigInteger([0x80, 1, 2, 3, 4, 5, 6, 7])),
        TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
        TTLV(.extractable, .boolean(true)),
        TTLV(.nameValue, .textString("ключ 🔑")),
        TTLV(.keyMaterial, .byteString([1, 2, 3, 4, 5, 6, 7, 8, 9])),
        TTLV(.activationDate, .dateTime(1_700_000_000)),
        TTLV(.leaseTime, .interval(3600)),
        TTLV(.timeStamp, .dateTimeExtended(1_700_000_000_123_456)),
        .structure(.name, [TTLV(.nameValue, .textString("")), TTLV(.nameType, .enumeration(1))]),
    ]

    @Test(arguments: everyType)
    func roundTrip(item: TTLV) throws {
        let bytes = TTLVEncoder.encode(item)
        #expect(bytes.count % 8 == 0)
        #expect(try TTLVDecoder().decode(bytes) == item)
    }

    /// KMIP 1.4 §9.1.2 examples.
    @Test func specExamples() throws {
        #expect(TTLVEncoder.encode(TTLV(Tag(0x420020), .integer(8))) == hex("42002002000000040000000800000000"))
        #expect(TTLVEncoder.encode(TTLV(Tag(0x420020), .longInteger(123456789000000000)))
                == hex("420020030000000801B69B4BA5749200"))
        #expect(TTLVEncoder.encode(TTLV(Tag(0x420020), .bigInteger(hex("0000000000000000001c4b8a9a2c0000")))) // padded already
                .prefix(8) == ArraySlice(hex("4200200400000010")))
        #expect(TTLVEncoder.encode(TTLV(Tag(0x420020), .enumeration(255))) == hex("42002005000000040000 00FF00000000"))
        #expect(TTLVEncoder.encode(TTLV(Tag(0x420020), .boolean(true))) == hex("42002006000000080000000000000001"))
        #expect(TTLVEncoder.encode(TTLV(Tag(0x420020), .textString("Hello World")))
                == hex("420020070000000B48656C6C6F20576F726C640000000000"))
        #expect(TTLVEncoder.encode(TTLV(Tag(0x420020), .byteString([1, 2, 3]))) == hex("42002008000000030102030000000000"))
        #expect(TTLVEncoder.encode(TTLV(Tag(0x420020), .dateTime(0x47DA67F8))) == hex("42002009000000080000000047DA67F8"))
        #expect(TTLVEncoder.encode(TTLV(Tag(0x420020), .interval(864000))) == hex("4200200A00000004000D2F0000000000"))
        #expect(TTLVEncoder.encode(.structure(Tag(0x420020), [TTLV(Tag(0x420004), .enumeration(254)), TTLV(Tag(0x420005), .integer(255))]))
                == hex("42002001000000204200040500000004000000FE000000004200050200000004000000FF00000000"))
    }

    @Test func bigIntegerIsSignPadded() {
        let bytes = TTLVEncoder.encode(TTLV(.modulus, .bigInteger([0x80, 0x01])))
        #expect(Array(bytes[8...]) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x01])
    }

    static let malformed: [(String, [UInt8], KMIPCodecError.Code)] = [
        ("empty", [], .truncated),
        ("short header", hex("420020020000"), .truncated),
        ("length past the end", hex("42002008000000100102030000000000"), .truncated),
        ("unknown item type", hex("42002077000000040000000800000000"), .unknownItemType),
        ("integer of length 8", hex("42002002000000080000000000000008"), .badLength),
        ("non-zero integer padding", hex("42002002000000040000000800000001"), .badPadding),
        ("non-zero byte string padding", hex("42002008000000030102030000000009"), .badPadding),
        ("boolean of 2", hex("42002006000000080000000000000002"), .invalidValue),
        ("invalid UTF-8", hex("4200200700000002C328000000000000"), .invalidUTF8),
        ("structure length not a multiple of 8", hex("42002001000000040000000000000000"), .badLength),
        ("child overruns its structure", hex("420020010000000842000408000000100000000000000000"), .truncated),
        ("trailing bytes", hex("420020020000000400000008000000000000000000000000"), .badLength),
        ("big integer not a multiple of 8", hex("42002004000000030102030000000000"), .badLength),
        ("big integer of length 0 (found by the fuzzer)", hex("4200200400000000"), .badLength),
    ]

    @Test(arguments: malformed)
    func refusesMalformed(name: String, bytes: [UInt8], code: KMIPCodecError.Code) {
        #expect(throws: KMIPCodecError.self, "\(name)") { try TTLVDecoder().decode(bytes) }
        do { _ = try TTLVDecoder().decode(bytes) } catch { #expect(error.code == code, "\(name): \(error)") }
    }

    @Test func enforcesDepthAndSize() throws {
        var item = TTLV(.nameValue, .textString("x"))
        for _ in 0..<40 { item = .structure(.name, [item]) }
        let deep = TTLVEncoder.encode(item)
        #expect(throws: KMIPCodecError(.tooDeep, "nesting deeper than 32")) { try TTLVDecoder().decode(deep) }
        let limited = TTLVDecoder(limits: TTLVLimits(maxMessageSize: 16))
        #expect(throws: KMIPCodecError.self) { try limited.decode(TTLVEncoder.encode(TTLV(.keyMaterial, .byteString(Array(repeating: 1, count: 64))))) }
        // A header that claims 4 GiB is refused from the header alone.
        #expect(TTLVDecoder.frameLength(hex("42007801FFFFFFF0")) == 8 + 0xFFFF_FFF0)
    }
}

/// Hex (spaces allowed) to bytes, for test vectors.
func hex(_ s: String) -> [UInt8] { TTLVXML.hex(s)! }
