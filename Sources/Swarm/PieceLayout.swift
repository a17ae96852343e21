import TorrentMetainfo

/// A torrent's pieces and blocks as the swarm addresses them: `PieceGeometry`'s lengths,
/// plus the `BlockSpec`s the picker hands out and the check that a remote peer's block is
/// exactly one of them.
public struct PieceLayout: Hashable, Sendable {
    public static let blockLength = PieceGeometry.blockLength

    public let geometry: PieceGeometry

    public init(_ geometry: PieceGeometry) {
        self.geometry = geometry
    }

    public init(totalLength: Int64, pieceLength: Int) throws(SwarmError) {
        do {
            geometry = try PieceGeometry(totalLength: totalLength, pieceLength: pieceLength)
        } catch {
            throw .invalidLayout(totalLength: totalLength, pieceLength: pieceLength, reason: "\(error)")
        }
    }

    public var totalLength: Int64 { geometry.totalLength }
    public var pieceLength: Int { geometry.pieceLength }
    public var pieceCount: Int { geometry.pieceCount }
    public var lastPieceLength: Int { geometry.lastPieceLength }
    public var blocksPerPiece: Int { geometry.blocksPerPiece }

    public func offset(ofPiece piece: Int) -> Int64 { geometry.offset(ofPiece: piece) }
    public func length(ofPiece piece: Int) -> Int { geometry.length(ofPiece: piece) }
    public func blockCount(inPiece piece: Int) -> Int { geometry.blockCount(inPiece: piece) }

    /// The `index`th block of `piece`; only the piece's last block may be short.
    public func block(_ index: Int, inPiece piece: Int) -> BlockSpec {
        let offset = index * Self.blockLength
        precondition(index >= 0 && offset < length(ofPiece: piece), "block \(index) is outside piece \(piece)")
        return BlockSpec(piece: piece, offset: offset, length: geometry.blockLength(at: offset, inPiece: piece))
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
        let expected = geometry.blockLength(at: block.offset, inPiece: block.piece)
        guard block.length == expected else {
            throw .invalidBlock(block, reason: "the length should be \(expected)")
        }
        return block.offset / Self.blockLength
    }

    /// Throws unless `piece` names a piece of this payload.
    public func checkPiece(_ piece: Int) throws(SwarmError) {
        guard geometry.contains(piece: piece) else {
            throw .pieceIndexOutOfRange(piece, pieceCount: pieceCount)
        }
    }
}
