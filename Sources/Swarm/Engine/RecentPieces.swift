import NIOCore

/// The most recently verified pieces, oldest dropped first once their bytes pass `budget`; a
/// piece larger than the budget is not kept (a budget of 0 keeps none). In a swarm the newest
/// pieces are the rarest, so they are what other peers request next: serving them from here
/// costs a slice instead of a disk read. The controller's source storage keeps the pieces it
/// read and verified the same way, so a piece's blocks are not read and hashed once each.
public struct RecentPieces<Piece: PieceBytes> {
    public let budget: Int
    private var pieces: [Int: Piece] = [:]
    private var order: [Int] = []
    private var bytes = 0

    public init(budget: Int) {
        self.budget = budget
    }

    public func piece(_ index: Int) -> Piece? {
        pieces[index]
    }

    public mutating func insert(_ index: Int, _ piece: Piece) {
        guard piece.pieceByteCount <= budget, pieces[index] == nil else { return }
        pieces[index] = piece
        order.append(index)
        bytes += piece.pieceByteCount
        while bytes > budget, !order.isEmpty {
            let oldest = order.removeFirst()
            bytes -= pieces.removeValue(forKey: oldest)?.pieceByteCount ?? 0
        }
    }
}

/// A piece's bytes as `RecentPieces` counts them.
public protocol PieceBytes {
    var pieceByteCount: Int { get }
}

extension ByteBuffer: PieceBytes {
    public var pieceByteCount: Int { readableBytes }
}

extension Array: PieceBytes where Element == UInt8 {
    public var pieceByteCount: Int { count }
}
