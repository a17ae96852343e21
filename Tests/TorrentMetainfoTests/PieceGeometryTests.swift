import Testing
import TorrentMetainfo

@Suite struct PieceGeometryTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let total: Int64, pieceLength: Int, pieces: Int, last: Int, perPiece: Int, inLast: Int
        var testDescription: String { "\(total) bytes in pieces of \(pieceLength)" }
    }

    /// Payload and piece length → piece count, last piece, blocks in a full piece and in the last.
    static let cases = [
        Case(total: 1, pieceLength: 16_384, pieces: 1, last: 1, perPiece: 1, inLast: 1),
        Case(total: 16_384, pieceLength: 16_384, pieces: 1, last: 16_384, perPiece: 1, inLast: 1),
        Case(total: 16_385, pieceLength: 16_384, pieces: 2, last: 1, perPiece: 1, inLast: 1),
        Case(total: 1 << 20, pieceLength: 1 << 18, pieces: 4, last: 1 << 18, perPiece: 16, inLast: 16),
        Case(total: (1 << 20) + 100, pieceLength: 1 << 18, pieces: 5, last: 100, perPiece: 16, inLast: 1),
        // Not a power of two: blocks are still 16 KiB.
        Case(total: 103_000, pieceLength: 40_000, pieces: 3, last: 23_000, perPiece: 3, inLast: 2),
    ]

    @Test(arguments: cases)
    func counts(_ test: Case) throws {
        let (total, pieceLength, pieces, last, perPiece, inLast) =
            (test.total, test.pieceLength, test.pieces, test.last, test.perPiece, test.inLast)
        let geometry = try PieceGeometry(totalLength: total, pieceLength: pieceLength)
        #expect(geometry.pieceCount == pieces)
        #expect(geometry.lastPieceLength == last)
        #expect(geometry.length(ofPiece: pieces - 1) == last)
        #expect(geometry.blocksPerPiece == perPiece)
        #expect(geometry.blockCount(inPiece: pieces - 1) == inLast)
        #expect(geometry.offset(ofPiece: pieces - 1) == Int64(pieces - 1) * Int64(pieceLength))
        // The pieces add up to the payload.
        #expect((0..<pieces).reduce(Int64(0)) { $0 + Int64(geometry.length(ofPiece: $1)) } == total)
    }

    @Test func lastBlockOfAPieceMayBeShort() throws {
        let geometry = try PieceGeometry(totalLength: 103_000, pieceLength: 40_000)
        #expect(geometry.blockLength(at: 0, inPiece: 0) == 16_384)
        #expect(geometry.blockLength(at: 32_768, inPiece: 0) == 40_000 - 32_768)
        #expect(geometry.blockLength(at: 16_384, inPiece: 2) == 23_000 - 16_384)
        #expect(!geometry.contains(piece: 3) && !geometry.contains(piece: -1) && geometry.contains(piece: 2))
    }

    @Test func impossibleGeometriesAreRefused() {
        #expect(throws: MetainfoError.emptyPayload) { try PieceGeometry(totalLength: 0, pieceLength: 16_384) }
        #expect(throws: MetainfoError.self) { try PieceGeometry(totalLength: 10, pieceLength: 0) }
        // More pieces than per-piece state may be kept for.
        #expect(throws: MetainfoError.self) {
            try PieceGeometry(totalLength: Int64(PieceGeometry.maximumPieceCount) * 16_384 + 1, pieceLength: 16_384)
        }
    }

    /// Every layer takes its block size from here.
    @Test func oneBlockSize() {
        #expect(PieceGeometry.blockLength == 16 * 1024)
        #expect(PieceLength.minimum == PieceGeometry.blockLength)
    }
}
