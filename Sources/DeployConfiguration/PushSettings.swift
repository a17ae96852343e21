import Archive
import DeployProtocol

/// Everything `swarmdeploy push` needs to know, after layering: built-in
/// defaults, then the Deployfile (`apply(_:)`), then command-line flags (set
/// field by field by the CLI).
public struct PushSettings: Sendable, Codable, Equatable {
    /// Directory to push. Set by the Deployfile or the command line.
    public var source: String?
    /// Absolute path on every host.
    public var destination: String?
    /// Hosts file path.
    public var hostsFile: String?

    /// Login user for host lines that do not name one.
    public var user: String
    /// SSH port for host lines that do not give one.
    public var port: Int
    /// Identity files; empty means ssh-agent, then the usual ~/.ssh keys.
    public var identities: [String]
    public var knownHosts: String
    public var acceptNewHostKeys: Bool
    /// Hosts contacted over SSH at once.
    public var sshParallel: Int
    public var connectTimeout: Duration
    /// The SSH settings a Deployfile or a flag gave (rather than left to their defaults): those
    /// win over an ssh_config, as `ssh`'s command line does.
    public var sshGiven: Set<SSHSetting> = []
    /// Run the peer as root through `sudo -n` (the login user needs passwordless sudo).
    public var sudo = false
    /// The OpenSSH client configuration to read (`~/.ssh/config` when nil and it exists;
    /// `none` reads none).
    public var sshConfig: String?

    /// Bytes; nil chooses from the archive size.
    public var pieceSize: Int?
    /// How the tarball is compressed (`--compress`, `--gzip`).
    public var compression: ArchiveCompression
    /// Hosts build the pieces of files they already hold instead of downloading them
    /// (`--no-reuse` turns it off).
    public var reuse = true
    /// Extra HTTP trackers, announced after the controller's own.
    public var trackers: [String]
    /// A release packed earlier (`swarmdeploy pack`): its torrent, pushed instead of a directory.
    public var torrent: String?
    /// The tarball of `torrent` when it is not beside it under the torrent's name.
    public var payloadFile: String?
    /// BEP 19 web seeds the hosts fetch pieces from, besides those the torrent lists.
    public var webSeeds: [String] = []
    /// Run the controller's seeder; off, the hosts get the payload from web seeds only.
    public var localSeed = true
    /// PEM file of the authorities https:// web seeds' certificates must chain to, instead of
    /// each host's own store.
    public var webSeedCA: String?
    /// Run the controller's own tracker; without it, `trackers` must name one.
    public var builtinTracker: Bool
    /// Address advertised to hosts; nil detects it from the route to the first host.
    public var listen: String?
    /// Used only by estimates.
    public var linkRateBitsPerSecond: Double
    /// What the push may put on each host's link, each way, and on the controller's uplink
    /// (`--max-rate`); nil: no cap.
    public var maxRateBitsPerSecond: Double?
    /// What a host's link carries for the push: the link rate, or the cap where it is lower.
    public var effectiveRateBitsPerSecond: Double { min(linkRateBitsPerSecond, maxRateBitsPerSecond ?? .infinity) }
    /// How the built-in tracker picks the peers it hands each host.
    /// Rack peers by default: a fleet without `rack=` labels gets random peers all the same.
    public var peerSelection: PeerSelection = .rackDefaults
    /// How long peers keep seeding after they installed, unless every host is done sooner.
    public var seedGrace: Duration
    /// The whole push.
    public var timeout: Duration
    /// A host whose peer reports no progress for this long (while it has not installed) fails.
    public var stallTimeout: Duration
    /// Hosts allowed to fail before the push counts as failed (and further waves stop).
    public var maxFailures: HostCount
    /// Keep the replaced tree as `DEST.prev`.
    public var keepPrevious: Bool
    /// Who the installed tree is given to; nil leaves it with the user the peer runs as.
    public var owner: FileOwner?
    /// Layout, hooks, health check and when hosts switch.
    public var rollout = RolloutSettings()

    /// `random`: from the whole fleet; `rack`: mostly from the host's own rack (`rack=` and
    /// `dc=` labels), at most `otherRacks` from other racks of its datacenter, `otherDatacenters`
    /// from other datacenters and `unplaced` from peers no rack holds (the controller's seeder).
    public enum PeerSelection: Sendable, Hashable, CustomStringConvertible {
        case random
        case rack(otherRacks: Int, otherDatacenters: Int, unplaced: Int)

        /// Measured (README, "Racks with oversubscribed uplinks"): with each host fetching only its
        /// share of the pieces from other racks, more remote peers cost no extra bytes and let
        /// the share arrive sooner — simulated, 400 hosts in 10 racks (4:1) finished at 1.7 ×
        /// the lower bound with four, 2.8 × with one; on the sandbox two beat one slightly. No
        /// remote peer but the seeder starves the racks.
        public static let rackDefaults = PeerSelection.rack(otherRacks: 4, otherDatacenters: 1, unplaced: 1)

