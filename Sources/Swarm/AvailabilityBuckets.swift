/// Pieces grouped by how many (non-seed) peers have them, so "rarest first"
/// is a walk from the lowest bucket instead of a sort of every piece.
///
/// Moving a piece between buckets is O(1) (swap-remove, append): availability
/// changes on every `have`, and there may be 64 Ki pieces and 1,000 peers.
/// Only pieces the picker may start (state `missing`) are in a bucket; the
/// count itself is kept for every piece.
struct AvailabilityBuckets: Sendable {
    /// Non-seed availability of every piece, bucketed or not.
    private(set) var availability: [Int32]
    private(set) var buckets: [[Int32]]
    /// Position of each piece in its bucket, -1 when it is in none.
    private var slot: [Int32]

    init(pieceCount: Int) {
        availability = Array(repeating: 0, count: pieceCount)
        buckets = [[]]
        slot = Array(repeating: -1, count: pieceCount)
    }

    func contains(_ piece: Int) -> Bool {
        slot[piece] >= 0
    }

    mutating func insert(_ piece: Int) {
        precondition(!contains(piece), "piece \(piece) is already bucketed")
        let level = Int(availability[piece])
        while buckets.count <= level {
            buckets.append([])
        }
        slot[piece] = Int32(buckets[level].count)
        buckets[level].append(Int32(piece))
    }

    mutating func remove(_ piece: Int) {
        precondition(contains(piece), "piece \(piece) is not bucketed")
        let level = Int(availability[piece])
        let position = Int(slot[piece])
        let last = buckets[level].removeLast()
        if Int(last) != piece {
            buckets[level][position] = last
            slot[Int(last)] = Int32(position)
        }
        slot[piece] = -1
    }

    mutating func increment(_ piece: Int) {
        adjust(piece, by: 1)
    }

    mutating func decrement(_ piece: Int) {
        precondition(availability[piece] > 0, "availability of piece \(piece) would go negative")
        adjust(piece, by: -1)
    }

    private mutating func adjust(_ piece: Int, by delta: Int32) {
        let bucketed = contains(piece)
        if bucketed { remove(piece) }
        availability[piece] += delta
        if bucketed { insert(piece) }
    }
}
