/// A set of piece indices `0..<pieceCount`, stored one bit per piece.
///
/// Peers' bitfields, our own verified pieces and the seeder's per-peer
/// bookkeeping all use it; at 64 Ki pieces it is 8 KiB, and the whole-set
/// questions ("does this peer have anything we lack?") run a word at a time.
public struct PieceSet: Hashable, Sendable {
    public let pieceCount: Int
    /// The number of pieces in the set.
    public private(set) var count: Int
    private var words: [UInt64]

    /// An empty set (or a full one) over `pieceCount` pieces.
    public init(pieceCount: Int, full: Bool = false) {
        precondition(pieceCount >= 0, "a piece count cannot be negative")
        self.pieceCount = pieceCount
        self.count = 0
        self.words = Array(repeating: 0, count: (pieceCount + 63) / 64)
        if full {
            for index in 0..<words.count {
                words[index] = ~0
            }
            if pieceCount % 64 != 0 {
                // Bits past the last piece stay clear so whole-word comparisons hold.
                words[words.count - 1] = (1 << UInt64(pieceCount % 64)) - 1
            }
            count = pieceCount
        }
    }

    /// One entry per piece, `true` where the piece is in the set.
    public init(_ bits: [Bool]) {
        self.init(pieceCount: bits.count)
        for (index, bit) in bits.enumerated() where bit {
            insert(index)
        }
    }

    public var isEmpty: Bool { count == 0 }
    public var isFull: Bool { count == pieceCount }

    public func contains(_ piece: Int) -> Bool {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) is outside 0..<\(pieceCount)")
        return words[piece >> 6] & (1 << UInt64(piece & 63)) != 0
    }

    /// Adds `piece`; returns whether it was absent.
    @discardableResult
    public mutating func insert(_ piece: Int) -> Bool {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) is outside 0..<\(pieceCount)")
        let mask: UInt64 = 1 << UInt64(piece & 63)
        guard words[piece >> 6] & mask == 0 else { return false }
        words[piece >> 6] |= mask
        count += 1
        return true
    }

    /// Removes `piece`; returns whether it was present.
    @discardableResult
    public mutating func remove(_ piece: Int) -> Bool {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) is outside 0..<\(pieceCount)")
        let mask: UInt64 = 1 << UInt64(piece & 63)
        guard words[piece >> 6] & mask != 0 else { return false }
        words[piece >> 6] &= ~mask
        count -= 1
        return true
    }

    /// Whether some piece of this set is missing from `other` (e.g. "the
    /// peer has a piece we lack"). Both sets must cover the same pieces.
    public func containsAny(notIn other: PieceSet) -> Bool {
        precondition(pieceCount == other.pieceCount, "piece sets of \(pieceCount) and \(other.pieceCount) pieces")
        for index in 0..<words.count where words[index] & ~other.words[index] != 0 {
            return true
        }
        return false
    }
}

extension PieceSet: Sequence {
    /// The pieces in the set, in increasing order.
    public func makeIterator() -> Iterator {
        Iterator(words: words)
    }

    public struct Iterator: IteratorProtocol {
        private let words: [UInt64]
        private var wordIndex = 0
        private var current: UInt64

        init(words: [UInt64]) {
            self.words = words
            self.current = words.first ?? 0
        }

        public mutating func next() -> Int? {
            while current == 0 {
                wordIndex += 1
                guard wordIndex < words.count else { return nil }
                current = words[wordIndex]
            }
            let bit = current.trailingZeroBitCount
            current &= current - 1
            return wordIndex * 64 + bit
        }
    }
}

extension PieceSet: CustomStringConvertible {
    /// One character per piece, `1` for a member: short sets read like a bitfield in test failures.
    public var description: String {
        guard pieceCount <= 256 else { return "PieceSet(\(count) of \(pieceCount) pieces)" }
        return String((0..<pieceCount).map { contains($0) ? "1" : "0" })
    }
}
