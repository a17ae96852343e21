import Logging
import TorrentMetainfo

/// How a swarm node listens, connects and paces its requests.
public struct SwarmConfiguration: Sendable {
    /// Address to accept peers on; "0.0.0.0" for every IPv4 interface, "::" for every
    /// interface. A push binds the one address that faces the fleet.
    public var listenHost: String
    /// Port to accept peers on; 0 lets the kernel choose (see `SwarmNode.listenPort`).
    public var listenPort: Int
    /// Connections kept at once, inbound and outbound together.
    public var maxConnections: Int
    /// Peers asked of the tracker at each announce; the node connects to each it is given.
    /// A quarter of `maxConnections`, so hosts that join late still find peers with room:
    /// asking for 200 filled every early host's 200 slots with early hosts, and in a
    /// simulated fleet of 400 the other 200 never reached anyone who had a piece.
    public var numwant: Int
    /// A connection that has not completed the BitTorrent handshake by then is closed.
    public var handshakeTimeout: Duration
    /// Inbound connections still in their handshake, in all and from one address; more are
    /// closed as they arrive, so silent connections cannot exhaust the node's descriptors.
    public var maxPendingHandshakes: Int
    public var maxPendingHandshakesPerAddress: Int
    /// The push's key. When set, the node's handshake offers swarmdeploy's peer
    /// authentication and the node exchanges pieces only with peers that prove they hold the
    /// key (see `AuthenticationExchange`); other clients are closed after the handshake. Nil
    /// for plain BitTorrent.
    public var authenticationKey: PeerAuthenticationKey?
    /// When set, inbound connections from any other IP address are closed as they arrive,
    /// before a byte is read. Addresses the node connects to itself (its tracker's peers)
    /// are added. Nil admits every address.
    public var admittedAddresses: [String]?
    /// Where this node sits among the push's racks: with it, peers in other racks are asked
    /// only for this node's share of the pieces (see `RackShare`). Nil: no racks.
    public var rackPlacement: RackPlacement?
    /// How many requests to keep outstanding with each peer (see `PipelineDepth`).
    public var pipeline: PipelineDepth.Settings
    /// Bytes a connection may hold in the kernel not yet sent (TCP_NOTSENT_LOWAT), and in the
    /// channel before it stops taking more blocks. Blocks beyond that wait in the request queue,
    /// where a cancel still removes them: a deep socket buffer would only delay what the peer
    /// asks for next and send blocks it has meanwhile received from someone else.
    public var unsentBytesLimit: Int
    /// For a seeder: spread pieces so none is sent twice before each was sent once (see
    /// `SuperSeedPlanner`), so the seeder's uplink carries only new data while the swarm needs it.
    public var superSeeding: Bool
    /// Pieces a super-seeder advertises to one peer at a time.
    public var superSeedWindow: Int
    /// Peers unchoked at once (the datacenter policy unchokes every interested peer up to this).
    /// As many as `maxConnections` by default: with a lower limit, every uploader in a large
    /// fleet unchoked the same longest-waiting peers (all connected to the early hosts first)
    /// and the rest waited for rotation; simulated on 200 hosts the last finished at 3.0 × the
    /// lower bound with 64 slots, 1.4 × with 200.
    public var maxUnchoked: Int
    /// Threads for disk reads, writes and piece hashing.
    public var diskThreads: Int
    /// Bytes of pieces a downloader may assemble in memory before writing each whole; pieces
    /// beyond it are written block by block and read back to hash. Bounds memory whatever
    /// the payload's size.
    public var assemblyBudget: Int
    /// Bytes of recently verified pieces a downloader keeps in memory to serve to other
    /// peers, who mostly ask for what is new; older pieces are read from disk.
    public var recentPieceBudget: Int
    /// How long a newly verified piece may wait to be announced (`have`) to a peer nothing else
    /// is written to meanwhile; others get it with their next write. One write per piece and
    /// peer would otherwise be most of a node's system calls. Zero announces each piece at
    /// once. The last piece is always announced at once.
    public var haveBatchDelay: Duration
    /// When a connection counts as idle or stalled (see `PeerLiveness`).
    public var liveness: PeerLiveness.Settings
    /// How often every connection's liveness is checked.
    public var tickInterval: Duration
    /// A super-seeder, once every piece has left it, serves a peer only what no other peer
    /// holds, unless the peer has announced no new piece for this long (see
    /// `SuperSeedPlanner.peerStarved`): then it is served everything it lacks.
    public var starvationPatience: Duration = .seconds(2)
    /// BEP 19 web seeds a downloader fetches pieces from, besides its peers (see `WebSeedPlanner`).
    public var webSeeds: [WebSeed] = []
    /// This node's share of the pieces to fetch from web seeds; nil: a random one of 16, so
    /// nodes started without a push still spread their requests.
    public var webSeedShare: WebSeedShare?
    /// A node helps with other hosts' web seed shares only this long after it started: the
    /// push's hosts start within a few seconds of each other, and a share helped with before
    /// its owner starts is fetched twice.
    public var webSeedHelpDelay: Duration = .seconds(3)
    /// PEM certificates of the authorities to trust for https:// web seeds instead of the
    /// system's store (`--web-seed-ca`); nil: the system's (/etc/ssl/certs and the like).
    public var webSeedCertificates: [UInt8]?
    /// A web seed request that brings no byte for this long fails (and is retried).
    public var webSeedTimeout: Duration = .seconds(30)
    /// Failed web seed requests in a row before the seed is dropped; each retry waits twice
    /// as long as the one before, from half a second.
    public var webSeedAttempts = 5
    /// Bytes asked of a web seed in one request (whole pieces, at least one): a request's
    /// round trip is small beside it, and where a helper meets a share's owner (see
    /// `WebSeedPlanner`) at most this much is fetched twice.
    public var webSeedRequestBytes = 256 << 10
    /// For a super-seeder beside web seeds: serve only hosts the web seeds and the swarm leave
    /// without new pieces (see `SuperSeedPlanner.standby`).
    public var seederStandby = false
    /// What this node's transfers may put on its link, each way (see `RateCap`); no cap by default.
    public var rateCap = RateCap()
    /// Peers coming and going, peers closed and banned and why, announces, completion.
    public var logger: Logger
    /// Fault injection, for tests of the swarm's defences only: every block this node serves
    /// has one byte flipped, so its peers' SHA-1 checks fail and they must ban it.
    public var corruptsUploads = false

