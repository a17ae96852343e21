/// A byte range of one piece, as carried by `request`, `cancel` and BEP 6's
/// `reject request`.
///
/// BEP 3: "'request' messages contain an index, begin, and length. The last
/// two are byte offsets."
public struct BlockRequest: Hashable, Sendable {
    public var piece: PieceIndex
    /// Byte offset of the block inside the piece ("begin").
    public var offset: Int
    /// Block length in bytes.
    public var length: Int

    public init(piece: PieceIndex, offset: Int, length: Int) {
        precondition(offset >= 0 && offset <= Int(UInt32.max), "block offset \(offset) does not fit 32 bits")
        precondition(length >= 0 && length <= Int(UInt32.max), "block length \(length) does not fit 32 bits")
        self.piece = piece
        self.offset = offset
        self.length = length
    }
}

extension BlockRequest: CustomStringConvertible {
    public var description: String { "piece \(piece) offset \(offset) length \(length)" }
}
