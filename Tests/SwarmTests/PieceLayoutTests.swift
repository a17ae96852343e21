import Testing

@testable import Swarm

@Suite("PieceLayout and PieceSet")
struct PieceLayoutTests {
    struct Case: CustomStringConvertible, Sendable {
        var total: Int64
        var pieceLength: Int
        var pieces: Int
        var lastPiece: Int
        var blocksPerPiece: Int
        var lastPieceBlocks: Int
        var lastBlock: Int
        var description: String { "\(total) bytes in \(pieceLength)" }
    }

    @Test(arguments: [
        Case(total: 1, pieceLength: 16384, pieces: 1, lastPiece: 1, blocksPerPiece: 1, lastPieceBlocks: 1, lastBlock: 1),
        Case(total: 16384, pieceLength: 16384, pieces: 1, lastPiece: 16384, blocksPerPiece: 1, lastPieceBlocks: 1, lastBlock: 16384),
        Case(total: 262_144 * 3, pieceLength: 262_144, pieces: 3, lastPiece: 262_144, blocksPerPiece: 16, lastPieceBlocks: 16, lastBlock: 16384),
        Case(total: 262_144 * 3 + 1, pieceLength: 262_144, pieces: 4, lastPiece: 1, blocksPerPiece: 16, lastPieceBlocks: 1, lastBlock: 1),
        Case(total: 262_144 + 16385, pieceLength: 262_144, pieces: 2, lastPiece: 16385, blocksPerPiece: 16, lastPieceBlocks: 2, lastBlock: 1),
        // Odd piece lengths: every piece ends with a short block.
        Case(total: 50_000, pieceLength: 20_000, pieces: 3, lastPiece: 10_000, blocksPerPiece: 2, lastPieceBlocks: 1, lastBlock: 10_000),
        // 2 GiB in 16 MiB pieces.
        Case(total: 1 << 31, pieceLength: 1 << 24, pieces: 128, lastPiece: 1 << 24, blocksPerPiece: 1024, lastPieceBlocks: 1024, lastBlock: 16384),
    ])
    func layout(_ c: Case) throws {
        let layout = try PieceLayout(totalLength: c.total, pieceLength: c.pieceLength)
        #expect(layout.pieceCount == c.pieces)
        #expect(layout.lastPieceLength == c.lastPiece)
        #expect(layout.blocksPerPiece == c.blocksPerPiece)
        let last = c.pieces - 1
        #expect(layout.blockCount(inPiece: last) == c.lastPieceBlocks)
        let blocks = layout.blocks(inPiece: last)
        #expect(blocks.last?.length == c.lastBlock)
        #expect(blocks.reduce(0) { $0 + $1.length } == c.lastPiece)
        // Blocks tile every piece exactly and round-trip through blockIndex.
        guard c.total < 10_000_000 else { return }
        var total: Int64 = 0
        for piece in 0..<layout.pieceCount {
            #expect(layout.offset(ofPiece: piece) == total)
            for (index, block) in layout.blocks(inPiece: piece).enumerated() {
                #expect(try layout.blockIndex(of: block) == index)
                total += Int64(block.length)
            }
        }
        #expect(total == c.total)
    }

    @Test func invalidLayoutsAreRefused() {
        #expect(throws: SwarmError.self) { try PieceLayout(totalLength: 0, pieceLength: 16384) }
        #expect(throws: SwarmError.self) { try PieceLayout(totalLength: 100, pieceLength: 0) }
        #expect(throws: SwarmError.self) { try PieceLayout(totalLength: Int64(1) << 40, pieceLength: 16384) }
        do {
            _ = try PieceLayout(totalLength: -5, pieceLength: 16384)
            Issue.record("a negative length was accepted")
        } catch {
            #expect(error.description.contains("empty"))
        }
    }

    @Test(arguments: [0, 1, 63, 64, 65, 200])
    func pieceSet(_ count: Int) {
        var set = PieceSet(pieceCount: count)
        #expect(set.isEmpty && set.count == 0)
        let members = (0..<count).filter { $0 % 3 == 0 || $0 == count - 1 }
        for piece in members {
            let first = set.insert(piece)
            let second = set.insert(piece)
            #expect(first && !second)
        }
        #expect(Array(set) == members)
        #expect(set.count == members.count)
        let full = PieceSet(pieceCount: count, full: true)
        #expect(full.isFull && full.count == count && Array(full) == Array(0..<count))
        #expect(full.containsAny(notIn: set) == (members.count < count))
        #expect(!set.containsAny(notIn: full))
        #expect(PieceSet((0..<count).map { members.contains($0) }) == set)
        for piece in members {
            let first = set.remove(piece)
            let second = set.remove(piece)
            #expect(first && !second)
        }
        #expect(set == PieceSet(pieceCount: count))
    }
}
