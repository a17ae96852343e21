import DeployConfiguration

/// What `push` would do, as a value: built from a `DryRunInput` without any
/// I/O, rendered as text for people and encoded as JSON (stable snake_case
/// keys) for tools.
public struct DryRunPlan: Sendable, Codable, Equatable {
    public struct Payload: Sendable, Codable, Equatable {
        public var files: Int
        public var directories: Int
        public var symlinks: Int
        public var bytes: Int64
    }

    public struct Archive: Sendable, Codable, Equatable {
        public var bytes: Int64
        public var compressed: Bool
        /// "none", "gzip=L" or "zstd=L" (see `--compress`).
        public var compression: String
        /// The gzip level, for readers of the older output; nil unless gzip.
        public var gzipLevel: Int?

        enum CodingKeys: String, CodingKey {
            case bytes, compressed, compression
            case gzipLevel = "gzip_level"
        }
    }

    public struct Torrent: Sendable, Codable, Equatable {
        public var pieceLength: Int
        public var pieceCount: Int
        /// The archive's SHA-256, hex; nil when only estimated.
        public var payloadSHA256: String?

        enum CodingKeys: String, CodingKey {
            case pieceLength = "piece_length"
            case pieceCount = "piece_count"
            case payloadSHA256 = "payload_sha256"
        }
    }

    /// One host as it would be contacted.
    public struct Target: Sendable, Codable, Equatable {
        public var user: String
        public var host: String
        public var port: Int
        public var labels: [String: String]
        /// Line in the hosts file.
        public var line: Int
    }

    /// Hosts sharing one label value, in hosts-file order.
    public struct LabelGroup: Sendable, Codable, Equatable {
        public var key: String
        public var value: String
        public var hosts: [String]
    }

    /// Datacenters and racks as the `dc=` and `rack=` labels place the hosts, and what the
    /// payload costs the rack uplinks.
    public struct Topology: Sendable, Codable, Equatable {
        public struct Rack: Sendable, Codable, Equatable {
            /// nil: the hosts without a `rack=` label.
            public var name: String?
            public var hosts: Int
        }

        public struct Datacenter: Sendable, Codable, Equatable {
            /// nil: the hosts without a `dc=` label.
            public var name: String?
            public var hosts: Int
            /// In natural order (r2 before r10).
            public var racks: [Rack]
        }

        public var datacenters: [Datacenter]
        /// How the tracker hands out peers: `random` or `rack` (`--peer-selection`).
        public var peerSelection: String
        /// Archive bytes crossing rack uplinks when every host takes pieces from peers drawn
        /// at random from the whole fleet.
        public var crossRackBytesRandomPeers: Int64
        /// The least: one copy of the archive into each rack.
        public var crossRackBytesAtLeast: Int64
        /// With rack peer selection: each host brings its share of the pieces into its rack,
        /// a little over one copy into each.
        public var crossRackBytesRackPeers: Int64

        enum CodingKeys: String, CodingKey {
            case datacenters
            case peerSelection = "peer_selection"
            case crossRackBytesRandomPeers = "cross_rack_bytes_random_peers"
            case crossRackBytesAtLeast = "cross_rack_bytes_at_least"
            case crossRackBytesRackPeers = "cross_rack_bytes_rack_peers"
        }
    }

    public struct Controller: Sendable, Codable, Equatable {
        /// nil when it could not be determined; `note` says why.
        public var address: String?
        /// Where the address came from, or why it is missing.
        public var note: String
        /// The shape of the built-in tracker's URL; the port is chosen at push time.
        public var trackerURL: String?
        public var extraTrackers: [String]

        enum CodingKeys: String, CodingKey {
            case address, note
            case trackerURL = "tracker_url"
            case extraTrackers = "extra_trackers"
        }
    }

    public struct Estimate: Sendable, Codable, Equatable {
        /// The rate every estimate uses: the link rate, or the cap where it is lower.
        public var linkRateBitsPerSecond: Double
        /// `transfer.max_rate`, when set.
        public var maxRateBitsPerSecond: Double? = nil
        /// One copy of the archive over one link.
        public var singleCopySeconds: Double
        public var sequentialSeconds: Double
        public var swarmSeconds: Double
        public var speedup: Double

        enum CodingKeys: String, CodingKey {
            case linkRateBitsPerSecond = "link_rate_bits_per_second"
            case maxRateBitsPerSecond = "max_rate_bits_per_second"
            case singleCopySeconds = "single_copy_seconds"
            case sequentialSeconds = "sequential_seconds"
            case swarmSeconds = "swarm_seconds"
            case speedup
        }
    }

    /// Always true: a plan is made without contacting any host.
    public var nothingContacted: Bool
    public var source: String
    public var destination: String
    public var hostsFile: String
    public var payload: Payload
    public var archive: Archive
    public var torrent: Torrent
    public var hostCount: Int
    public var hosts: [Target]
    public var labelGroups: [LabelGroup]
    /// Hosts with no labels at all.
    public var unlabeledHosts: [String]
    /// Nil when no host names a rack.
    public var topology: Topology?
    public var controller: Controller
    public var estimate: Estimate
    /// What would run on every host, in order.
    public var hostSteps: [String]
    /// What the controller itself would do.
    public var controllerSteps: [String]
    public var settings: PushSettings

    enum CodingKeys: String, CodingKey {
        case nothingContacted = "nothing_contacted"
        case source, destination
        case hostsFile = "hosts_file"
        case payload, archive, torrent
        case hostCount = "host_count"
        case hosts
        case labelGroups = "label_groups"
        case unlabeledHosts = "unlabeled_hosts"
        case topology
        case controller, estimate
        case hostSteps = "host_steps"
        case controllerSteps = "controller_steps"
        case settings
    }
}