        /// `random`, or `rack:R,D,U` (parsed back by `SettingParsers.peerSelection`).
        public var description: String {
            switch self {
            case .random: "random"
            case .rack(let racks, let datacenters, let unplaced): "rack:\(racks),\(datacenters),\(unplaced)"
            }
        }
    }

    /// The SSH settings an ssh_config may also give.
    public enum SSHSetting: Sendable, Hashable {
        case user, port, identities, knownHosts, acceptNewHostKeys
    }

    /// Upper bound for `sshParallel`: each connection costs file descriptors
    /// and a libssh2 session.
    public static let maxParallel = 4096

    /// Key files tried, in order, when no identity is configured and the agent has none.
    public static let defaultIdentityNames = ["id_ed25519", "id_ecdsa", "id_rsa"]

    public static var defaults: PushSettings {
        PushSettings(
            source: nil,
            destination: nil,
            hostsFile: nil,
            user: PathResolution.currentUser,
            port: 22,
            identities: [],
            knownHosts: PathResolution.expandTilde("~/.ssh/known_hosts"),
            acceptNewHostKeys: false,
            sshParallel: 64,
            connectTimeout: .seconds(10),
            pieceSize: nil,
            compression: .none,
            trackers: [],
            builtinTracker: true,
            listen: nil,
            linkRateBitsPerSecond: 1e9,
            seedGrace: .seconds(30),
            timeout: .seconds(600),
            stallTimeout: .seconds(30),
            maxFailures: .hosts(0),
            keepPrevious: true
        )
    }

    public init(
        source: String?,
        destination: String?,
        hostsFile: String?,
        user: String,
        port: Int,
        identities: [String],
        knownHosts: String,
        acceptNewHostKeys: Bool,
        sshParallel: Int,
        connectTimeout: Duration,
        pieceSize: Int?,
        compression: ArchiveCompression,
        trackers: [String],
        builtinTracker: Bool,
        listen: String?,
        linkRateBitsPerSecond: Double,
        seedGrace: Duration,
        timeout: Duration,
        stallTimeout: Duration,
        maxFailures: HostCount,
        keepPrevious: Bool,
        rollout: RolloutSettings = RolloutSettings()
    ) {
        self.source = source
        self.destination = destination
        self.hostsFile = hostsFile
        self.user = user
        self.port = port
        self.identities = identities
        self.knownHosts = knownHosts
        self.acceptNewHostKeys = acceptNewHostKeys
        self.sshParallel = sshParallel
        self.connectTimeout = connectTimeout
        self.pieceSize = pieceSize
        self.compression = compression
        self.trackers = trackers
        self.builtinTracker = builtinTracker
        self.listen = listen
        self.linkRateBitsPerSecond = linkRateBitsPerSecond
        self.seedGrace = seedGrace
        self.timeout = timeout
        self.stallTimeout = stallTimeout
        self.maxFailures = maxFailures
        self.keepPrevious = keepPrevious
        self.rollout = rollout
    }

    /// Stable snake_case names: this is part of the `--dry-run --json` output.
    enum CodingKeys: String, CodingKey {
        case source, destination
        case hostsFile = "hosts_file"
        case user, port, identities
        case knownHosts = "known_hosts"
        case acceptNewHostKeys = "accept_new_host_keys"
        case sshParallel = "ssh_parallel"
        case connectTimeout = "connect_timeout_seconds"
        case pieceSize = "piece_size"
        case compression
        case gzipLevel = "gzip_level"
        case reuse
        case trackers, listen
        case torrent
        case payloadFile = "payload_file"
        case webSeeds = "web_seeds"
        case localSeed = "local_seed"
        case webSeedCA = "web_seed_ca"
        case builtinTracker = "builtin_tracker"
        case linkRateBitsPerSecond = "link_rate_bits_per_second"
        case maxRateBitsPerSecond = "max_rate_bits_per_second"
        case seedGrace = "seed_grace_seconds"
        case timeout = "timeout_seconds"
        case stallTimeout = "stall_timeout_seconds"
        case maxFailures = "max_failures"
        case keepPrevious = "keep_previous"
        case sudo
        case sshConfig = "ssh_config"
        case owner
        case peerSelection = "peer_selection"
        case rollout
    }
}

