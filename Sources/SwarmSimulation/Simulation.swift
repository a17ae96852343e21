import Swarm
import TorrentMetainfo
import Tracker

/// A push played out on a model of the network, deciding with the swarm's own code: every
/// host runs a `PiecePicker`, every uploader a `Choker`, every connection a `PeerLiveness` and
/// a `PipelineDepth`, the controller's seeder a `SuperSeedPlanner`, and peers find each other
/// through a `TrackerState`, all unchanged. Only the wire is modelled: each step, the links'
/// rates are shared among the connections that have requests queued (`LinkSharing`) and bytes
/// move; messages (`have`, requests, chokes) take effect within the step they are sent.
///
/// Node 0 is the controller's seeder; nodes 1...hosts are the hosts. The seeder sits outside
/// every rack: what it sends crosses the receiver's rack uplink, as in the sandbox.
public final class Simulation {
    enum NodeState { case waiting, running, frozen, gone }
    enum FaultKind: String, Sendable { case freeze, vanish, crawl }

    struct Node {
        var picker: PiecePicker
        var rack: Int
        var datacenter: Int
        var upLink: Int32
        var downLink: Int32
        var state: NodeState = .waiting
        var fault: FaultKind?
        /// The peers connected to, in the order they connected (dictionaries below find the
        /// direction; this list keeps every walk over the peers in a repeatable order).
        var neighbors: [Int] = []
        /// Uploader → the direction carrying its blocks to this node.
        var inbound: [Int: Int] = [:]
        /// Downloader → the direction carrying this node's blocks to it.
        var outbound: [Int: Int] = [:]
        var hashFreeAt = 0.0
        var completedAt: Double?
        /// When it last verified a piece (or connected to the seeder): the seeder's tail serves
        /// it everything once this is `starvationPatience` old (see `SuperSeedPlanner.peerStarved`).
        var reportedPieceAt = 0.0
        var chokerDue = false
        var isSettled = false
        var uploaded: Int64 = 0
        var downloaded: Int64 = 0
        var duplicate: Int64 = 0
        let peerID: PeerID
        let address: IPAddress
    }

    /// One way of one connection: `uploader` sends blocks to `downloader`.
    struct Direction {
        let uploader: Int
        let downloader: Int
        /// The links the bytes cross, sender's uplink first.
        let path: [Int32]
        var queue: [BlockSpec] = []
        var head = 0
        var headSent = 0
        /// A TCP retransmission timeout holds the connection's bytes until then.
        var stalledUntil = 0.0
        /// Timeouts in a row: each doubles the next one, as TCP backs off.
        var timeouts = 0
        /// The uploader chokes the downloader (BEP 3: connections start choked).
        var choked = true
        /// The downloader wants pieces the uploader has.
        var interested = false
        var chokeStateSince: Double
        var bytes: Int64 = 0
        /// Bytes may flow from here on: a request that found the queue empty waits a round trip.
        var readyAt = 0.0
        /// The downloader's end of the connection: its view of the uploader.
        var liveness: PeerLiveness
        var pipeline: PipelineDepth
        /// The seeder's partial sends, to tell the planner when a piece went out whole.
        var sentOfPiece: [Int: Int] = [:]
        var isOpen = true

        var queued: Int { queue.count - head }
    }

    enum Event {
        case start(Int)
        case announce(Int)
        case verified(node: Int, piece: Int)
        case fault(Int, FaultKind)
    }

    let scenario: SimulationScenario
    let layout: PieceLayout
    let infoHash: InfoHash
    var random: SeededRandom
    var tracker: TrackerState
    let clockBase = ContinuousClock.now
    var now = 0.0
    var nodes: [Node] = []
    var directions: [Direction] = []
    var nodeByAddress: [IPAddress: Int] = [:]
    var planner: SuperSeedPlanner
    var everyoneShownAll = false
    var events = EventQueue<Event>()
    var sharing: LinkSharing
    var timeouts: LinkTimeouts
    var baseCapacity: [Double]
    var rackLinks: [(up: Int32, down: Int32)] = []
    var datacenterLinks: [(up: Int32, down: Int32)] = []
    /// Directions that may have queued requests.
    var busy: [Int] = []
    var isBusy: [Bool] = []
    var nextTick: Double
    var counters = Counters()
    var unfinished: Int

