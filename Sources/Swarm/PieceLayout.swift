import TorrentMetainfo

/// A torrent's pieces and blocks as the swarm addresses them: `PieceGeometry`'s lengths,
/// plus the `BlockSpec`s the picker hands out and the check that a remote peer's block is
/// exactly one of them.
///
/// On the wire a block is 16 KiB. A simulation of thousands of hosts may address coarser
/// blocks (up to a whole piece) so the same picker runs with fewer, larger requests.
public struct PieceLayout: Hashable, Sendable {
    /// The block every BitTorrent client requests and serves.
    public static let wireBlockLength = PieceGeometry.blockLength

    public let geometry: PieceGeometry
    /// The length of every block but a piece's last.
    public let blockLength: Int

    public init(_ geometry: PieceGeometry, blockLength: Int = wireBlockLength) {
        precondition(blockLength > 0, "a block holds at least one byte")
        self.geometry = geometry
        self.blockLength = blockLength
    }

    public init(totalLength: Int64, pieceLength: Int) throws(SwarmError) {
        do {
            geometry = try PieceGeometry(totalLength: totalLength, pieceLength: pieceLength)
        } catch {
            throw .invalidLayout(totalLength: totalLength, pieceLength: pieceLength, reason: "\(error)")
        }
        blockLength = Self.wireBlockLength
    }

    public var totalLength: Int64 { geometry.totalLength }
    public var pieceLength: Int { geometry.pieceLength }
    public var pieceCount: Int { geometry.pieceCount }
    public var lastPieceLength: Int { geometry.lastPieceLength }
    public var blocksPerPiece: Int { (pieceLength + blockLength - 1) / blockLength }

    public func offset(ofPiece piece: Int) -> Int64 { geometry.offset(ofPiece: piece) }
    public func length(ofPiece piece: Int) -> Int { geometry.length(ofPiece: piece) }
    public func blockCount(inPiece piece: Int) -> Int { (length(ofPiece: piece) + blockLength - 1) / blockLength }

    /// The `index`th block of `piece`; only the piece's last block may be short.
    public func block(_ index: Int, inPiece piece: Int) -> BlockSpec {
        let offset = index * blockLength
        precondition(index >= 0 && offset < length(ofPiece: piece), "block \(index) is outside piece \(piece)")
        return BlockSpec(piece: piece, offset: offset, length: min(blockLength, length(ofPiece: piece) - offset))
    }

    public func blocks(inPiece piece: Int) -> [BlockSpec] {
        (0..<blockCount(inPiece: piece)).map { block($0, inPiece: piece) }
    }

    /// The index of `block` within its piece, after checking that it is
    /// exactly one of the layout's blocks (remote input: never trust it).
    public func blockIndex(of block: BlockSpec) throws(SwarmError) -> Int {
        try checkPiece(block.piece)
        let pieceLength = length(ofPiece: block.piece)
        guard block.offset >= 0, block.offset < pieceLength, block.offset % blockLength == 0 else {
            throw .invalidBlock(block, reason: "the offset is not a \(blockLength)-byte block boundary inside the \(pieceLength)-byte piece")
        }
        let expected = min(blockLength, pieceLength - block.offset)
        guard block.length == expected else {
            throw .invalidBlock(block, reason: "the length should be \(expected)")
        }
        return block.offset / blockLength
    }

    /// Throws unless `piece` names a piece of this payload.
    public func checkPiece(_ piece: Int) throws(SwarmError) {
        guard geometry.contains(piece: piece) else {
            throw .pieceIndexOutOfRange(piece, pieceCount: pieceCount)
        }
    }
}
