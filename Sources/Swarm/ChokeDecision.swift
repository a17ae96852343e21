/// The choker's answer: who is unchoked after this round, and what changed.
public struct ChokeDecision: Hashable, Sendable {
    public var unchoked: Set<PeerKey>
    /// Send these an unchoke, in this order.
    public var toUnchoke: [PeerKey]
    /// Send these a choke.
    public var toChoke: [PeerKey]
}