    /// What the result reports besides the hosts' own figures.
    struct Counters {
        var crossRackBytes: Int64 = 0
        var crossDatacenterBytes: Int64 = 0
        var bytesIntoRack: [Int64] = []
        var steps = 0
        var flowSteps = 0
        var connections = 0
    }

    static let seeder = 0

    public init(_ scenario: SimulationScenario) throws(SimulationError) {
        try scenario.validate()
        self.scenario = scenario
        let geometry: PieceGeometry
        do {
            geometry = try PieceGeometry(totalLength: scenario.size, pieceLength: scenario.pieceLength)
        } catch {
            throw SimulationError("--piece-size: \(error)")
        }
        layout = PieceLayout(geometry, blockLength: scenario.blockLength)
        random = SeededRandom(seed: scenario.seed)
        infoHash = InfoHash(bytes: Array(repeating: 0x5D, count: InfoHash.byteCount))
        planner = SuperSeedPlanner(pieceCount: layout.pieceCount, windowSize: scenario.swarm.superSeedWindow)
        nextTick = scenario.swarm.tickInterval.seconds
        unfinished = scenario.hosts

        // Links: each node's up and down, then each rack's and datacenter's up and down.
        let goodput = scenario.goodput
        var capacity: [Double] = []
        func addLink(_ bitsPerSecond: Double?) -> Int32 {
            capacity.append(bitsPerSecond.map { $0 / 8 * goodput } ?? .infinity)
            return Int32(capacity.count - 1)
        }
        var locations: [IPAddress: PeerLocation] = [:]
        for index in 0...scenario.hosts {
            let isSeeder = index == Self.seeder
            let rack = isSeeder || scenario.racks == 0 ? -1 : (index - 1) % scenario.racks
            let datacenter = rack < 0 ? -1 : rack % scenario.datacenters
            let up = addLink(isSeeder ? scenario.seederLinkRate : scenario.hostRate)
            let down = addLink(isSeeder ? scenario.seederLinkRate : scenario.hostReceiveRate)
            let address = IPAddress.v4([10, UInt8((index + 1) >> 16 & 0xFF), UInt8((index + 1) >> 8 & 0xFF), UInt8((index + 1) & 0xFF)])
            var idBytes = Array("-SIM000-".utf8) + Array(repeating: 0, count: 12)
            withUnsafeBytes(of: UInt64(index).bigEndian) { idBytes.replaceSubrange(12..<20, with: $0) }
            let picker = PiecePicker(layout: layout, verified: isSeeder ? PieceSet(pieceCount: layout.pieceCount, full: true) : nil)
            nodes.append(Node(picker: picker, rack: rack, datacenter: datacenter, upLink: up, downLink: down, peerID: PeerID(bytes: idBytes), address: address))
            nodeByAddress[address] = index
            if rack >= 0 {
                locations[address] = PeerLocation(
                    datacenter: scenario.datacenters > 1 ? "dc\(datacenter)" : nil, rack: "r\(rack)")
            }
        }
        if case .rack = scenario.peerSelection, scenario.rackShares, scenario.racks > 0 {
            for index in 1...scenario.hosts {
                let rack = nodes[index].rack
                let count = scenario.hosts / scenario.racks + (rack < scenario.hosts % scenario.racks ? 1 : 0)
                // Its seat, as `seat(of:)` (not callable before every property is set).
                nodes[index].picker.setRackShare(RackShare(index: (index - 1) / scenario.racks, count: count))
            }
        }
        rackLinks = (0..<scenario.racks).map { _ in (addLink(scenario.rackUplink), addLink(scenario.rackUplink)) }
        datacenterLinks = (0..<(scenario.racks > 0 ? scenario.datacenters : 0)).map { _ in
            (addLink(scenario.datacenterLink), addLink(scenario.datacenterLink))
        }
        baseCapacity = capacity
        sharing = LinkSharing(capacity: capacity)
        timeouts = LinkTimeouts(capacity: capacity, queueDelay: scenario.queueDelay, burst: SimulationScenario.tokenBucketBurst(bytesPerSecond:))
        counters.bytesIntoRack = Array(repeating: 0, count: scenario.racks)

        var trackerConfiguration = TrackerState.Configuration(
            interval: .seconds(scenario.tracker.interval), minInterval: .seconds(scenario.tracker.interval / 2),
            maximumNumwant: max(200, scenario.swarm.numwant), maximumPeersPerTorrent: scenario.hosts + 1)
        // As a push: without racks, rack selection is random selection.
        if case .rack(let otherRacks, let otherDatacenters, let unplaced) = scenario.peerSelection, scenario.racks > 0 {
            trackerConfiguration.locality = PeerLocality(
                locations: locations, otherRacks: otherRacks, otherDatacenters: otherDatacenters, unplaced: unplaced)
        }
        tracker = TrackerState(configuration: trackerConfiguration)
        tracker.register(infoHash)

        events.schedule(.start(Self.seeder), at: 0)
        for host in 1...scenario.hosts {
            let startAt = scenario.startSpread * Double(host - 1) / Double(max(1, scenario.hosts - 1))
            events.schedule(.start(host), at: startAt)
        }
        scheduleFaults()
    }

