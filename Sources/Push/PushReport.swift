import DeployConfiguration

/// The result of a push, as `--json` prints it. Field names are stable snake_case.
public struct PushReport: Sendable, Codable, Equatable {
    public struct Host: Sendable, Codable, Equatable {
        public var name: String
        /// Line in the hosts file.
        public var line: Int
        public var status: HostState.Outcome
        /// The furthest phase reached (where it failed, for a failed host).
        public var stage: HostPhase
        /// From the start of the push to the tree being in place; nil when it never was.
        public var seconds: Double?
        public var bytesFromSeeder: Int64
        public var bytesFromPeers: Int64
        /// Payload bytes fetched from BEP 19 web seeds (`--web-seed`).
        public var bytesFromWebSeeds: Int64 = 0
        /// Received twice (endgame races), included in the two above.
        public var bytesDuplicate: Int64
        /// Payload bytes this host served to other hosts.
        public var bytesUploaded: Int64
        /// Payload bytes the host built from the tree it held instead of receiving them.
        public var bytesReused: Int64 = 0
        /// Share of the payload verified on the host, 0...1 (how far a failed host got).
        public var verifiedFraction: Double
        /// "cached", "uploaded" (by the controller) or "from HOST"; nil when the host was never reached.
        public var peerBinary: String?
        /// Hosts whose peers banned this one for sending data that failed SHA-1 checks: its
        /// memory, disk or NIC may be damaging what it serves.
        public var bannedBy: [String]
        public var error: String?
        /// The release in use before this push switched the host (nil: none, or not switched).
        public var previousRelease: String?
        /// A hook or the health check failed after the switch, and the host went back.
        public var rolledBack: Bool = false
        /// The last lines the host's hooks wrote, "[hook] line".
        public var hookOutput: [String] = []
        /// What the host's peer warned about (a web seed it dropped and why).
        public var warnings: [String] = []
        /// When it got where, in seconds since the push started.
        public var timeline = Timeline()
        /// CPU time its peer used, user and system (from the peer's own accounting); nil when
        /// the peer did not say.
        public var cpuSeconds: Double?

        /// Seconds since the push started at which a host got where; nil: it never did.
        public struct Timeline: Sendable, Codable, Equatable {
            /// Connected over SSH, the user authenticated.
            public var connected: Double?
            /// Its peer joined the swarm, having read the job and built what it could from
            /// the tree it held.
            public var started: Double?
            /// It held the whole payload, every piece and the SHA-256 verified.
            public var downloaded: Double?
            /// The new tree in place.
            public var installed: Double?

            public init(connected: Double? = nil, started: Double? = nil, downloaded: Double? = nil, installed: Double? = nil) {
                self.connected = connected
                self.started = started
                self.downloaded = downloaded
                self.installed = installed
            }
        }

        enum CodingKeys: String, CodingKey {
            case name, line, status, stage, seconds, error, timeline
            case cpuSeconds = "cpu_seconds"
            case previousRelease = "previous_release"
            case rolledBack = "rolled_back"
            case hookOutput = "hook_output"
            case warnings
            case bytesFromSeeder = "bytes_from_seeder"
            case bytesFromPeers = "bytes_from_peers"
            case bytesFromWebSeeds = "bytes_from_web_seeds"
            case bytesDuplicate = "bytes_duplicate"
            case bytesUploaded = "bytes_uploaded"
            case bytesReused = "bytes_reused"
            case peerBinary = "peer_binary"
            case verifiedFraction = "verified_fraction"
            case bannedBy = "banned_by"
        }
    }

