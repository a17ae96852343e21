import Swarm
import TorrentMetainfo

/// Everything a simulated push depends on: the network (hosts, racks, datacenters and
/// their link rates), the payload, the peers' settings, the faults to inject and the
/// random seed. Rates are in bits per second, as operators quote them; sizes in bytes.
public struct SimulationScenario: Sendable {
    /// How the tracker hands out peers (the push's `--peer-selection`).
    public enum PeerSelection: Sendable, Hashable {
        case random
        case rack(otherRacks: Int, otherDatacenters: Int, unplaced: Int)
    }

    /// Hosts that stop cooperating at a random moment of the transfer.
    public struct Faults: Sendable, Hashable {
        /// Share of hosts (0...1) that freeze: they stop sending, receiving and answering,
        /// but their connections stay open until their peers time them out.
        public var freeze: Double
        /// Share of hosts that vanish: every connection to them closes at once.
        public var vanish: Double
        /// Share of hosts whose links drop to `crawlFactor` of their rate.
        public var crawl: Double
        public var crawlFactor: Double

        public init(freeze: Double = 0, vanish: Double = 0, crawl: Double = 0, crawlFactor: Double = 0.05) {
            self.freeze = freeze
            self.vanish = vanish
            self.crawl = crawl
            self.crawlFactor = crawlFactor
        }

        public var isEmpty: Bool { freeze == 0 && vanish == 0 && crawl == 0 }
    }

    public var hosts: Int
    /// Racks the hosts are spread over in turn (host i in rack i mod racks); 0: one flat
    /// network with no rack uplinks.
    public var racks: Int
    /// Datacenters the racks are spread over in turn.
    public var datacenters: Int
    /// Every host's link, each way.
    public var hostRate: Double
    /// The controller's link; nil: the same as a host's.
    public var seederRate: Double?
    /// Each rack's uplink to the spine, each way; nil: unlimited.
    public var rackUplink: Double?
    /// Each datacenter's link to the others, each way; nil: unlimited.
    public var datacenterLink: Double?
    /// One-way delay between any two hosts, in seconds: a connection that had nothing to
    /// send starts a round trip after the request.
    public var latency: Double
    /// Bytes each host can write to disk per second; nil: not a limit.
    public var diskRate: Double?
    /// Bytes each host can SHA-1 per second; a piece is passed on only once checked.
    public var hashRate: Double?
    /// Payload bytes per byte on the wire: TCP/IP headers take the rest (1448 of 1514 bytes
    /// per full Ethernet frame with timestamps).
    public var goodput: Double
    /// How long a link's queue holds at its rate (the sandbox's token buckets: 20 ms). A link
    /// carrying more connections than a quarter of its queue in packets loses packets faster
    /// than TCP can repair them without timeouts (`LinkTimeouts`); nil: no timeouts.
    public var queueDelay: Double?

    /// The burst of the sandbox's token buckets, which its queues hold on top of `queueDelay`
    /// (tc's limit is rate × latency + burst): 64 KiB, or 1 ms of the rate above 500 Mbit/s.
    /// At 5 Mbit/s it is most of the queue (54 packets against 8 for 20 ms); without it the
    /// model stalled far too many connections on slow links.
    static func tokenBucketBurst(bytesPerSecond: Double) -> Double {
        max(65536, bytesPerSecond / 1000)
    }

    public var size: Int64
    public var pieceLength: Int
    /// The block the simulated picker requests; 16 KiB as on the wire, or coarser (up to the
    /// piece) to simulate thousands of hosts in minutes.
    public var blockLength: Int

    public var peerSelection: PeerSelection
    /// With rack selection, each host brings only its share of the pieces into its rack
    /// (`RackShare`); false: it asks peers outside the rack for anything, as without racks.
    public var rackShares = true
    public var faults: Faults
    /// Hosts start their peers spread evenly over this many seconds (the SSH fan-out).
    public var startSpread: Double
    public var seed: UInt64
    /// Simulated seconds per step: rates are shared anew every step.
    public var step: Double
    /// The simulation gives up after this many simulated seconds; nil: 50 × the lower bound.
    public var timeLimit: Double?

    /// The peers' settings: the engine's own defaults, so the simulation decides as a push does.
    public var swarm: SwarmConfiguration
    public var tracker: TrackerSettings

    public struct TrackerSettings: Sendable, Hashable {
        /// Seconds between a peer's announces (the tracker's default interval).
        public var interval: Double = 10
        public init() {}
    }

