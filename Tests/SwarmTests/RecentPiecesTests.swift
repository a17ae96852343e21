import NIOCore
import Testing

@testable import Swarm

@Suite("Recently verified pieces kept for uploads")
struct RecentPiecesTests {
    private func piece(_ fill: UInt8, _ length: Int = 100) -> ByteBuffer {
        ByteBuffer(repeating: fill, count: length)
    }

    @Test func theOldestGoFirstOnceOverBudget() {
        var recent = RecentPieces<ByteBuffer>(budget: 250)
        recent.insert(1, piece(1))
        recent.insert(2, piece(2))
        #expect(recent.piece(1) == piece(1) && recent.piece(2) == piece(2))
        recent.insert(3, piece(3))  // 300 bytes: piece 1 goes
        #expect(recent.piece(1) == nil)
        #expect(recent.piece(2) == piece(2) && recent.piece(3) == piece(3))
    }

    @Test func aPieceLargerThanTheBudgetIsNotKept() {
        var recent = RecentPieces<ByteBuffer>(budget: 50)
        recent.insert(7, piece(7))
        #expect(recent.piece(7) == nil)
        var none = RecentPieces<ByteBuffer>(budget: 0)
        none.insert(1, piece(1, 1))
        #expect(none.piece(1) == nil)
    }

    @Test func insertingTheSamePieceTwiceCountsItOnce() {
        var recent = RecentPieces<ByteBuffer>(budget: 200)
        recent.insert(1, piece(1))
        recent.insert(1, piece(9))
        recent.insert(2, piece(2))
        #expect(recent.piece(1) == piece(1) && recent.piece(2) == piece(2))
    }
}
