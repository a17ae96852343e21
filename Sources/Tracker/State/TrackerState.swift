import TorrentMetainfo

/// The whole tracker as a value: which torrents it serves, who is in each
/// swarm, and who has finished. No I/O and no clock: the caller passes `now`
/// and a random number generator, so every decision can be table-tested.
///
/// Invariants:
/// - A swarm exists exactly for each registered info-hash; announces for any
///   other info-hash are refused and change nothing.
/// - A peer id appears at most once per swarm; a re-announce updates it.
/// - A peer not heard from for longer than `peerTimeout` is gone after the
///   next `expire(now:)` (every announce expires its own swarm first).
/// - `completions` only grows while the torrent is registered: a peer that
///   finished and then stopped or expired is still counted as done, which is
///   what the controller needs to tell that every host has the payload.
public struct TrackerState: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// How often peers re-announce. On a LAN a short interval costs
        /// nothing (hundreds of hosts make tens of requests a second) and
        /// lets late peers find the swarm quickly; 10 s, not the internet's 30 min.
        public var interval: Duration
        /// Clients must not re-announce sooner than this.
        public var minInterval: Duration
        /// Peers returned when the client sends no `numwant`.
        public var defaultNumwant: Int
        /// Peers returned at most, whatever `numwant` asks.
        public var maximumNumwant: Int
        /// New peers beyond this many in one swarm are refused: a bound on
        /// memory whoever announces.
        public var maximumPeersPerTorrent: Int
        /// Rack-aware hand-out (see `PeerLocality`); nil: peers drawn at random from the swarm.
        public var locality: PeerLocality?

        public init(
            interval: Duration = .seconds(10),
            minInterval: Duration = .seconds(5),
            defaultNumwant: Int = 50,
            maximumNumwant: Int = 200,
            maximumPeersPerTorrent: Int = 10_000,
            locality: PeerLocality? = nil
        ) {
            self.locality = locality
            self.interval = interval
            self.minInterval = minInterval
            self.defaultNumwant = defaultNumwant
            self.maximumNumwant = maximumNumwant
            self.maximumPeersPerTorrent = maximumPeersPerTorrent
        }

        /// A peer silent for longer than two intervals has missed two
        /// announces: it is gone, or cut off.
        public var peerTimeout: Duration { interval * 2 }
    }

    /// One peer in a swarm, as of its latest announce.
    public struct Peer: Hashable, Sendable {
        public var peerID: PeerID
        public var endpoint: PeerEndpoint
        public var uploaded: Int64
        public var downloaded: Int64
        public var left: Int64
        public var lastSeen: ContinuousClock.Instant

        /// A seeder: it has nothing left to download.
        public var isComplete: Bool { left == 0 }
    }

    /// A peer that has finished downloading (sent `completed`, or announced
    /// with nothing left).
    public struct Completion: Hashable, Sendable {
        public var peerID: PeerID
        public var endpoint: PeerEndpoint
        public var at: ContinuousClock.Instant
    }

    struct Swarm: Sendable {
        var peers = SwarmPeers()
        var completions: [PeerID: Completion] = [:]
        /// When its silent peers were last dropped (announces do it at most once a second:
        /// answers never include them anyway, see `announce`).
        var lastExpiry: ContinuousClock.Instant?
    }

    public let configuration: Configuration
    var swarms: [InfoHash: Swarm] = [:]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Starts serving `infoHash`; registering it again keeps its swarm.
    public mutating func register(_ infoHash: InfoHash) {
        if swarms[infoHash] == nil {
            swarms[infoHash] = Swarm()
        }
    }

    /// Stops serving `infoHash` and forgets its peers and completions.
    public mutating func unregister(_ infoHash: InfoHash) {
        swarms[infoHash] = nil
    }

    public func isRegistered(_ infoHash: InfoHash) -> Bool {
        swarms[infoHash] != nil
    }

    public var registeredTorrents: Set<InfoHash> {
        Set(swarms.keys)
    }

    /// Drops every peer silent for longer than `configuration.peerTimeout`.
    public mutating func expire(now: ContinuousClock.Instant) {
        for infoHash in swarms.keys {
            expire(infoHash, now: now)
        }
    }

    mutating func expire(_ infoHash: InfoHash, now: ContinuousClock.Instant) {
        // Moved out and back, so the swarm is changed in place rather than copied.
        guard var swarm = swarms.removeValue(forKey: infoHash) else { return }
        expire(&swarm, now: now)
        swarms[infoHash] = swarm
    }

    func expire(_ swarm: inout Swarm, now: ContinuousClock.Instant) {
        let timeout = configuration.peerTimeout
        swarm.peers.removeAll { now - $0.lastSeen > timeout }
        swarm.lastExpiry = now
    }
}
