import DeployConfiguration

/// Which payload bytes crossed rack uplinks and datacenter links, from each host's final
/// account of what it sent to whom (`PeerProgress.uploadedTo`) and what the controller's seeder
/// sent. The controller sits in no host's rack: everything it sends crosses into a rack (it is
/// not counted as crossing datacenters, since its own datacenter is not known).
public struct RackTraffic: Sendable, Codable, Equatable {
    public struct Rack: Sendable, Codable, Equatable {
        public var datacenter: String?
        /// nil: the hosts without a `rack=` label.
        public var rack: String?
        public var hosts: Int
        /// Payload bytes its hosts received from outside the rack (other racks and the controller).
        public var bytesIn: Int64
        /// `bytesIn` in copies of the archive: 1.0 is the least a rack can take.
        public var copiesIn: Double

        enum CodingKeys: String, CodingKey {
            case datacenter, rack, hosts
            case bytesIn = "bytes_in"
            case copiesIn = "copies_in"
        }
    }

    /// In the topology's order (datacenters, then racks, in natural order).
    public var racks: [Rack]
    public var crossRackBytes: Int64
    /// Bytes between hosts of different datacenters.
    public var crossDatacenterBytes: Int64

    enum CodingKeys: String, CodingKey {
        case racks
        case crossRackBytes = "cross_rack_bytes"
        case crossDatacenterBytes = "cross_datacenter_bytes"
    }

    /// Nil when no host names a rack. `peerIDs[i]` and `uploadedTo[i]` are host `i`'s (as
    /// the topology numbers hosts); uploads to peer ids no host announced are not counted.
    public static func make(
        topology: FleetTopology, peerIDs: [String?], uploadedTo: [[String: Int64]], seederSent: [String: Int64], archiveBytes: Int64
    ) -> RackTraffic? {
        guard !topology.isFlat else { return nil }
        // Host index to (datacenter, rack) slot.
        var slotOf: [Int: Int] = [:]
        var datacenterOf: [Int: Int] = [:]
        var racks: [Rack] = []
        for (datacenterIndex, datacenter) in topology.datacenters.enumerated() {
            for rack in datacenter.racks {
                for host in rack.hosts {
                    slotOf[host] = racks.count
                    datacenterOf[host] = datacenterIndex
                }
                racks.append(Rack(datacenter: datacenter.name, rack: rack.name, hosts: rack.hosts.count, bytesIn: 0, copiesIn: 0))
            }
        }
        var hostOf: [String: Int] = [:]
        for (index, id) in peerIDs.enumerated() {
            if let id { hostOf[id] = index }
        }
        var crossRack: Int64 = 0
        var crossDatacenter: Int64 = 0
        for (sender, sent) in uploadedTo.enumerated() {
            for (id, bytes) in sent {
                guard let receiver = hostOf[id], let to = slotOf[receiver], let from = slotOf[sender], from != to else { continue }
                racks[to].bytesIn += bytes
                crossRack += bytes
                if datacenterOf[sender] != datacenterOf[receiver] { crossDatacenter += bytes }
            }
        }
        for (id, bytes) in seederSent {
            guard let receiver = hostOf[id], let to = slotOf[receiver] else { continue }
            racks[to].bytesIn += bytes
            crossRack += bytes
        }
        for index in racks.indices {
            racks[index].copiesIn = archiveBytes > 0 ? Double(racks[index].bytesIn) / Double(archiveBytes) : 0
        }
        return RackTraffic(racks: racks, crossRackBytes: crossRack, crossDatacenterBytes: crossDatacenter)
    }
}