    public struct Totals: Sendable, Codable, Equatable {
        public var hosts: Int
        public var succeeded: Int
        public var failed: Int
        /// Hosts the rollout stopped before: they kept their destination as it was.
        public var notActivated: Int = 0
        /// The whole command: packing, connecting, transfer, seeding.
        public var wallSeconds: Double
        /// From the command's start to the start of the hosts' timelines (which count from
        /// there): packing and hashing the tree, and what the push prepares before it contacts
        /// any host.
        public var preparedSeconds: Double = 0
        /// From the first peer starting to the last host installing.
        public var transferSeconds: Double?
        public var archiveBytes: Int64
        public var seederBytesSent: Int64
        /// Copies of the payload that left the controller (1.0 is ideal).
        public var seederCopies: Double
        /// The rate the ideal is taken at: the link rate, or the cap (`--max-rate`) where lower.
        public var linkRateBitsPerSecond: Double
        /// `--max-rate`, when set.
        public var maxRateBitsPerSecond: Double? = nil
        /// One copy through one NIC at the link rate: archive bytes × 8 / rate.
        public var idealSeconds: Double
        /// ideal / transfer; 1.0 means the fleet got the payload as fast as one host could.
        public var efficiency: Double?
        /// Bytes the controller sent uploading the peer program (hosts that lacked it fetched
        /// it from each other otherwise).
        public var peerProgramBytesSent: Int64 = 0
        /// Payload bytes the hosts built from the trees they held, all hosts together.
        public var bytesReused: Int64 = 0
        /// Payload bytes the hosts fetched from web seeds, all hosts together, and in copies.
        public var webSeedBytes: Int64 = 0
        public var webSeedCopies: Double = 0
        /// Payload bytes the hosts received from each other, all hosts together.
        public var peerBytes: Int64 = 0
        /// The job the controller sent each host over SSH: torrent, settings and the archive's
        /// index (for reuse), bytes per host.
        public var jobBytes: Int64 = 0

        enum CodingKeys: String, CodingKey {
            case hosts, succeeded, failed, efficiency
            case notActivated = "not_activated"
            case wallSeconds = "wall_seconds"
            case preparedSeconds = "prepared_seconds"
            case transferSeconds = "transfer_seconds"
            case archiveBytes = "archive_bytes"
            case seederBytesSent = "seeder_bytes_sent"
            case seederCopies = "seeder_copies"
            case linkRateBitsPerSecond = "link_rate_bits_per_second"
            case maxRateBitsPerSecond = "max_rate_bits_per_second"
            case idealSeconds = "ideal_seconds"
            case peerProgramBytesSent = "peer_program_bytes_sent"
            case bytesReused = "bytes_reused"
            case webSeedBytes = "web_seed_bytes"
            case webSeedCopies = "web_seed_copies"
            case peerBytes = "peer_bytes"
            case jobBytes = "job_bytes"
        }
    }

    public var result: String
    public var infoHash: String
    public var destination: String
    /// The release id every host switched to (see `ReleaseID`), and the layout.
    public var release: String?
    public var layout: String?
    /// Why the rollout stopped before every host's turn (a failed canary, too many failures).
    public var stopped: String?
    public var hosts: [Host]
    public var totals: Totals
    /// Bytes that crossed racks and datacenters; nil when no host names a rack.
    public var racks: RackTraffic? = nil

    enum CodingKeys: String, CodingKey {
        case result, destination, hosts, totals, release, layout, stopped, racks
        case infoHash = "info_hash"
    }
}

