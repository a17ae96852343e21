/// What the choker needs to know about one connection.
public struct ChokerPeer: Hashable, Sendable {
    public var key: PeerKey
    /// BEP 3 "interested": the peer wants pieces from us.
    public var isInterested: Bool
    /// Whether we currently let the peer request from us.
    public var isUnchoked: Bool
    /// When the peer entered its current choke state (unchoked since, or
    /// waiting since — connection or interest time), on a monotonic clock
    /// whose epoch is the same for every peer in one call.
    public var since: Duration
    /// Payload bytes we have sent this peer so far.
    public var bytesSent: Int64
    /// The peer has every piece; it needs nothing from us.
    public var isSeed: Bool

    public init(
        key: PeerKey,
        isInterested: Bool,
        isUnchoked: Bool,
        since: Duration,
        bytesSent: Int64 = 0,
        isSeed: Bool = false
    ) {
        self.key = key
        self.isInterested = isInterested
        self.isUnchoked = isUnchoked
        self.since = since
        self.bytesSent = bytesSent
        self.isSeed = isSeed
    }
}
