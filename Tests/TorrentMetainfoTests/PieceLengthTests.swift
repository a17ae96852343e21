import Testing
import TorrentMetainfo
import TestSupport

@Suite struct PieceLengthTests {
    static let KiB: Int64 = 1024
    static let MiB: Int64 = 1024 * 1024
    static let GiB: Int64 = 1024 * 1024 * 1024

    static let automaticCases: [(payloadLength: Int64, expected: Int)] = [
        (0, 256 * 1024),
        (-5, 256 * 1024),
        (1, 256 * 1024),
        (MiB, 256 * 1024),
        (4000 * 256 * KiB, 256 * 1024),  // exactly 4,000 pieces
        (4000 * 256 * KiB + 1, 512 * 1024),  // one byte more would need 4,001
        (GiB, 512 * 1024),  // 2,048 pieces
        (10 * GiB, 4 * 1024 * 1024),  // 2,560 pieces
        (100 * GiB, 16 * 1024 * 1024),  // clamped: 6,400 pieces
        (1024 * GiB, 16 * 1024 * 1024),  // clamped
        (Int64.max, 16 * 1024 * 1024),
    ]

    @Test(arguments: automaticCases)
    func automaticPieceLength(payloadLength: Int64, expected: Int) {
        #expect(PieceLength.automatic(forPayloadLength: payloadLength) == expected)
    }

    static let deployCases: [(payloadLength: Int64, expected: Int)] = [
        (0, 64 * 1024),
        (MiB, 64 * 1024),
        (100 * MiB, 64 * 1024),  // 1,600 pieces, not 400 of 256 KiB
        (4000 * 64 * KiB + 1, 128 * 1024),
        (GiB, 512 * 1024),  // from here on as for any torrent
        (100 * GiB, 16 * 1024 * 1024),
    ]

    @Test(arguments: deployCases)
    func automaticPieceLengthForADeployment(payloadLength: Int64, expected: Int) {
        #expect(PieceLength.automatic(forPayloadLength: payloadLength, minimum: 64 * 1024) == expected)
    }

    /// Between the clamps, the piece count lands in 2,000...4,000; the choice
    /// is always a valid power of two.
    @Test func automaticPieceCountStaysInRange() {
        var generator = SplitMix64(seed: 99)
        let low = 4000 * 256 * Self.KiB
        let high = 2000 * 16 * Self.MiB
        for _ in 0..<2000 {
            let length = Int64.random(in: low...high, using: &generator)
            let pieceLength = PieceLength.automatic(forPayloadLength: length)
            #expect(throws: Never.self) { try PieceLength.validate(pieceLength) }
            let count = (length + Int64(pieceLength) - 1) / Int64(pieceLength)
            #expect(count > 2000 && count <= 4000, "\(length) bytes gave \(count) pieces of \(pieceLength)")
        }
    }

    @Test(arguments: [16 * 1024, 32 * 1024, 256 * 1024, 4 * 1024 * 1024, 64 * 1024 * 1024])
    func acceptsPowersOfTwoInRange(_ pieceLength: Int) {
        #expect(throws: Never.self) { try PieceLength.validate(pieceLength) }
    }

    static let invalidCases: [(pieceLength: Int, reason: String)] = [
        (0, "not a power of two"),
        (-16384, "not a power of two"),
        (1000, "not a power of two"),
        (3 * 16 * 1024, "not a power of two"),
        (8 * 1024, "smaller than one 16 KiB block"),
        (1, "smaller than one 16 KiB block"),
        (128 * 1024 * 1024, "larger than 64 MiB"),
    ]

    @Test(arguments: invalidCases)
    func rejectsOtherPieceLengths(_ pieceLength: Int, reason: String) {
        let error = #expect(throws: MetainfoError.self) { try PieceLength.validate(pieceLength) }
        guard case .invalidPieceLength(let reported, let message)? = error else {
            Issue.record("expected invalidPieceLength, got \(String(describing: error))")
            return
        }
        #expect(reported == pieceLength)
        #expect(message.contains(reason))
        #expect(error?.description.contains("piece length \(pieceLength) is invalid") == true)
    }
}
