import PeerWire
import Testing
import TorrentMetainfo

@Suite struct LimitsTests {
    /// 3 pieces of 40 000 bytes, the last one 23 000.
    static let limits = PeerWireLimits(geometry: try! PieceGeometry(totalLength: 103_000, pieceLength: 40_000))

    @Test func layoutGivesPieceCountAndLengths() {
        #expect(Self.limits.pieceCount == 3)
        #expect(Self.limits.length(of: PieceIndex(0)) == 40_000)
        #expect(Self.limits.length(of: PieceIndex(2)) == 23_000)
        #expect(Self.limits.length(of: PieceIndex(3)) == nil)
        #expect(PeerWireLimits(pieceCount: 3).length(of: PieceIndex(0)) == nil)
    }

    static func request(piece: UInt8, offset: UInt16, length: UInt16) -> [UInt8] {
        [0, 0, 0, 13, 6, 0, 0, 0, piece, 0, 0, UInt8(offset >> 8), UInt8(offset & 0xFF), 0, 0, UInt8(length >> 8), UInt8(length & 0xFF)]
    }

    @Test func blocksUpToThePieceEndAreAccepted() {
        // 16 384 + 6 616 = 23 000: exactly the short last piece.
        let bytes = Self.request(piece: 2, offset: 16_384, length: 6_616)
        let result = Fixtures.decode(bytes, limits: Self.limits, expectsHandshake: false)
        #expect(result.error == nil)
        #expect(result.events == [.message(.request(BlockRequest(piece: PieceIndex(2), offset: 16_384, length: 6_616)))])
    }

    @Test func requestPastThePieceEndIsRejected() {
        let bytes = Self.request(piece: 2, offset: 16_384, length: 6_617)
        let result = Fixtures.decode(bytes, limits: Self.limits, expectsHandshake: false)
        #expect(result.error?.kind == .blockOutOfRange)
        #expect(result.error?.description.contains("request for piece 2 offset 16384 length 6617 runs past the end of the piece (23000 bytes)") == true)
    }

    @Test func pieceMessagePastThePieceEndIsRejected() {
        // Offset 39 999 in a 40 000-byte piece with a 2-byte block.
        let bytes: [UInt8] = [0, 0, 0, 11, 7, 0, 0, 0, 0, 0, 0, 0x9C, 0x3F, 0xAA, 0xBB]
        let result = Fixtures.decode(bytes, limits: Self.limits, expectsHandshake: false, chunkSize: 1)
        #expect(result.error?.kind == .blockOutOfRange)
    }

    @Test func cancelAndRejectAreCheckedToo() {
        var cancel = Self.request(piece: 0, offset: 32_768, length: 16_384)
        cancel[4] = 8
        var reject = cancel
        reject[4] = 0x10
        for bytes in [cancel, reject] {
            let result = Fixtures.decode(bytes, limits: Self.limits, expectsHandshake: false)
            #expect(result.error?.kind == .blockOutOfRange)
        }
    }
}
