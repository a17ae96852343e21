/// Which pieces a peer has, one bit per piece.
///
/// BEP 3: "The first byte of the bitfield corresponds to indices 0 - 7 from
/// high bit to low bit, respectively. The next one 8-15, etc. Spare bits at
/// the end are set to zero."
public struct Bitfield: Hashable, Sendable {
    /// The number of pieces in the torrent; the bitfield holds one bit for each.
    public let pieceCount: Int
    /// The packed bits, `ceil(pieceCount / 8)` bytes, spare bits zero.
    public private(set) var bytes: [UInt8]

    /// A bitfield with no piece set.
    public init(pieceCount: Int) {
        precondition(pieceCount >= 0, "piece count \(pieceCount) is negative")
        self.pieceCount = pieceCount
        self.bytes = Array(repeating: 0, count: Self.byteCount(pieceCount: pieceCount))
    }

    /// Wraps bytes already checked to hold `pieceCount` bits with spare bits zero.
    init(pieceCount: Int, checkedBytes: [UInt8]) {
        self.pieceCount = pieceCount
        self.bytes = checkedBytes
    }

    /// A bitfield with every piece set, as a seeder announces itself.
    public static func full(pieceCount: Int) -> Bitfield {
        var bytes = Array(repeating: UInt8(0xFF), count: byteCount(pieceCount: pieceCount))
        let spareBits = bytes.count * 8 - pieceCount
        if spareBits > 0 {
            bytes[bytes.count - 1] = 0xFF << UInt8(spareBits)
        }
        return Bitfield(pieceCount: pieceCount, checkedBytes: bytes)
    }

    /// The number of bytes a bitfield of `pieceCount` pieces takes on the wire.
    public static func byteCount(pieceCount: Int) -> Int {
        (pieceCount + 7) / 8
    }

    /// Whether `piece` is set; false for indices beyond the piece count.
    public func contains(_ piece: PieceIndex) -> Bool {
        guard piece.rawValue < pieceCount else { return false }
        return bytes[piece.rawValue >> 3] & Self.mask(piece) != 0
    }

    /// Sets `piece`, which must be below the piece count. Returns whether it was newly set.
    @discardableResult
    public mutating func insert(_ piece: PieceIndex) -> Bool {
        precondition(piece.rawValue < pieceCount, "piece \(piece) is out of range 0..<\(pieceCount)")
        let wasSet = contains(piece)
        bytes[piece.rawValue >> 3] |= Self.mask(piece)
        return !wasSet
    }

    /// Clears `piece`. Returns whether it was set.
    @discardableResult
    public mutating func remove(_ piece: PieceIndex) -> Bool {
        guard contains(piece) else { return false }
        bytes[piece.rawValue >> 3] &= ~Self.mask(piece)
        return true
    }

    /// How many pieces are set.
    public var count: Int {
        bytes.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// Whether every piece is set (true for a torrent of no pieces).
    public var isComplete: Bool { count == pieceCount }

    /// Whether no piece is set.
    public var isEmpty: Bool { bytes.allSatisfy { $0 == 0 } }

    private static func mask(_ piece: PieceIndex) -> UInt8 {
        0x80 >> UInt8(piece.rawValue & 7)
    }
}
