import Bencode
import Testing

@Suite struct BencodeDecoderTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let input: String
        let value: BencodeValue
        var testDescription: String { input }
    }

    static let valid: [Valid] = [
        Valid(input: "i0e", value: 0),
        Valid(input: "i42e", value: 42),
        Valid(input: "i-42e", value: -42),
        Valid(input: "i9223372036854775807e", value: .integer(.max)),
        Valid(input: "i-9223372036854775808e", value: .integer(.min)),
        Valid(input: "0:", value: .bytes([])),
        Valid(input: "4:spam", value: "spam"),
        Valid(input: "10:0123456789", value: "0123456789"),
        Valid(input: "le", value: []),
        Valid(input: "de", value: [:]),
        Valid(input: "l4:spami42ee", value: ["spam", 42]),
        Valid(input: "d3:bar4:spam3:fooi42ee", value: ["bar": "spam", "foo": 42]),
        Valid(input: "d1:Ai1e1:ai2e2:aai3ee", value: ["A": 1, "a": 2, "aa": 3]),
        Valid(input: "lli1eeli2eleee", value: [[1], [2, []]]),
    ]

    @Test(arguments: valid)
    func decodesValidInput(_ example: Valid) throws {
        let bytes = Array(example.input.utf8)
        let value = try BencodeDecoder().decode(bytes)
        #expect(value == example.value)
        // Strict decoding accepts only canonical input, so it re-encodes to itself.
        #expect(value.encoded == bytes)
    }

    @Test func decodesBinaryStrings() throws {
        let payload: [UInt8] = [0x00, 0xFF, 0x80, 0x3A, 0x65]
        let value = try BencodeDecoder().decode(Array("5:".utf8) + payload)
        #expect(value == .bytes(payload))
        #expect(value.string == nil)  // not valid UTF-8
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        let input: [UInt8]
        let kind: BencodeError.Kind
        let offset: Int
        var maximumDepth = 64

        init(_ input: String, _ kind: BencodeError.Kind, at offset: Int) {
            self.input = Array(input.utf8)
            self.kind = kind
            self.offset = offset
        }

        init(_ input: [UInt8], _ kind: BencodeError.Kind, at offset: Int, maximumDepth: Int) {
            self.input = input
            self.kind = kind
            self.offset = offset
            self.maximumDepth = maximumDepth
        }

        var testDescription: String {
            let text = String(decoding: input.prefix(40), as: UTF8.self)
            return input.count > 40 ? "\(text)… (\(input.count) bytes)" : text
        }
    }

    static let anyValue = "a value ('i', 'l', 'd' or a digit)"

    static let rejections: [Rejection] = [
        // Leading zeros, in integers and string lengths.
        Rejection("i03e", .leadingZero, at: 1),
        Rejection("i-03e", .leadingZero, at: 2),
        Rejection("i00e", .leadingZero, at: 1),
        Rejection("03:abc", .leadingZero, at: 0),
        Rejection("l4:spam03:abce", .leadingZero, at: 7),
        // Negative zero and empty integers.
        Rejection("i-0e", .negativeZero, at: 1),
        Rejection("ie", .emptyInteger, at: 1),
        Rejection("i-e", .emptyInteger, at: 2),
        // Dictionary keys must be strictly increasing byte strings.
        Rejection("d3:fooi1e3:bari2ee", .unsortedKey, at: 9),
        Rejection("d1:ai1e1:Ai2ee", .unsortedKey, at: 7),
        Rejection("d2:aai1e1:ai2ee", .unsortedKey, at: 8),
        Rejection("d3:fooi1e3:fooi2ee", .duplicateKey, at: 9),
        Rejection("di1ei2ee", .unexpectedByte(UInt8(ascii: "i"), expected: "a byte-string dictionary key or 'e'"), at: 1),
        // Exactly one top-level value.
        Rejection("i1ei2e", .trailingBytes(count: 3), at: 3),
        Rejection("4:spamx", .trailingBytes(count: 1), at: 6),
        Rejection("dee", .trailingBytes(count: 1), at: 2),
        // String lengths beyond the input.
        Rejection("5:abc", .stringLengthExceedsInput(length: 5, remaining: 3), at: 0),
        Rejection("l1:a9:ae", .stringLengthExceedsInput(length: 9, remaining: 2), at: 4),
        // Overflow.
        Rejection("i9223372036854775808e", .integerOverflow, at: 1),
        Rejection("i-9223372036854775809e", .integerOverflow, at: 2),
        Rejection("i99999999999999999999e", .integerOverflow, at: 1),
        Rejection("99999999999999999999:a", .integerOverflow, at: 0),
        // Truncation at every kind of point.
        Rejection("", .truncated(expected: anyValue), at: 0),
        Rejection("i", .truncated(expected: "a digit"), at: 1),
        Rejection("i-", .truncated(expected: "a digit"), at: 2),
        Rejection("i12", .truncated(expected: "a digit or 'e'"), at: 3),
        Rejection("4", .truncated(expected: "a digit or ':'"), at: 1),
        Rejection("l", .truncated(expected: "a list element or 'e'"), at: 1),
        Rejection("li1e", .truncated(expected: "a list element or 'e'"), at: 4),
        Rejection("d", .truncated(expected: "a dictionary key or 'e'"), at: 1),
        Rejection("d3:foo", .truncated(expected: "a value for the dictionary key"), at: 6),
        Rejection("d3:fooi1e", .truncated(expected: "a dictionary key or 'e'"), at: 9),
        // Bytes that cannot start or continue a value.
        Rejection("x", .unexpectedByte(UInt8(ascii: "x"), expected: anyValue), at: 0),
        Rejection("i1x", .unexpectedByte(UInt8(ascii: "x"), expected: "a digit or 'e'"), at: 2),
        Rejection("ix", .unexpectedByte(UInt8(ascii: "x"), expected: "a digit"), at: 1),
        Rejection("4-spam", .unexpectedByte(UInt8(ascii: "-"), expected: "a digit or ':'"), at: 1),
        Rejection("l-e", .unexpectedByte(UInt8(ascii: "-"), expected: anyValue), at: 1),
    ] + [
        // Nesting: 65 lists inside each other with a limit of 64; the 65th 'l' is at offset 64.
        Rejection(Array(repeating: UInt8(ascii: "l"), count: 65) + Array(repeating: UInt8(ascii: "e"), count: 65),
                  .nestingTooDeep(limit: 64), at: 64, maximumDepth: 64),
        Rejection(Array("ld1:ald1:alleeeee".utf8), .nestingTooDeep(limit: 4), at: 10, maximumDepth: 4),
    ]

    @Test(arguments: rejections)
    func rejectsMalformedInput(_ example: Rejection) {
        let decoder = BencodeDecoder(limits: .init(maximumDepth: example.maximumDepth))
        let error = #expect(throws: BencodeError.self) {
            try decoder.decode(example.input)
        }
        #expect(error?.kind == example.kind)
        #expect(error?.offset == example.offset)
        #expect(error?.description.contains("at byte \(example.offset):") == true)
    }

    @Test func acceptsNestingAtTheLimit() throws {
        let input = Array(repeating: UInt8(ascii: "l"), count: 64) + Array(repeating: UInt8(ascii: "e"), count: 64)
        var value = try BencodeDecoder().decode(input)
        var depth = 0
        while case .list(let inner) = value {
            depth += 1
            value = inner.first ?? .integer(0)
        }
        #expect(depth == 64)
    }

    @Test func rejectsInputOverTheSizeLimit() {
        let decoder = BencodeDecoder(limits: .init(maximumInputLength: 4))
        #expect(throws: BencodeError(.inputTooLarge(size: 6, limit: 4), at: 0)) {
            try decoder.decode(Array("4:spam".utf8))
        }
        #expect(throws: Never.self) {
            try decoder.decode(Array("i42e".utf8))
        }
    }

    @Test func errorMessagesNameOffsetAndExpectation() {
        let unsorted = BencodeError(.unsortedKey, at: 9)
        #expect(unsorted.description == "invalid bencode at byte 9: dictionary key is out of order, expected keys sorted by raw bytes")
        let control = BencodeError(.unexpectedByte(0x07, expected: "a digit"), at: 2)
        #expect(control.description.contains("byte 0x07"))
        #expect(control.description.contains("expected a digit"))
    }
}
