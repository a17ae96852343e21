import Testing

@testable import Swarm
import TestSupport

/// Builds a picker from strings, one character per piece, in the manner of
/// libtorrent's `setup_picker("1111111", "       ", ...)`:
/// - `availability`: a digit per piece, how many background peers have it
///   (background peer k has the piece when its digit is at least k);
/// - `ours`: `.` missing, `#` verified, `+` first block already received;
/// - `asker`: `1` where the peer we ask for requests has the piece (it adds
///   one to those pieces' availability).
struct PickerFixture {
    static let asker = PeerKey(100)
    static func background(_ k: Int) -> PeerKey { PeerKey(UInt64(k)) }

    var picker: PiecePicker
    var generator: SplitMix64

    init(
        availability: String,
        ours: String? = nil,
        asker: String? = nil,
        blocksPerPiece: Int = 4,
        seed: UInt64 = 1,
        maximumDuplicateRequests: Int = 2,
        endgameQueueLimit: Int = 8
    ) throws {
        let counts = availability.map { Int(String($0))! }
        let pieceCount = counts.count
        let ours = Array(ours ?? String(repeating: ".", count: pieceCount))
        let askerBits = Array(asker ?? String(repeating: "1", count: pieceCount))
        precondition(ours.count == pieceCount && askerBits.count == pieceCount, "fixture strings differ in length")

        let layout = try PieceLayout(
            totalLength: Int64(pieceCount * blocksPerPiece * PieceLayout.wireBlockLength),
            pieceLength: blocksPerPiece * PieceLayout.wireBlockLength
        )
        let verified = PieceSet(ours.map { $0 == "#" })
        picker = PiecePicker(
            layout: layout, verified: verified,
            maximumDuplicateRequests: maximumDuplicateRequests, endgameQueueLimit: endgameQueueLimit
        )
        generator = SplitMix64(seed: seed)

        for k in 1...max(1, counts.max() ?? 1) {
            picker.peerConnected(Self.background(k))
            try picker.peerHasBitfield(Self.background(k), PieceSet(counts.map { $0 >= k }))
        }
        for (piece, mark) in ours.enumerated() where mark == "+" {
            _ = try picker.blockReceived(layout.block(0, inPiece: piece), from: Self.background(1))
        }
        picker.peerConnected(Self.asker)
        try picker.peerHasBitfield(Self.asker, PieceSet(askerBits.map { $0 == "1" }))
        picker.peerUnchoked(Self.asker)
        #expect(picker.invariantViolations() == [])
    }

    /// Requests for `peer` (the asker by default).
    mutating func pick(_ maxOutstanding: Int, for peer: PeerKey = Self.asker) -> [BlockSpec] {
        let blocks = picker.nextRequests(for: peer, maxOutstanding: maxOutstanding, using: &generator)
        #expect(picker.invariantViolations() == [])
        #expect(picker.outstandingRequests(of: peer).count <= maxOutstanding)
        return blocks
    }

    /// Distinct pieces of `blocks`, in first-seen order.
    static func pieces(_ blocks: [BlockSpec]) -> [Int] {
        var seen: Set<Int> = []
        return blocks.map(\.piece).filter { seen.insert($0).inserted }
    }
}
