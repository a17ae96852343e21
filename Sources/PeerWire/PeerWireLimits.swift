import TorrentMetainfo

/// Hard limits on what a remote peer may send, derived from the torrent.
public struct PeerWireLimits: Hashable, Sendable {
    /// BEP 3: "All current implementations use 2^14 (16 kiB), and close
    /// connections which request an amount greater than that."
    public static let defaultMaxBlockLength = PieceGeometry.blockLength
    /// The largest block length this codec can be configured to accept.
    public static let largestMaxBlockLength = 131_072

    /// The torrent's piece count; piece indices must be below it and bitfields
    /// must hold exactly this many bits.
    public let pieceCount: Int
    /// The largest block a request, cancel, reject or piece may carry.
    public let maxBlockLength: Int
    /// The torrent's pieces, when known: blocks must then lie inside their piece.
    public let geometry: PieceGeometry?

    /// Limits that check piece indices but not block ranges.
    public init(pieceCount: Int, maxBlockLength: Int = defaultMaxBlockLength) {
        precondition(pieceCount >= 0, "piece count \(pieceCount) is negative")
        Self.checkBlockLimit(maxBlockLength)
        self.pieceCount = pieceCount
        self.maxBlockLength = maxBlockLength
        self.geometry = nil
    }

    /// Limits that also check each block lies inside its piece.
    public init(geometry: PieceGeometry, maxBlockLength: Int = defaultMaxBlockLength) {
        Self.checkBlockLimit(maxBlockLength)
        self.pieceCount = geometry.pieceCount
        self.maxBlockLength = maxBlockLength
        self.geometry = geometry
    }

    /// The largest length prefix accepted: a piece message (type, index, begin
    /// and a full block) or this torrent's bitfield, whichever is larger.
    public var maxMessageLength: Int {
        max(pieceHeaderLength + maxBlockLength, 1 + Bitfield.byteCount(pieceCount: pieceCount))
    }

    /// The size of `piece` in bytes, if the layout is known.
    public func length(of piece: PieceIndex) -> Int? {
        guard let geometry, geometry.contains(piece: piece.rawValue) else { return nil }
        return geometry.length(ofPiece: piece.rawValue)
    }

    /// Type byte, index and begin of a piece message.
    var pieceHeaderLength: Int { 9 }

    private static func checkBlockLimit(_ maxBlockLength: Int) {
        precondition(
            maxBlockLength > 0 && maxBlockLength <= largestMaxBlockLength,
            "block length limit \(maxBlockLength) is outside 1...\(largestMaxBlockLength)"
        )
    }
}
