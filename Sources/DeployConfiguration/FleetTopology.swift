/// The hosts as the `dc=` and `rack=` labels of the hosts file place them: datacenters, their
/// racks, the hosts in each. Hosts without a label belong to an unnamed datacenter or rack;
/// a fleet with no `rack=` label at all has no topology to speak of (`isFlat`).
public struct FleetTopology: Sendable, Equatable, Codable {
    public struct Rack: Sendable, Equatable, Codable {
        /// The `rack=` value; nil for the hosts that have none.
        public var name: String?
        /// Indices into the hosts file's entries, in file order.
        public var hosts: [Int]
    }

    public struct Datacenter: Sendable, Equatable, Codable {
        /// The `dc=` value; nil for the hosts that have none.
        public var name: String?
        /// In natural order (`r2` before `r10`), unnamed last.
        public var racks: [Rack]

        public var hostCount: Int { racks.reduce(0) { $0 + $1.hosts.count } }
    }

    /// In natural order, unnamed last.
    public var datacenters: [Datacenter]

    public static let datacenterLabel = "dc"
    public static let rackLabel = "rack"

    public init(_ entries: [HostEntry]) {
        var byDatacenter: [String?: [String?: [Int]]] = [:]
        for (index, entry) in entries.enumerated() {
            byDatacenter[entry.labels[Self.datacenterLabel], default: [:]][entry.labels[Self.rackLabel], default: []].append(index)
        }
        datacenters = Self.sorted(Array(byDatacenter.keys)).map { datacenter in
            let racks = byDatacenter[datacenter]!
            return Datacenter(name: datacenter, racks: Self.sorted(Array(racks.keys)).map { Rack(name: $0, hosts: racks[$0]!) })
        }
    }

    /// Named values in natural order, then the unnamed one.
    static func sorted(_ names: [String?]) -> [String?] {
        names.compactMap { $0 }.sorted(by: NaturalOrder.areInIncreasingOrder) + (names.contains(nil) ? [nil] : [])
    }

    /// True when no host names a rack: peers are all alike then.
    public var isFlat: Bool {
        datacenters.allSatisfy { $0.racks.allSatisfy { $0.name == nil } }
    }

    public var rackCount: Int { datacenters.reduce(0) { $0 + $1.racks.count } }

    /// Bytes that cross rack uplinks when every host takes its `payloadBytes` from peers drawn
    /// at random among all the others and the controller (which sits in no host's rack): a
    /// host in a rack of `s` of `n` hosts gets about `(n - s + 1) / n` of its bytes from outside.
    public func crossRackBytesWithRandomPeers(payloadBytes: Int64) -> Int64 {
        let total = datacenters.reduce(0) { $0 + $1.hostCount }
        guard total > 0 else { return 0 }
        var bytes = 0.0
        for datacenter in datacenters {
            for rack in datacenter.racks {
                let size = Double(rack.hosts.count)
                bytes += size * Double(payloadBytes) * (Double(total) - size + 1) / Double(total)
            }
        }
        return Int64(bytes.rounded())
    }

    /// Bytes that cross rack uplinks with rack peer selection, where each host brings only its
    /// share of the pieces into its rack (`Swarm.RackShare`): a little over one copy into each
    /// rack — the seeder's pieces and the last pieces, which a rack may take in twice. The
    /// factor is measured, not derived: 1.04 to 1.06 copies into the worst rack on the sandbox
    /// (16 and 32 hosts), 1.07 simulated at 200 hosts in 5 racks.
    public func crossRackBytesWithRackShares(payloadBytes: Int64) -> Int64 {
        Int64((Double(crossRackBytesAtLeast(payloadBytes: payloadBytes)) * 1.1).rounded())
    }

    /// The least that must cross rack uplinks: one copy into each rack.
    public func crossRackBytesAtLeast(payloadBytes: Int64) -> Int64 {
        Int64(rackCount) * payloadBytes
    }
}
