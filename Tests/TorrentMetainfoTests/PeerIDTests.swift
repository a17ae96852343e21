import TorrentMetainfo
import Testing
import TestSupport

@Suite struct PeerIDTests {
    @Test func generatedIDsCarryThePrefixAndDiffer() {
        let first = PeerID.generate()
        let second = PeerID.generate()
        #expect(first.bytes.count == 20)
        #expect(Array(first.bytes.prefix(8)) == Array("-SD0100-".utf8))
        #expect(first != second)
    }

    @Test func generationIsDrivenByTheGivenRandomSource() {
        var one = SplitMix64(seed: 7)
        var two = SplitMix64(seed: 7)
        let a = PeerID.generate(prefix: "-XX0001-", using: &one)
        let b = PeerID.generate(prefix: "-XX0001-", using: &two)
        #expect(a == b)
        #expect(a.description.hasPrefix("-XX0001-"))
        #expect(a.bytes.dropFirst(8).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
    }

    @Test func descriptionEscapesUnprintableBytes() {
        let id = PeerID(bytes: Array("-SD0100-".utf8) + [0x00, 0x25, 0xFF, 0x2C, 0x20] + Array("abcdefg".utf8))
        // Commas and spaces too: ids are listed comma-separated in one-line events.
        #expect(id.description == "-SD0100-%00%25%FF%2C%20abcdefg")
    }
}