    /// Picks the struck hosts and when they are struck: at a uniformly random moment between
    /// a tenth and nine tenths of the lower bound, so mid-transfer.
    private func scheduleFaults() {
        let faults = scenario.faults
        guard !faults.isEmpty else { return }
        var hosts = Array(1...scenario.hosts)
        hosts.shuffle(using: &random)
        var next = 0
        let bound = lowerBound.seconds
        for (kind, share) in [(FaultKind.freeze, faults.freeze), (.vanish, faults.vanish), (.crawl, faults.crawl)] {
            let count = Int((share * Double(scenario.hosts)).rounded())
            for host in hosts[next..<min(hosts.count, next + count)] {
                let at = bound * Double.random(in: 0.1...0.9, using: &random)
                nodes[host].fault = kind
                events.schedule(.fault(host, kind), at: at)
            }
            next += count
        }
    }

    /// The fluid lower bound for this scenario, from the same link rates the simulation uses
    /// (before goodput: the bound is the links', not the protocol's).
    public var lowerBound: FluidBound {
        FluidBound(
            size: Double(scenario.size), seederRate: scenario.seederLinkRate / 8,
            hostRates: Array(repeating: scenario.hostReceiveRate / 8, count: scenario.hosts),
            rackUplink: scenario.racks > 0 ? scenario.rackUplink.map { $0 / 8 } : nil)
    }

    /// Runs to the end: every host that was not struck has the payload, or the time limit.
    /// `progress` hears, once per simulated second, the time and how many hosts are done.
    public func run(progress: ((_ seconds: Double, _ done: Int) -> Void)? = nil) -> SimulationResult {
        let started = ContinuousClock.now
        let limit = scenario.timeLimit ?? max(60, lowerBound.seconds * 50)
        let step = scenario.step
        var nextReport = 1.0
        while now < limit {
            if let progress, now >= nextReport {
                progress(now, scenario.hosts - unfinished)
                nextReport += 1
            }
            processEvents(through: now)
            if now >= nextTick {
                tick()
                nextTick += scenario.swarm.tickInterval.seconds
            }
            runDueChokers()
            if isFinished { break }
            transfer(for: step)
            now += step
            counters.steps += 1
        }
        return result(wallSeconds: (ContinuousClock.now - started).seconds)
    }

    /// Every host has the payload, or froze or vanished before it had.
    var isFinished: Bool { unfinished == 0 }

    /// A host is done with: it completed, froze or vanished (whichever came first).
    func settle(_ node: Int) {
        guard !nodes[node].isSettled else { return }
        nodes[node].isSettled = true
        unfinished -= 1
    }

    func processEvents(through time: Double) {
        while let (at, event) = events.popDue(by: time) {
            switch event {
            case .start(let node):
                guard nodes[node].state == .waiting else { continue }
                nodes[node].state = .running
                announce(node, event: .started)
            case .announce(let node):
                guard nodes[node].state == .running else { continue }
                announce(node, event: .none)
            case .verified(let node, let piece):
                guard nodes[node].state == .running else { continue }
                verified(piece, at: node, time: at)
            case .fault(let node, let kind):
                strike(node, kind)
            }
        }
    }

    func key(_ node: Int) -> PeerKey { PeerKey(UInt64(node)) }

    func instant(_ time: Double) -> ContinuousClock.Instant { clockBase + .seconds(time) }
}
