/// How many block requests to keep outstanding with one peer.
///
/// Enough bytes must be in flight to cover the link's bandwidth-delay
/// product, or the link idles between a block and the next request: at
/// 10 Gbit/s and 200 µs that is 250 KB, and the round trip a request really
/// sees includes the sender's disk and queues. The internet-era fixed 5
/// requests (80 KiB) caps a LAN transfer far below line rate, so the default
/// before any measurement is deep, and measurement only moves it within
/// `minimum...maximum`.
public struct PipelineDepth: Hashable, Sendable {
    /// Depth before a rate and round trip are measured: 2 MiB in flight.
    public var initial: Int
    public var minimum: Int
    public var maximum: Int
    /// Bandwidth-delay products to keep in flight; above 1 absorbs jitter and
    /// the gap between the measured rate and what the link could carry.
    public var factor: Double

    public init(initial: Int = 128, minimum: Int = 16, maximum: Int = 512, factor: Double = 2) {
        precondition(minimum >= 1 && minimum <= initial && initial <= maximum, "need 1 <= minimum <= initial <= maximum")
        precondition(factor > 0, "the factor must be positive")
        self.initial = initial
        self.minimum = minimum
        self.maximum = maximum
        self.factor = factor
    }

    /// The depth, in 16 KiB blocks, for a peer delivering `bytesPerSecond`
    /// with round trip `roundTrip`, never above `peerLimit` (BEP 10 "reqq",
    /// the most requests the peer says it queues).
    ///
    /// Feed the smallest recent round trip, not the latest: the latency of a
    /// request grows with the queue in front of it, and sizing the queue from
    /// that latency would only ever grow it.
    public func blocks(bytesPerSecond: Double?, roundTrip: Duration?, peerLimit: Int? = nil) -> Int {
        var depth = initial
        if let bytesPerSecond, let roundTrip, bytesPerSecond > 0, roundTrip > .zero {
            let seconds = Double(roundTrip.components.seconds) + Double(roundTrip.components.attoseconds) * 1e-18
            let bytes = bytesPerSecond * seconds * factor
            let wanted = (bytes / Double(PieceLayout.blockLength)).rounded(.up)
            depth = wanted >= Double(maximum) ? maximum : max(minimum, Int(wanted))
        }
        if let peerLimit {
            depth = min(depth, max(1, peerLimit))
        }
        return depth
    }
}
