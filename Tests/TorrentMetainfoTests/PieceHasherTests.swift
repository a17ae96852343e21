import Testing
import TorrentMetainfo
import TestSupport

@Suite struct PieceHasherTests {
    // FIPS 180 test vectors for the message "abc".
    static let sha1OfABC = "a9993e364706816aba3e25717850c26c9cd0d89d"
    static let sha256OfABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    @Test func hashesMatchPublishedVectors() {
        let one = TestPayload.hash(Array("abc".utf8), pieceLength: 3)
        #expect(one.pieceCount == 1)
        #expect(TestPayload.hex(one.pieceHashes) == Self.sha1OfABC)
        #expect(TestPayload.hex(one.sha256) == Self.sha256OfABC)

        // Two whole pieces: no empty third piece after an exact multiple.
        let two = TestPayload.hash(Array("abcabc".utf8), pieceLength: 3)
        #expect(two.length == 6)
        #expect(two.pieceCount == 2)
        #expect(TestPayload.hex(two.pieceHashes) == Self.sha1OfABC + Self.sha1OfABC)
    }

    @Test func emptyPayloadHasNoPieces() {
        var hasher = PieceHasher(pieceLength: 16 * 1024)
        let payload = hasher.finish()
        #expect(payload.length == 0)
        #expect(payload.pieceCount == 0)
        #expect(payload.pieceHashes.isEmpty)
        #expect(payload.sha256.count == 32)
    }

    static let chunkingCases: [(length: Int, pieceLength: Int)] = [
        (5 * 16 * 1024, 16 * 1024),  // exact multiple
        (5 * 16 * 1024 + 1, 16 * 1024),  // one byte into a last piece
        (16 * 1024 - 1, 16 * 1024),  // shorter than one piece
        (100_003, 32 * 1024),
    ]

    @Test(arguments: chunkingCases)
    func byteByByteEqualsBulkEqualsRandomChunks(length: Int, pieceLength: Int) {
        let bytes = SplitMix64.bytes(count: length, seed: UInt64(length))
        let bulk = TestPayload.hash(bytes, pieceLength: pieceLength)

        var single = PieceHasher(pieceLength: pieceLength)
        for byte in bytes {
            single.update([byte])
        }
        let byteByByte = single.finish()

        var generator = SplitMix64(seed: 5)
        var chunked = PieceHasher(pieceLength: pieceLength)
        var offset = 0
        while offset < bytes.count {
            let size = min(Int.random(in: 0...(3 * pieceLength), using: &generator), bytes.count - offset)
            bytes[offset..<offset + size].withUnsafeBytes { chunked.update($0) }
            offset += size
        }
        let randomChunks = chunked.finish()

        #expect(byteByByte == bulk)
        #expect(randomChunks == bulk)
        #expect(bulk.length == Int64(length))
        #expect(bulk.pieceCount == (length + pieceLength - 1) / pieceLength)
        #expect(bulk.pieceHashes.count == bulk.pieceCount * 20)

        // Each piece hash depends only on its own bytes.
        for index in 0..<bulk.pieceCount {
            let start = index * pieceLength
            let piece = Array(bytes[start..<min(start + pieceLength, length)])
            let alone = TestPayload.hash(piece, pieceLength: pieceLength)
            #expect(alone.pieceHashes[...] == bulk.pieceHashes[index * 20..<index * 20 + 20])
        }
    }

    @Test func changingOneByteChangesOnlyItsPiece() {
        var bytes = SplitMix64.bytes(count: 4 * 16 * 1024, seed: 11)
        let before = TestPayload.hash(bytes, pieceLength: 16 * 1024)
        bytes[2 * 16 * 1024 + 7] ^= 0x01
        let after = TestPayload.hash(bytes, pieceLength: 16 * 1024)
        for index in 0..<4 {
            let range = index * 20..<index * 20 + 20
            #expect((before.pieceHashes[range] == after.pieceHashes[range]) == (index != 2))
        }
        #expect(before.sha256 != after.sha256)
    }
}
