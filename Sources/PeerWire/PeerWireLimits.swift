/// Hard limits on what a remote peer may send, derived from the torrent.
public struct PeerWireLimits: Hashable, Sendable {
    /// BEP 3: "All current implementations use 2^14 (16 kiB), and close
    /// connections which request an amount greater than that."
    public static let defaultMaxBlockLength = 16_384
    /// The largest block length this codec can be configured to accept.
    public static let largestMaxBlockLength = 131_072

    /// The torrent's piece count; piece indices must be below it and bitfields
    /// must hold exactly this many bits.
    public let pieceCount: Int
    /// The largest block a request, cancel, reject or piece may carry.
    public let maxBlockLength: Int
    /// The torrent's piece length and payload length, when known: blocks must
    /// then lie inside their piece.
    public let layout: Layout?

    /// The sizes that place a block inside the payload.
    public struct Layout: Hashable, Sendable {
        public let pieceLength: Int
        public let totalLength: Int64
    }

    /// Limits that check piece indices but not block ranges.
    public init(pieceCount: Int, maxBlockLength: Int = defaultMaxBlockLength) {
        precondition(pieceCount >= 0, "piece count \(pieceCount) is negative")
        Self.checkBlockLimit(maxBlockLength)
        self.pieceCount = pieceCount
        self.maxBlockLength = maxBlockLength
        self.layout = nil
    }

    /// Limits that also check each block lies inside its piece.
    public init(pieceLength: Int, totalLength: Int64, maxBlockLength: Int = defaultMaxBlockLength) {
        precondition(pieceLength > 0, "piece length \(pieceLength) is not positive")
        precondition(totalLength > 0, "payload length \(totalLength) is not positive")
        Self.checkBlockLimit(maxBlockLength)
        self.pieceCount = Int((totalLength + Int64(pieceLength) - 1) / Int64(pieceLength))
        self.maxBlockLength = maxBlockLength
        self.layout = Layout(pieceLength: pieceLength, totalLength: totalLength)
    }

    /// The largest length prefix accepted: a piece message (type, index, begin
    /// and a full block) or this torrent's bitfield, whichever is larger.
    public var maxMessageLength: Int {
        max(pieceHeaderLength + maxBlockLength, 1 + Bitfield.byteCount(pieceCount: pieceCount))
    }

    /// The size of `piece` in bytes, if the layout is known.
    public func length(of piece: PieceIndex) -> Int? {
        guard let layout, piece.rawValue < pieceCount else { return nil }
        let start = Int64(piece.rawValue) * Int64(layout.pieceLength)
        return Int(min(Int64(layout.pieceLength), layout.totalLength - start))
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
