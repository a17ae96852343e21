import Testing
import TorrentMetainfo

@Suite struct InfoHashTests {
    @Test func hexRoundTrips() throws {
        let bytes = (0..<20).map { UInt8($0 * 13 % 256) }
        let hash = InfoHash(bytes: bytes)
        #expect(hash.hex.count == 40)
        #expect(hash.hex == hash.hex.lowercased())
        #expect(hash.description == hash.hex)
        #expect(InfoHash(hex: hash.hex) == hash)
        #expect(InfoHash(hex: hash.hex.uppercased()) == hash)
        #expect(hash.hex.hasPrefix("000d1a27"))
    }

    @Test(arguments: ["", "abc", String(repeating: "0", count: 39), String(repeating: "0", count: 41),
                      String(repeating: "g", count: 40), String(repeating: "é", count: 20)])
    func rejectsMalformedHex(_ text: String) {
        #expect(InfoHash(hex: text) == nil)
    }
}
