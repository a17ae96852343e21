/// How a payload splits into pieces and blocks.
///
/// BEP 3: pieces are `piece length` bytes except the last, which may be
/// shorter; peers ask for pieces in blocks, conventionally 16 KiB, and the
/// last block of a piece may be shorter when the piece is.
public struct PieceLayout: Hashable, Sendable {
    /// The block size every client uses ("request ... is generally 2^14").
    public static let blockLength = 16 * 1024
    /// A torrent with more pieces than this is refused: per-piece state is
    /// kept for each piece and each peer's bitfield, so the count bounds memory.
    public static let maximumPieceCount = 1 << 22

    public let totalLength: Int64
    public let pieceLength: Int
    public let pieceCount: Int

    public init(totalLength: Int64, pieceLength: Int) throws(SwarmError) {
        guard totalLength > 0 else {
            throw .invalidLayout(totalLength: totalLength, pieceLength: pieceLength, reason: "the payload is empty")
        }
        guard pieceLength > 0 else {
            throw .invalidLayout(totalLength: totalLength, pieceLength: pieceLength, reason: "the piece length is not positive")
        }
        let count = (totalLength - 1) / Int64(pieceLength) + 1
        guard count <= Int64(Self.maximumPieceCount) else {
            throw .invalidLayout(
                totalLength: totalLength, pieceLength: pieceLength,
                reason: "it makes \(count) pieces, more than the limit of \(Self.maximumPieceCount)"
            )
        }
        self.totalLength = totalLength
        self.pieceLength = pieceLength
        self.pieceCount = Int(count)
    }

    /// The length of the last piece (equal to `pieceLength` when it divides the payload).
    public var lastPieceLength: Int {
        Int(totalLength - Int64(pieceCount - 1) * Int64(pieceLength))
    }

    /// Blocks in a full-length piece.
    public var blocksPerPiece: Int {
        (pieceLength + Self.blockLength - 1) / Self.blockLength
    }

    /// The payload offset where `piece` starts.
    public func offset(ofPiece piece: Int) -> Int64 {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) is outside 0..<\(pieceCount)")
        return Int64(piece) * Int64(pieceLength)
    }

    public func length(ofPiece piece: Int) -> Int {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) is outside 0..<\(pieceCount)")
        return piece == pieceCount - 1 ? lastPieceLength : pieceLength
    }

    public func blockCount(inPiece piece: Int) -> Int {
        (length(ofPiece: piece) + Self.blockLength - 1) / Self.blockLength
    }

    /// The `index`th block of `piece`; only the piece's last block may be short.
    public func block(_ index: Int, inPiece piece: Int) -> BlockSpec {
        let pieceLength = length(ofPiece: piece)
        let offset = index * Self.blockLength
        precondition(index >= 0 && offset < pieceLength, "block \(index) is outside piece \(piece)")
        return BlockSpec(piece: piece, offset: offset, length: min(Self.blockLength, pieceLength - offset))
    }

    public func blocks(inPiece piece: Int) -> [BlockSpec] {
        (0..<blockCount(inPiece: piece)).map { block($0, inPiece: piece) }
    }

    /// The index of `block` within its piece, after checking that it is
    /// exactly one of the layout's blocks (remote input: never trust it).
    public func blockIndex(of block: BlockSpec) throws(SwarmError) -> Int {
        try checkPiece(block.piece)
        let pieceLength = length(ofPiece: block.piece)
        guard block.offset >= 0, block.offset < pieceLength, block.offset % Self.blockLength == 0 else {
            throw .invalidBlock(block, reason: "the offset is not a 16 KiB boundary inside the \(pieceLength)-byte piece")
        }
        let expected = min(Self.blockLength, pieceLength - block.offset)
        guard block.length == expected else {
            throw .invalidBlock(block, reason: "the length should be \(expected)")
        }
        return block.offset / Self.blockLength
    }

    /// Throws unless `piece` names a piece of this payload.
    public func checkPiece(_ piece: Int) throws(SwarmError) {
        guard piece >= 0 && piece < pieceCount else {
            throw .pieceIndexOutOfRange(piece, pieceCount: pieceCount)
        }
    }
}
