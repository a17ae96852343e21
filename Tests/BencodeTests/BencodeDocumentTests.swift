import Bencode
import Testing
import TestSupport

@Suite struct BencodeDocumentTests {
    static let sample = "d8:announce3:url4:infod6:lengthi5e4:name1:xe5:tiersll1:aeli2eeee"

    @Test func findsTheRawBytesOfNestedValues() throws {
        let bytes = Array(Self.sample.utf8)
        let document = try BencodeDecoder().decodeDocument(bytes)
        #expect(document.rawRange(at: []) == 0..<bytes.count)
        #expect(text(document.rawBytes(at: ["info"])) == "d6:lengthi5e4:name1:xe")
        #expect(text(document.rawBytes(at: ["info", "length"])) == "i5e")
        #expect(text(document.rawBytes(at: ["info", "name"])) == "1:x")
        #expect(text(document.rawBytes(at: ["announce"])) == "3:url")
        #expect(text(document.rawBytes(at: ["tiers", 1])) == "li2ee")
        #expect(text(document.rawBytes(at: ["tiers", 1, 0])) == "i2e")
    }

    @Test func pathsThatLeadNowhereGiveNil() throws {
        let document = try BencodeDecoder().decodeDocument(Array(Self.sample.utf8))
        #expect(document.rawRange(at: ["missing"]) == nil)
        #expect(document.rawRange(at: ["info", "length", "deeper"]) == nil)
        #expect(document.rawRange(at: ["tiers", 2]) == nil)
        #expect(document.rawRange(at: ["tiers", -1]) == nil)
        #expect(document.rawRange(at: [0]) == nil)  // the root is a dictionary, not a list
    }

    /// Property: for every dictionary value of random documents, the raw
    /// range decodes to that value and is its own canonical encoding.
    @Test func rawRangesOfRandomDocumentsDecodeToTheirValues() throws {
        var generator = SplitMix64(seed: 7)
        var checked = 0
        for _ in 0..<200 {
            let value = RandomBencode.value(using: &generator)
            let document = try BencodeDecoder().decodeDocument(value.encoded)
            for (path, expected) in Self.allPaths(of: document.root) {
                let raw = try #require(document.rawBytes(at: path))
                #expect(try BencodeDecoder().decode(Array(raw)) == expected)
                #expect(Array(raw) == expected.encoded)
                checked += 1
            }
        }
        #expect(checked > 500)
    }

    private static func allPaths(of value: BencodeValue) -> [([BencodePathComponent], BencodeValue)] {
        var result: [([BencodePathComponent], BencodeValue)] = []
        func visit(_ value: BencodeValue, _ path: [BencodePathComponent]) {
            result.append((path, value))
            switch value {
            case .list(let list):
                for (index, element) in list.enumerated() { visit(element, path + [.index(index)]) }
            case .dictionary(let dictionary):
                for entry in dictionary { visit(entry.value, path + [.key(entry.key)]) }
            default:
                break
            }
        }
        visit(value, [])
        return result
    }

    private func text(_ bytes: ArraySlice<UInt8>?) -> String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }
}
