/// When the payload's SHA-256 is computed: along the verified prefix as it grows, one stretch
/// at a time (SHA-256 is sequential), so that completion waits only for the last stretch
/// instead of a pass over the whole file. A pure value that `TorrentSession` drives.
struct DigestSchedule: Equatable, Sendable {
    enum Step: Equatable, Sendable {
        /// Nothing to do now.
        case wait
        /// Hash the payload bytes of these pieces, then call `hashed(upTo:)`.
        case hash(Range<Int>)
        /// Every piece is hashed: finish the digest and compare, then call `finished()`.
        case finish
        /// The torrent has no SHA-256: the download is complete once every piece verified.
        case complete
    }

    let pieceCount: Int
    /// Whether the torrent carries a SHA-256 to check.
    let hasDigest: Bool
    /// Pieces `0..<digestedPieces` are in the digest.
    private(set) var digestedPieces = 0
    /// A hash or finish job is out.
    private(set) var running = false
    /// Every piece verified: completion waits for the digest.
    private(set) var everyPieceVerified = false

    init(pieceCount: Int, hasDigest: Bool) {
        self.pieceCount = pieceCount
        self.hasDigest = hasDigest
    }

    /// Every piece passed its SHA-1 check.
    mutating func allPiecesVerified() {
        everyPieceVerified = true
    }

    /// What to do next, given which pieces are verified.
    mutating func next(isVerified: (Int) -> Bool) -> Step {
        guard !running else { return .wait }
        guard hasDigest else { return everyPieceVerified ? .complete : .wait }
        var end = digestedPieces
        while end < pieceCount, isVerified(end) { end += 1 }
        if end > digestedPieces {
            running = true
            return .hash(digestedPieces..<end)
        }
        if everyPieceVerified, digestedPieces == pieceCount {
            running = true
            return .finish
        }
        return .wait
    }

    /// A `hash` job ended with pieces `..<end` in the digest.
    mutating func hashed(upTo end: Int) {
        running = false
        digestedPieces = max(digestedPieces, end)
    }

    /// The `finish` job ended.
    mutating func finished() {
        running = false
    }
}
