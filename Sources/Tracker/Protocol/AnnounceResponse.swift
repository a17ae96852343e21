import TorrentMetainfo
/// A peer in an announce response.
public struct AnnouncedPeer: Hashable, Sendable {
    /// Nil in compact responses (BEP 23 carries only address and port) and
    /// when the client asked for `no_peer_id`.
    public var peerID: PeerID?
    public var endpoint: PeerEndpoint

    public init(peerID: PeerID?, endpoint: PeerEndpoint) {
        self.peerID = peerID
        self.endpoint = endpoint
    }
}

/// A successful answer to an announce (BEP 3, "Tracker responses").
public struct AnnounceResponse: Hashable, Sendable {
    /// BEP 3 `interval`: "the number of seconds the downloader should wait
    /// between regular rerequests". Whole seconds on the wire.
    public var interval: Duration
    /// `min interval`: clients must not re-announce sooner than this.
    public var minInterval: Duration?
    /// `complete`: peers holding the whole payload (seeders).
    public var complete: Int?
    /// `incomplete`: peers still downloading (leechers).
    public var incomplete: Int?
    public var peers: [AnnouncedPeer]
    /// `warning message`: the announce worked, but the tracker has a remark.
    public var warning: String?

    public init(
        interval: Duration,
        minInterval: Duration? = nil,
        complete: Int? = nil,
        incomplete: Int? = nil,
        peers: [AnnouncedPeer] = [],
        warning: String? = nil
    ) {
        self.interval = interval
        self.minInterval = minInterval
        self.complete = complete
        self.incomplete = incomplete
        self.peers = peers
        self.warning = warning
    }
}

/// What the tracker state answers to one announce: peers, or the reason it
/// refused (sent to the client as `failure reason`).
public typealias AnnounceResult = Result<AnnounceResponse, TrackerError>