extension PushReport {
    /// Builds the report from the final board.
    ///
    /// - Parameters:
    ///   - seederSent: payload bytes the controller's seeder sent to each peer id.
    ///   - transferStart: when the first peer started downloading, since the push began.
    public static func make(
        board: PushBoard,
        lines: [Int],
        infoHash: String,
        destination: String,
        archiveBytes: Int64,
        seederSent: [String: Int64],
        programBytesSent: Int64 = 0,
        jobBytes: Int64 = 0,
        transferStart: Duration?,
        wall: Duration,
        prepared: Duration = .zero,
        linkRateBitsPerSecond: Double,
        maxRateBitsPerSecond: Double? = nil,
        maxFailures: Int,
        release: String? = nil,
        layout: String? = nil,
        stopped: String? = nil,
        topology: FleetTopology? = nil
    ) -> PushReport {
        let bannedBy = bans(on: board)
        let hosts = zip(board.hosts, lines).map { state, line in
            let fromSeeder = state.peerID.flatMap { seederSent[$0] } ?? 0
            let downloaded = state.progress?.bytesDownloaded ?? 0
            let fromWeb = state.progress?.bytesFromWebSeeds ?? 0
            var host = Host(
                name: state.name,
                line: line,
                status: state.outcome == .running ? .failed : state.outcome,
                stage: state.outcome == .failed ? (state.failedPhase ?? state.phase) : state.phase,
                seconds: state.installedAt.map(\.inSeconds),
                bytesFromSeeder: fromSeeder,
                bytesFromPeers: max(0, downloaded - fromSeeder - fromWeb),
                bytesDuplicate: state.progress?.bytesDuplicate ?? 0,
                bytesUploaded: state.progress?.bytesUploaded ?? 0,
                verifiedFraction: state.fraction,
                peerBinary: state.peerProgram?.text,
                bannedBy: state.peerID.flatMap { bannedBy[$0] } ?? [],
                error: state.outcome == .running ? (state.error ?? "still running when the push ended") : state.error
            )
            host.bytesReused = state.progress?.bytesReused ?? 0
            host.previousRelease = state.previousRelease
            host.rolledBack = state.rolledBack
            host.hookOutput = state.hookOutput
            host.bytesFromWebSeeds = fromWeb
            host.warnings = state.warnings
            host.cpuSeconds = state.progress.flatMap { $0.cpuMilliseconds > 0 ? Double($0.cpuMilliseconds) / 1000 : nil }
            host.timeline = Host.Timeline(
                connected: state.connectedAt?.inSeconds, started: state.startedAt?.inSeconds,
                downloaded: state.downloadedAt?.inSeconds, installed: state.installedAt?.inSeconds)
            return host
        }
        let lastInstall = board.hosts.compactMap(\.installedAt).max()
        let transfer = transferStart.flatMap { start in lastInstall.map { ($0 - start).inSeconds } }
        let ideal = linkRateBitsPerSecond > 0 ? Double(archiveBytes) * 8 / linkRateBitsPerSecond : 0
        let seederBytes = seederSent.values.reduce(0, +)
        let webBytes = hosts.reduce(0) { $0 + $1.bytesFromWebSeeds }
        let failed = hosts.count { $0.status == .failed }
        let notActivated = hosts.count { $0.status == .notActivated }
        let result = notActivated > 0 || failed > maxFailures ? (notActivated > 0 ? "stopped" : "failed")
            : failed == 0 ? "succeeded" : "succeeded with failures"
        let racks = topology.flatMap { topology in
            RackTraffic.make(
                topology: topology, peerIDs: board.hosts.map(\.peerID),
                uploadedTo: board.hosts.map { $0.progress?.uploadedTo ?? [:] }, seederSent: seederSent, archiveBytes: archiveBytes)
        }
        return PushReport(
            result: result,
            infoHash: infoHash,
            destination: destination,
            release: release,
            layout: layout,
            stopped: stopped,
            hosts: hosts,
            totals: Totals(
                hosts: hosts.count,
                succeeded: hosts.count - failed - notActivated,
                failed: failed,
                notActivated: notActivated,
                wallSeconds: wall.inSeconds,
                preparedSeconds: prepared.inSeconds,
                transferSeconds: transfer,
                archiveBytes: archiveBytes,
                seederBytesSent: seederBytes,
                seederCopies: archiveBytes > 0 ? Double(seederBytes) / Double(archiveBytes) : 0,
                linkRateBitsPerSecond: linkRateBitsPerSecond,
                maxRateBitsPerSecond: maxRateBitsPerSecond,
                idealSeconds: ideal,
                efficiency: transfer.flatMap { $0 > 0 ? ideal / $0 : nil },
                peerProgramBytesSent: programBytesSent,
                bytesReused: hosts.reduce(0) { $0 + $1.bytesReused },
                webSeedBytes: webBytes,
                webSeedCopies: archiveBytes > 0 ? Double(webBytes) / Double(archiveBytes) : 0,
                peerBytes: hosts.reduce(0) { $0 + $1.bytesFromPeers },
                jobBytes: jobBytes
            ),
            racks: racks
        )
    }

    /// For each peer id some host banned, the names of the hosts that banned it.
    private static func bans(on board: PushBoard) -> [String: [String]] {
        var bannedBy: [String: [String]] = [:]
        for state in board.hosts {
            for id in state.progress?.bannedPeerIDs ?? [] { bannedBy[id, default: []].append(state.name) }
        }
        return bannedBy
    }
}
