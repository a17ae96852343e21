import TorrentMetainfo

/// What a peer tells the tracker in `GET /announce?...` (BEP 3, "Trackers").
public struct AnnounceRequest: Hashable, Sendable {
    /// BEP 3 `event`: "If not specified, then this request is one performed
    /// at regular intervals."
    public enum Event: String, Hashable, Sendable, CaseIterable {
        /// A regular re-announce (`event` absent or empty).
        case none = ""
        /// "The first request to the tracker must include the event key with this value."
        case started
        /// "Sent when a download completes."
        case completed
        /// "Sent if the client is shutting down gracefully."
        case stopped
    }

    /// BEP 3 `info_hash`: "The 20 byte sha1 hash of the bencoded form of the info value".
    public var infoHash: InfoHash
    /// BEP 3 `peer_id`: "A string of length 20 which this downloader uses as its id."
    public var peerID: PeerID
    /// BEP 3 `port`: "The port number this peer is listening on."
    public var port: UInt16
    /// BEP 3 `uploaded`: "The total amount uploaded so far, encoded in base ten ascii."
    public var uploaded: Int64
    /// BEP 3 `downloaded`: "The total amount downloaded so far".
    public var downloaded: Int64
    /// BEP 3 `left`: "The number of bytes this peer still has to download".
    public var left: Int64
    /// BEP 23 `compact`: "1" asks for the compact peer list, "0" for the
    /// list of dictionaries. Absent means compact, as for most trackers.
    public var compact: Bool
    /// `no_peer_id=1`: leave `peer id` out of non-compact peer dictionaries.
    public var noPeerID: Bool
    public var event: Event
    /// `numwant`: how many peers the client would like; nil for the tracker's default.
    public var numwant: Int?
    /// `key`: an identifier not shared with other peers, opaque to us: raw bytes, since
    /// clients send binary keys (aria2 does).
    public var key: [UInt8]?
    /// BEP 3 `ip`: "Optional. The IP or DNS name which this peer is at."
    public var ip: String?

    public init(
        infoHash: InfoHash,
        peerID: PeerID,
        port: UInt16,
        uploaded: Int64 = 0,
        downloaded: Int64 = 0,
        left: Int64,
        compact: Bool = true,
        noPeerID: Bool = false,
        event: Event = .none,
        numwant: Int? = nil,
        key: [UInt8]? = nil,
        ip: String? = nil
    ) {
        self.infoHash = infoHash
        self.peerID = peerID
        self.port = port
        self.uploaded = uploaded
        self.downloaded = downloaded
        self.left = left
        self.compact = compact
        self.noPeerID = noPeerID
        self.event = event
        self.numwant = numwant
        self.key = key
        self.ip = ip
    }
}
