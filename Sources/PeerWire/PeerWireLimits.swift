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

    public init(pieceCount: Int, maxBlockLength: Int = defaultMaxBlockLength) {
        precondition(pieceCount >= 0, "piece count \(pieceCount) is negative")
        precondition(
            maxBlockLength > 0 && maxBlockLength <= Self.largestMaxBlockLength,
            "block length limit \(maxBlockLength) is outside 1...\(Self.largestMaxBlockLength)"
        )
        self.pieceCount = pieceCount
        self.maxBlockLength = maxBlockLength
    }

    /// The largest length prefix accepted: a piece message (type, index, begin
    /// and a full block) or this torrent's bitfield, whichever is larger.
    public var maxMessageLength: Int {
        max(pieceHeaderLength + maxBlockLength, 1 + Bitfield.byteCount(pieceCount: pieceCount))
    }

    /// Type byte, index and begin of a piece message.
    var pieceHeaderLength: Int { 9 }
}
