/// What a simulated push came to: when hosts finished against the lower bound, what the
/// seeder sent, what crossed rack and datacenter links, and what the simulation cost.
public struct SimulationResult: Sendable, Hashable, Codable {
    public struct Rack: Sendable, Hashable, Codable {
        public var rack: String
        public var bytesIn: Int64
        /// `bytesIn` over the payload's size.
        public var copiesIn: Double
    }

    public var hosts: Int
    public var pieceCount: Int
    public var pieceLength: Int
    public var blockLength: Int
    /// Hosts no fault struck that have the payload.
    public var completed: Int
    /// Hosts no fault struck that did not finish within the time limit.
    public var incomplete: Int
    /// Hosts a fault struck: frozen, vanished or crawling.
    public var struck: Int
    /// Seconds from the start until hosts no fault struck had the payload: the median, the
    /// 99th percentile and the last.
    public var p50: Double?
    public var p99: Double?
    public var last: Double?
    /// Kumar and Ross's bound, and with the rack term (`FluidBound`).
    public var kumarRossBound: Double
    public var lowerBound: Double
    public var seederCopies: Double
    public var crossRackBytes: Int64
    public var crossDatacenterBytes: Int64
    public var duplicateBytes: Int64
    public var racks: [Rack]
    /// Connections opened, and how many carried bytes in an average step.
    public var connections: Int
    public var meanActiveConnections: Double
    /// The simulation's own cost.
    public var steps: Int
    public var wallSeconds: Double
    /// Wall microseconds per host and piece.
    public var microsecondsPerHostPiece: Double

    enum CodingKeys: String, CodingKey {
        case hosts, completed, incomplete, struck, p50, p99, last, racks, steps, connections
        case meanActiveConnections = "mean_active_connections"
        case pieceCount = "piece_count"
        case pieceLength = "piece_length"
        case blockLength = "block_length"
        case kumarRossBound = "kumar_ross_bound"
        case lowerBound = "lower_bound"
        case seederCopies = "seeder_copies"
        case crossRackBytes = "cross_rack_bytes"
        case crossDatacenterBytes = "cross_datacenter_bytes"
        case duplicateBytes = "duplicate_bytes"
        case wallSeconds = "wall_seconds"
        case microsecondsPerHostPiece = "microseconds_per_host_piece"
    }

    /// The most copies of the payload any rack took through its uplink.
    public var mostRackCopies: Double? { racks.map(\.copiesIn).max() }

    /// The value at `fraction` (0...1) of the sorted `values`, by the nearest-rank method.
    static func percentile(_ fraction: Double, of sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}

extension Simulation {
    func result(wallSeconds: Double) -> SimulationResult {
        let healthy = nodes.indices.dropFirst().filter { nodes[$0].fault == nil }
        let times = healthy.compactMap { nodes[$0].completedAt }.sorted()
        let size = Double(scenario.size)
        let bound = lowerBound
        let racks = counters.bytesIntoRack.enumerated().map { rack, bytes in
            SimulationResult.Rack(rack: "r\(rack)", bytesIn: bytes, copiesIn: Double(bytes) / size)
        }
        let hostPieces = Double(scenario.hosts) * Double(layout.pieceCount)
        return SimulationResult(
            hosts: scenario.hosts,
            pieceCount: layout.pieceCount,
            pieceLength: layout.pieceLength,
            blockLength: layout.blockLength,
            completed: times.count,
            incomplete: healthy.count - times.count,
            struck: scenario.hosts - healthy.count,
            p50: SimulationResult.percentile(0.5, of: times),
            p99: SimulationResult.percentile(0.99, of: times),
            last: times.last,
            kumarRossBound: bound.kumarRoss,
            lowerBound: bound.seconds,
            seederCopies: Double(nodes[Self.seeder].uploaded) / size,
            crossRackBytes: counters.crossRackBytes,
            crossDatacenterBytes: counters.crossDatacenterBytes,
            duplicateBytes: nodes.reduce(0) { $0 + $1.duplicate },
            racks: racks,
            connections: counters.connections,
            meanActiveConnections: Double(counters.flowSteps) / Double(max(1, counters.steps)),
            steps: counters.steps,
            wallSeconds: wallSeconds,
            microsecondsPerHostPiece: wallSeconds * 1e6 / hostPieces)
    }
}
