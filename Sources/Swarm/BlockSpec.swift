/// One block request: `length` bytes at `offset` inside piece `piece`
/// (BEP 3 "request: <index><begin><length>").
///
/// A plain value so the swarm logic stays apart from the wire codec; the
/// connection layer maps it to and from its request messages.
public struct BlockSpec: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var piece: Int
    public var offset: Int
    public var length: Int

    public init(piece: Int, offset: Int, length: Int) {
        self.piece = piece
        self.offset = offset
        self.length = length
    }

    public static func < (lhs: BlockSpec, rhs: BlockSpec) -> Bool {
        (lhs.piece, lhs.offset, lhs.length) < (rhs.piece, rhs.offset, rhs.length)
    }

    public var description: String {
        "piece \(piece) bytes \(offset)..<\(offset + length)"
    }
}
