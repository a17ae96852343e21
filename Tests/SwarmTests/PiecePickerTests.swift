import Testing

@testable import Swarm
import TestSupport

@Suite("PiecePicker order")
struct PiecePickerOrderTests {
    struct Case: CustomStringConvertible, Sendable {
        var availability: String
        var ours: String? = nil
        var asker: String? = nil
        /// Outstanding limit for one call (4 blocks per piece).
        var limit: Int
        var expected: [Int]
        var description: String { "\(availability) ours=\(ours ?? "-") asker=\(asker ?? "all")" }
    }

    @Test(arguments: [
        // Rarest first: availability 1 < 2 < 3 < 4.
        Case(availability: "3142", limit: 16, expected: [1, 3, 0, 2]),
        Case(availability: "3142", limit: 4, expected: [1]),
        Case(availability: "3142", limit: 5, expected: [1, 3]),
        // Only pieces the peer has.
        Case(availability: "1111", asker: "0101", limit: 16, expected: [1, 3]),
        Case(availability: "3142", asker: "1010", limit: 16, expected: [0, 2]),
        // Verified pieces are never requested.
        Case(availability: "1234", ours: "#.#.", limit: 16, expected: [1, 3]),
        Case(availability: "1111", ours: "####", limit: 16, expected: []),
        // Started pieces first, even when more common.
        Case(availability: "1191", ours: "..+.", limit: 3, expected: [2]),
        Case(availability: "1292", ours: "..+.", limit: 7, expected: [2, 0]),
        Case(availability: "9191", ours: "+.+.", asker: "1011", limit: 16, expected: [0, 2, 3]),
        // A started piece the peer lacks is skipped.
        Case(availability: "1392", ours: "..+.", asker: "1101", limit: 4, expected: [0]),
        // Nothing from a peer that has nothing.
        Case(availability: "1111", asker: "0000", limit: 16, expected: []),
    ])
    func pickOrder(_ c: Case) throws {
        var fixture = try PickerFixture(availability: c.availability, ours: c.ours, asker: c.asker)
        let blocks = fixture.pick(c.limit)
        // Ties (e.g. 1 and 3 in "1111") come back in a random order; compare
        // groups of equal availability as sets, in order.
        let picked = PickerFixture.pieces(blocks)
        #expect(picked.count == c.expected.count)
        #expect(Set(picked) == Set(c.expected))
        #expect(groups(picked, fixture.picker) == groups(c.expected, fixture.picker))
        #expect(blocks.count == min(c.limit, remainingBlocks(c.expected, fixture: fixture, ours: c.ours)))
    }

    /// Consecutive runs of equal (started-first, availability) rank, as sets.
    private func groups(_ pieces: [Int], _ picker: PiecePicker) -> [Set<Int>] {
        var result: [Set<Int>] = []
        var lastRank: (Bool, Int)? = nil
        for piece in pieces {
            let rank = (picker.state(of: piece) == .partial || picker.state(of: piece) == .requested, picker.availability(of: piece))
            if let lastRank, lastRank == rank {
                result[result.count - 1].insert(piece)
            } else {
                result.append([piece])
            }
            lastRank = rank
        }
        return result
    }

    private func remainingBlocks(_ pieces: [Int], fixture: PickerFixture, ours: String?) -> Int {
        let started = Array(ours ?? "")
        return pieces.reduce(0) { sum, piece in
            sum + fixture.picker.layout.blockCount(inPiece: piece) - (piece < started.count && started[piece] == "+" ? 1 : 0)
        }
    }

    @Test func rarestFirstIsExactWithoutTies() throws {
        // Each piece taken alone, one call per piece: strictly by availability.
        var fixture = try PickerFixture(availability: "52718364")
        var order: [Int] = []
        for _ in 0..<8 {
            let blocks = fixture.pick(fixture.picker.outstandingRequests(of: PickerFixture.asker).count + 4)
            order += PickerFixture.pieces(blocks)
        }
        #expect(order == [3, 1, 5, 7, 0, 6, 2, 4])
    }

    @Test func tieBreakIsRandomAndRepeatable() throws {
        var firsts: Set<Int> = []
        for seed in UInt64(1)...20 {
            var a = try PickerFixture(availability: "1111111111", seed: seed)
            var b = try PickerFixture(availability: "1111111111", seed: seed)
            let first = PickerFixture.pieces(a.pick(4))
            #expect(first == PickerFixture.pieces(b.pick(4)))
            firsts.formUnion(first)
        }
        // Twenty seeds starting on the same one or two pieces would mean no tie-break at all.
        #expect(firsts.count >= 5)
    }

    @Test func lastPieceHasShortBlocks() throws {
        // 3 pieces of 64 KiB, the last 20 KiB + 1 byte: two blocks, the second 4 KiB + 1.
        let layout = try PieceLayout(totalLength: 2 * 65536 + 20 * 1024 + 1, pieceLength: 65536)
        var picker = PiecePicker(layout: layout)
        var generator = SplitMix64(seed: 3)
        let peer = PeerKey(1)
        picker.peerConnected(peer)
        try picker.peerHas(peer, piece: 2)
        picker.peerUnchoked(peer)
        let blocks = picker.nextRequests(for: peer, maxOutstanding: 100, using: &generator)
        #expect(blocks == [
            BlockSpec(piece: 2, offset: 0, length: 16384),
            BlockSpec(piece: 2, offset: 16384, length: 4097),
        ])
    }
}

@Suite("PiecePicker strict priority")
struct PiecePickerPriorityTests {
    struct Case: CustomStringConvertible, Sendable {
        var availability: String
        var ours: String? = nil
        var asker: String? = nil
        var priority: [Int]
        var limit: Int
        /// The first pieces picked, in order.
        var expectedPrefix: [Int]
        var description: String { "\(availability) priority \(priority)" }
    }

    @Test(arguments: [
        Case(availability: "1111", priority: [3, 1], limit: 8, expectedPrefix: [3, 1]),
        // Priority beats rarity and beats other started pieces.
        Case(availability: "1919", ours: "+...", priority: [1], limit: 8, expectedPrefix: [1, 0]),
        // Pieces the peer lacks, or we verified, are skipped; the rest is rarest first.
        Case(availability: "2319", ours: "..#.", asker: "1011", priority: [1, 2, 3], limit: 12, expectedPrefix: [3, 0]),
        // A repeated entry counts once.
        Case(availability: "1111", priority: [2, 2, 0], limit: 8, expectedPrefix: [2, 0]),
    ])
    func priorityOrder(_ c: Case) throws {
        var fixture = try PickerFixture(availability: c.availability, ours: c.ours, asker: c.asker)
        try fixture.picker.setPriorityPieces(c.priority)
        let picked = PickerFixture.pieces(fixture.pick(c.limit))
        #expect(Array(picked.prefix(c.expectedPrefix.count)) == c.expectedPrefix)
    }

    @Test func priorityListIsChecked() throws {
        var fixture = try PickerFixture(availability: "11")
        #expect(throws: SwarmError.pieceIndexOutOfRange(2, pieceCount: 2)) {
            try fixture.picker.setPriorityPieces([0, 2])
        }
    }
}
