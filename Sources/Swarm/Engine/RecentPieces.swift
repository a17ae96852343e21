import NIOCore

/// The most recently verified pieces, oldest dropped first once their bytes pass `budget`.
/// In a swarm the newest pieces are the rarest, so they are what other peers request next;
/// serving them from here costs a slice instead of a disk read. Lives on the session's loop.
struct RecentPieces {
    let budget: Int
    private var pieces: [Int: ByteBuffer] = [:]
    private var order: [Int] = []
    private var bytes = 0

    init(budget: Int) {
        self.budget = budget
    }

    func piece(_ index: Int) -> ByteBuffer? {
        pieces[index]
    }

    mutating func insert(_ index: Int, _ piece: ByteBuffer) {
        guard piece.readableBytes <= budget, pieces[index] == nil else { return }
        pieces[index] = piece
        order.append(index)
        bytes += piece.readableBytes
        while bytes > budget, !order.isEmpty {
            let oldest = order.removeFirst()
            bytes -= pieces.removeValue(forKey: oldest)?.readableBytes ?? 0
        }
    }
}