    public init(
        listenHost: String = "0.0.0.0",
        listenPort: Int = 0,
        maxConnections: Int = 200,
        numwant: Int = 50,
        handshakeTimeout: Duration = .seconds(10),
        maxPendingHandshakes: Int = 64,
        maxPendingHandshakesPerAddress: Int = 8,
        pipeline: PipelineDepth.Settings = .init(),
        unsentBytesLimit: Int = 128 << 10,
        superSeeding: Bool = false,
        superSeedWindow: Int = 8,
        maxUnchoked: Int = 200,
        diskThreads: Int = 2,
        assemblyBudget: Int = 64 << 20,
        recentPieceBudget: Int = 16 << 20,
        haveBatchDelay: Duration = .milliseconds(50),
        liveness: PeerLiveness.Settings = .init(),
        tickInterval: Duration = .milliseconds(500),
        logger: Logger = .disabled
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.maxConnections = maxConnections
        self.numwant = numwant
        self.handshakeTimeout = handshakeTimeout
        self.maxPendingHandshakes = maxPendingHandshakes
        self.maxPendingHandshakesPerAddress = maxPendingHandshakesPerAddress
        self.pipeline = pipeline
        self.unsentBytesLimit = unsentBytesLimit
        self.superSeeding = superSeeding
        self.superSeedWindow = superSeedWindow
        self.maxUnchoked = maxUnchoked
        self.diskThreads = diskThreads
        self.assemblyBudget = assemblyBudget
        self.recentPieceBudget = recentPieceBudget
        self.liveness = liveness
        self.tickInterval = tickInterval
        self.logger = logger
        self.haveBatchDelay = haveBatchDelay
    }
}

/// A snapshot of a node's transfer, for progress displays and reports.
public struct SwarmProgress: Sendable, Equatable {
    public var verifiedPieces: Int
    public var pieceCount: Int
    /// Payload bytes received, duplicates included.
    public var bytesDownloaded: Int64
    /// Of those, blocks that had already arrived from another peer.
    public var bytesDuplicate: Int64
    public var bytesUploaded: Int64
    public var connectedPeers: Int
    public var isComplete: Bool
    /// Peers banned for sending data that failed verification, by peer id.
    public var bannedPeerIDs: [PeerID]
    /// For a super-seeder: whether every piece has left it at least once, after which the
    /// swarm holds a whole copy and the seeder may leave. Nil when not super-seeding.
    public var everyPieceSentOnce: Bool?
    /// Payload bytes received from web seeds (included in `bytesDownloaded`).
    public var bytesFromWebSeeds: Int64 = 0
    /// Web seeds dropped, each with the reason (naming its URL).
    public var webSeedProblems: [String] = []
    /// Why the node cannot go on: a download that failed, or a seeder that cannot read its
    /// payload (whose completion, settled from the start, cannot say so). Nil while all is well.
    public var failure: String? = nil
}