    public init(
        hosts: Int,
        racks: Int = 0,
        datacenters: Int = 1,
        hostRate: Double,
        seederRate: Double? = nil,
        rackUplink: Double? = nil,
        datacenterLink: Double? = nil,
        latency: Double = 0.0002,
        diskRate: Double? = nil,
        hashRate: Double? = nil,
        goodput: Double = 1448.0 / 1514.0,
        queueDelay: Double? = 0.02,
        size: Int64,
        pieceLength: Int? = nil,
        blockLength: Int? = nil,
        peerSelection: PeerSelection = .random,
        faults: Faults = Faults(),
        startSpread: Double = 0.2,
        seed: UInt64 = 1,
        step: Double = 0.01,
        timeLimit: Double? = nil
    ) {
        self.hosts = hosts
        self.racks = racks
        self.datacenters = datacenters
        self.hostRate = hostRate
        self.seederRate = seederRate
        self.rackUplink = rackUplink
        self.datacenterLink = datacenterLink
        self.latency = latency
        self.diskRate = diskRate
        self.hashRate = hashRate
        self.goodput = goodput
        self.queueDelay = queueDelay
        self.size = size
        let pieceLength = pieceLength ?? PieceLength.automatic(forPayloadLength: size, minimum: 64 * 1024)
        self.pieceLength = pieceLength
        self.blockLength = blockLength ?? Self.automaticBlockLength(hosts: hosts, size: size, pieceLength: pieceLength)
        self.peerSelection = peerSelection
        self.faults = faults
        self.startSpread = startSpread
        self.seed = seed
        self.step = step
        self.timeLimit = timeLimit
        self.swarm = SwarmConfiguration(superSeeding: true)
        self.tracker = TrackerSettings()
    }

    /// 16 KiB blocks while hosts × blocks stays below about 20 million; beyond, 64 KiB: the
    /// smallest pipeline a peer keeps with another (4 wire blocks) is then one block, so the
    /// requests outstanding in bytes stay those of a real peer. Whole-piece blocks would let a
    /// host with 200 peers ask for every piece at once and reach endgame at the start.
    public static func automaticBlockLength(hosts: Int, size: Int64, pieceLength: Int) -> Int {
        let blocks = Double(hosts) * Double(size) / Double(PieceLayout.wireBlockLength)
        return blocks <= 20e6 ? PieceLayout.wireBlockLength : min(pieceLength, 4 * PieceLayout.wireBlockLength)
    }

    /// The controller's link, each way, in bits per second.
    public var seederLinkRate: Double { seederRate ?? hostRate }

    /// What a host can take in, in bits per second: its link, or its disk if slower.
    public var hostReceiveRate: Double { min(hostRate, (diskRate ?? .infinity) * 8) }

    /// Throws when the scenario cannot be simulated, naming the setting and what to do.
    public func validate() throws(SimulationError) {
        func require(_ condition: Bool, _ message: String) throws(SimulationError) {
            if !condition { throw SimulationError(message) }
        }
        try require(hosts >= 1 && hosts <= 100_000, "--hosts must be 1 to 100000, not \(hosts)")
        try require(racks >= 0 && racks <= hosts, "--racks must be 0 (flat) to the host count \(hosts), not \(racks)")
        try require(datacenters >= 1 && datacenters <= max(1, racks), "--datacenters must be 1 to the rack count, not \(datacenters)")
        try require(hostRate > 0, "--host-rate must be above zero")
        try require((seederRate ?? 1) > 0 && (rackUplink ?? 1) > 0 && (datacenterLink ?? 1) > 0, "link rates must be above zero")
        try require((diskRate ?? 1) > 0 && (hashRate ?? 1) > 0, "--disk-rate and --hash-rate must be above zero")
        try require(goodput > 0 && goodput <= 1, "the goodput share must be in (0, 1]")
        try require((queueDelay ?? 1) > 0 && (queueDelay ?? 0) <= 10, "--queue must be above 0 and at most 10 s")
        try require(size >= 1, "--size must be at least one byte")
        do {
            try PieceLength.validate(pieceLength)
            _ = try PieceGeometry(totalLength: size, pieceLength: pieceLength)
        } catch {
            throw SimulationError("--piece-size: \(error)")
        }
        try require(
            blockLength >= 1 && blockLength <= pieceLength && pieceLength % blockLength == 0,
            "--block must divide the piece size \(pieceLength), not \(blockLength)")
        for (name, share) in [("--freeze", faults.freeze), ("--vanish", faults.vanish), ("--crawl", faults.crawl)] {
            try require(share >= 0 && share <= 1, "\(name) must be a share from 0 % to 100 %")
        }
        try require(faults.freeze + faults.vanish + faults.crawl <= 1, "--freeze, --vanish and --crawl add up to more than every host")
        try require(faults.crawlFactor > 0 && faults.crawlFactor <= 1, "the crawl factor must be in (0, 1]")
        try require(latency >= 0 && latency < 10, "--latency must be from 0 to 10 s")
        try require(startSpread >= 0 && startSpread < 3600, "--start-spread must be from 0 to 3600 s")
        try require(step > 0 && step <= 1, "--step must be above 0 and at most 1 s")
    }
}

/// A scenario that cannot be simulated.
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
