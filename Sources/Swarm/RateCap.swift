/// What a node's swarm traffic may put on its link, in each direction (`--max-rate`).
///
/// The cap counts what the link carries, not payload alone: each block is charged with its
/// message header and the framing of the TCP segments that carry it, and each direction is
/// also charged with the acknowledgements the other direction's data sends back over it. A
/// node capped at 20 Mbit/s then keeps its link at 20 Mbit/s measured on the interface,
/// headers included, rather than 20 Mbit/s of payload plus a few percent.
public struct RateCap: Sendable, Equatable {
    /// Bits per second sent; nil: no cap.
    public var uploadBitsPerSecond: Double?
    /// Bits per second received; nil: no cap.
    public var downloadBitsPerSecond: Double?

    public init(uploadBitsPerSecond: Double? = nil, downloadBitsPerSecond: Double? = nil) {
        self.uploadBitsPerSecond = uploadBitsPerSecond
        self.downloadBitsPerSecond = downloadBitsPerSecond
    }

    /// The same cap both ways.
    public init(bitsPerSecond: Double?) {
        self.init(uploadBitsPerSecond: bitsPerSecond, downloadBitsPerSecond: bitsPerSecond)
    }

    public var isCapped: Bool { uploadBitsPerSecond != nil || downloadBitsPerSecond != nil }

    /// TCP payload per segment on a 1500-byte MTU with TCP timestamps (Linux's default).
    static let segmentPayload = 1448
    /// Ethernet (14), IPv4 (20) and TCP with timestamps (32) bytes around each segment.
    static let segmentFraming = 66
    /// A `piece` message's length prefix, id, index and offset.
    static let pieceMessageHeader = 13
    /// A `request` message, which each block costs the direction opposite to it.
    public static let requestBytes = 17

    /// Bytes the link carries for a block of `payload` bytes.
    public static func wireBytes(ofBlock payload: Int) -> Int {
        let message = payload + pieceMessageHeader
        let segments = (message + segmentPayload - 1) / segmentPayload
        return message + segments * segmentFraming
    }

    /// Bytes the link carries for `payload` bytes of some other TCP stream (an SSH channel).
    public static func wireBytes(ofStream payload: Int) -> Int {
        payload + (payload + segmentPayload - 1) / segmentPayload * segmentFraming
    }

    /// Bytes the opposite direction carries to acknowledge a block of `payload` bytes: a bare
    /// ACK for every second segment (delayed acknowledgement).
    public static func acknowledgementBytes(ofBlock payload: Int) -> Int {
        acknowledgementBytes(ofStream: payload + pieceMessageHeader)
    }

    /// The same for `payload` bytes of some other TCP stream (a web seed's response).
    public static func acknowledgementBytes(ofStream payload: Int) -> Int {
        let segments = (payload + segmentPayload - 1) / segmentPayload
        return (segments + 1) / 2 * segmentFraming
    }

    /// The upload's bucket, capped at `bitsPerSecond` (the download keeps a `DownlinkBudget`): it holds a few milliseconds of the
    /// rate, at least two blocks, so a second carries at most a few blocks more than the cap
    /// and a lone block never waits for a bucket too small to hold it.
    public static func bucket(bitsPerSecond: Double, now: Duration) -> TokenBucket {
        let bytesPerSecond = bitsPerSecond / 8
        let capacity = max(bytesPerSecond * 0.005, Double(2 * wireBytes(ofBlock: PieceLayout.wireBlockLength)))
        return TokenBucket(bytesPerSecond: bytesPerSecond, capacity: capacity, now: now)
    }
}
