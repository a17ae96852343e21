/// What to do with a block that arrived.
public struct BlockReceipt: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// New data: store it.
        case accepted
        /// Already received or verified (an endgame race): drop it.
        case duplicate
    }

    public var outcome: Outcome
    /// Whether the block was requested from this peer (false: sent unasked,
    /// or after we released the request; accepted all the same when still needed).
    public var wasRequested: Bool
    /// Every block of the piece is in: hash it, then call `pieceVerified` or
    /// `pieceFailedVerification`.
    public var pieceComplete: Bool
    /// Peers that still hold a request for this block (endgame): send them a cancel.
    public var cancels: [PeerKey]
}
