/// How a payload splits into pieces and pieces into blocks: the one place their counts and
/// lengths are worked out.
///
/// BEP 3: pieces are `piece length` bytes "except for possibly the last one which may be
/// truncated"; peers request blocks, and "all current implementations use 2^14 (16 kiB)".
/// The last block of a piece may be shorter when the piece is.
public struct PieceGeometry: Hashable, Sendable {
    /// The block size every client requests and serves.
    public static let blockLength = 16 * 1024
    /// More pieces than this are refused: per-piece state is kept for each piece and each
    /// peer's bitfield, so the count bounds memory.
    public static let maximumPieceCount = 1 << 22

    public let totalLength: Int64
    public let pieceLength: Int
    public let pieceCount: Int

    public init(totalLength: Int64, pieceLength: Int) throws(MetainfoError) {
        guard totalLength > 0 else { throw .emptyPayload }
        guard pieceLength > 0 else {
            throw .invalidPieceLength(pieceLength, reason: "it is not positive")
        }
        let count = Self.pieceCount(length: totalLength, pieceLength: pieceLength)
        guard count <= Int64(Self.maximumPieceCount) else {
            throw .invalidValue(
                key: "info.pieces",
                reason: "\(count) pieces of \(pieceLength) bytes are more than the limit of \(Self.maximumPieceCount)"
            )
        }
        self.totalLength = totalLength
        self.pieceLength = pieceLength
        pieceCount = Int(count)
    }

    /// The number of pieces `length` bytes split into; the last may be short.
    public static func pieceCount(length: Int64, pieceLength: Int) -> Int64 {
        let pieceLength = Int64(pieceLength)
        return length / pieceLength + (length % pieceLength == 0 ? 0 : 1)
    }

    /// The length of the last piece (equal to `pieceLength` when it divides the payload).
    public var lastPieceLength: Int {
        Int(totalLength - Int64(pieceCount - 1) * Int64(pieceLength))
    }

    /// Blocks in a full-length piece.
    public var blocksPerPiece: Int {
        Self.blocks(in: pieceLength)
    }

    /// The payload offset where `piece` starts.
    public func offset(ofPiece piece: Int) -> Int64 {
        precondition(contains(piece: piece), "piece \(piece) is outside 0..<\(pieceCount)")
        return Int64(piece) * Int64(pieceLength)
    }

    /// `pieceLength`, except for the last piece, which holds whatever remains.
    public func length(ofPiece piece: Int) -> Int {
        precondition(contains(piece: piece), "piece \(piece) is outside 0..<\(pieceCount)")
        return piece == pieceCount - 1 ? lastPieceLength : pieceLength
    }

    public func blockCount(inPiece piece: Int) -> Int {
        Self.blocks(in: length(ofPiece: piece))
    }

    /// The length of the block at `offset` in `piece`: a full block, or what remains of the piece.
    public func blockLength(at offset: Int, inPiece piece: Int) -> Int {
        min(Self.blockLength, length(ofPiece: piece) - offset)
    }

    public func contains(piece: Int) -> Bool {
        piece >= 0 && piece < pieceCount
    }

    private static func blocks(in length: Int) -> Int {
        (length + blockLength - 1) / blockLength
    }
}
