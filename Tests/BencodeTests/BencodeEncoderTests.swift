import Bencode
import Testing
import TestSupport

@Suite struct BencodeEncoderTests {
    @Test func encodesScalars() {
        #expect(String(decoding: BencodeValue.integer(0).encoded, as: UTF8.self) == "i0e")
        #expect(String(decoding: BencodeValue.integer(-7).encoded, as: UTF8.self) == "i-7e")
        #expect(String(decoding: BencodeValue.integer(.min).encoded, as: UTF8.self) == "i-9223372036854775808e")
        #expect(String(decoding: BencodeValue.bytes([]).encoded, as: UTF8.self) == "0:")
        #expect(String(decoding: BencodeValue.string("spam").encoded, as: UTF8.self) == "4:spam")
    }

    @Test func sortsKeysByRawBytesWhateverTheInsertionOrder() {
        var dictionary = BencodeDictionary()
        dictionary[[0xFF]] = 1
        dictionary["b"] = 2
        dictionary["a"] = 3
        dictionary["B"] = 4
        dictionary["ab"] = 5
        dictionary[[]] = 6
        let encoded = BencodeValue.dictionary(dictionary).encoded
        let expected = Array("d0:i6e1:Bi4e1:ai3e2:abi5e1:bi2e1:".utf8) + [0xFF] + Array("i1ee".utf8)
        #expect(encoded == expected)
    }

    @Test func replacingAndRemovingKeysKeepsThemUnique() {
        var dictionary = BencodeDictionary()
        dictionary["x"] = 1
        dictionary["x"] = 2
        #expect(dictionary.count == 1)
        #expect(dictionary["x"] == 2)
        dictionary["x"] = nil
        #expect(dictionary.isEmpty)
        let fromEntries = BencodeDictionary([
            .init(key: Array("k".utf8), value: 1), .init(key: Array("k".utf8), value: 9),
        ])
        #expect(fromEntries.count == 1)
        #expect(fromEntries["k"] == 9)
    }

    @Test func equalityIgnoresInsertionOrder() {
        var first = BencodeDictionary()
        first["a"] = 1
        first["b"] = 2
        var second = BencodeDictionary()
        second["b"] = 2
        second["a"] = 1
        #expect(first == second)
    }

    /// Property: every value survives encode → decode, and its encoding is
    /// a fixed point of decode → encode.
    @Test(arguments: [1, 2, 3, 0xDEAD_BEEF] as [UInt64])
    func randomValuesRoundTrip(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        for _ in 0..<500 {
            let value = RandomBencode.value(using: &generator)
            let encoded = value.encoded
            let decoded = try BencodeDecoder().decode(encoded)
            #expect(decoded == value, "seed \(seed)")
            #expect(decoded.encoded == encoded, "seed \(seed)")
        }
    }

    /// Property: no prefix of a valid encoding is itself valid; each fails as
    /// truncated or as a too-long string, at or before the cut.
    @Test func everyProperPrefixIsRejected() throws {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<100 {
            let encoded = RandomBencode.value(using: &generator).encoded
            for cut in 0..<encoded.count {
                let error = #expect(throws: BencodeError.self) {
                    try BencodeDecoder().decode(Array(encoded[..<cut]))
                }
                guard let error else { continue }
                switch error.kind {
                case .truncated, .stringLengthExceedsInput:
                    #expect(error.offset <= cut)
                default:
                    Issue.record("prefix \(cut) of \(encoded) failed with \(error), expected truncation")
                }
            }
        }
    }
}
