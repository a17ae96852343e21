/// The zero-based index of a piece. On the wire it is a 4-byte big-endian
/// integer (BEP 3: "All later integers sent in the protocol are encoded as
/// four bytes big-endian").
public struct PieceIndex: Hashable, Comparable, Sendable {
    public let rawValue: Int

    /// An index our own code computed; it must fit the wire's 32 bits.
    public init(_ rawValue: Int) {
        precondition(rawValue >= 0 && rawValue <= Int(UInt32.max), "piece index \(rawValue) does not fit 32 bits")
        self.rawValue = rawValue
    }

    /// An index received from a peer, checked against the torrent's piece count.
    public init(validating rawValue: Int, pieceCount: Int) throws(PeerWireError) {
        guard rawValue >= 0 && rawValue < pieceCount else {
            throw PeerWireError(
                .pieceIndexOutOfRange,
                "piece index \(rawValue) is out of range; the torrent has \(pieceCount) piece(s), 0..<\(pieceCount)"
            )
        }
        self.init(rawValue)
    }

    public static func < (lhs: PieceIndex, rhs: PieceIndex) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension PieceIndex: CustomStringConvertible {
    public var description: String { String(rawValue) }
}