extension PushSettings {
    /// Durations are written as seconds (`connect_timeout_seconds: 10`), as tools expect.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func seconds(_ key: CodingKeys) throws -> Duration {
            let seconds = try container.decode(Double.self, forKey: key)
            return try SettingParsers.duration(seconds: seconds, allowZero: true, written: "\(seconds)")
        }
        self.init(
            source: try container.decodeIfPresent(String.self, forKey: .source),
            destination: try container.decodeIfPresent(String.self, forKey: .destination),
            hostsFile: try container.decodeIfPresent(String.self, forKey: .hostsFile),
            user: try container.decode(String.self, forKey: .user),
            port: try container.decode(Int.self, forKey: .port),
            identities: try container.decode([String].self, forKey: .identities),
            knownHosts: try container.decode(String.self, forKey: .knownHosts),
            acceptNewHostKeys: try container.decode(Bool.self, forKey: .acceptNewHostKeys),
            sshParallel: try container.decode(Int.self, forKey: .sshParallel),
            connectTimeout: try seconds(.connectTimeout),
            pieceSize: try container.decodeIfPresent(Int.self, forKey: .pieceSize),
            compression: try container.decodeIfPresent(String.self, forKey: .compression).map { try SettingParsers.compression($0) }
                ?? container.decodeIfPresent(Int.self, forKey: .gzipLevel).map { .gzip(level: $0) } ?? .none,
            trackers: try container.decode([String].self, forKey: .trackers),
            builtinTracker: try container.decodeIfPresent(Bool.self, forKey: .builtinTracker) ?? true,
            listen: try container.decodeIfPresent(String.self, forKey: .listen),
            linkRateBitsPerSecond: try container.decode(Double.self, forKey: .linkRateBitsPerSecond),
            seedGrace: try seconds(.seedGrace),
            timeout: try seconds(.timeout),
            stallTimeout: try seconds(.stallTimeout),
            maxFailures: try container.decode(HostCount.self, forKey: .maxFailures),
            keepPrevious: try container.decode(Bool.self, forKey: .keepPrevious),
            rollout: try container.decodeIfPresent(RolloutSettings.self, forKey: .rollout) ?? RolloutSettings()
        )
        sudo = try container.decodeIfPresent(Bool.self, forKey: .sudo) ?? false
        maxRateBitsPerSecond = try container.decodeIfPresent(Double.self, forKey: .maxRateBitsPerSecond)
        reuse = try container.decodeIfPresent(Bool.self, forKey: .reuse) ?? true
        torrent = try container.decodeIfPresent(String.self, forKey: .torrent)
        payloadFile = try container.decodeIfPresent(String.self, forKey: .payloadFile)
        webSeeds = try container.decodeIfPresent([String].self, forKey: .webSeeds) ?? []
        localSeed = try container.decodeIfPresent(Bool.self, forKey: .localSeed) ?? true
        webSeedCA = try container.decodeIfPresent(String.self, forKey: .webSeedCA)
        peerSelection = try container.decodeIfPresent(String.self, forKey: .peerSelection).map { try SettingParsers.peerSelection($0) } ?? .random
        sshConfig = try container.decodeIfPresent(String.self, forKey: .sshConfig)
        owner = try container.decodeIfPresent(String.self, forKey: .owner).map { try SettingParsers.owner($0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(source, forKey: .source)
        try container.encodeIfPresent(destination, forKey: .destination)
        try container.encodeIfPresent(hostsFile, forKey: .hostsFile)
        try container.encode(user, forKey: .user)
        try container.encode(port, forKey: .port)
        try container.encode(identities, forKey: .identities)
        try container.encode(knownHosts, forKey: .knownHosts)
        try container.encode(acceptNewHostKeys, forKey: .acceptNewHostKeys)
        try container.encode(sshParallel, forKey: .sshParallel)
        try container.encode(connectTimeout.inSeconds, forKey: .connectTimeout)
        try container.encodeIfPresent(pieceSize, forKey: .pieceSize)
        try container.encode(compression.description, forKey: .compression)
        // Kept for readers of the older output.
        if case .gzip(let level) = compression { try container.encode(level, forKey: .gzipLevel) }
        try container.encode(reuse, forKey: .reuse)
        try container.encode(trackers, forKey: .trackers)
        try container.encodeIfPresent(torrent, forKey: .torrent)
        try container.encodeIfPresent(payloadFile, forKey: .payloadFile)
        try container.encode(webSeeds, forKey: .webSeeds)
        try container.encode(localSeed, forKey: .localSeed)
        try container.encodeIfPresent(webSeedCA, forKey: .webSeedCA)
        try container.encode(builtinTracker, forKey: .builtinTracker)
        try container.encodeIfPresent(listen, forKey: .listen)
        try container.encode(linkRateBitsPerSecond, forKey: .linkRateBitsPerSecond)
        try container.encodeIfPresent(maxRateBitsPerSecond, forKey: .maxRateBitsPerSecond)
        try container.encode(seedGrace.inSeconds, forKey: .seedGrace)
        try container.encode(timeout.inSeconds, forKey: .timeout)
        try container.encode(stallTimeout.inSeconds, forKey: .stallTimeout)
        try container.encode(maxFailures, forKey: .maxFailures)
        try container.encode(keepPrevious, forKey: .keepPrevious)
        try container.encode(rollout, forKey: .rollout)
        try container.encode(sudo, forKey: .sudo)
        try container.encode(peerSelection.description, forKey: .peerSelection)
        try container.encodeIfPresent(sshConfig, forKey: .sshConfig)
        try container.encodeIfPresent(owner?.description, forKey: .owner)
    }
}
