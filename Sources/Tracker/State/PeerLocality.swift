/// Where a host sits, as the controller's hosts file places it (`dc=`, `rack=`).
public struct PeerLocation: Hashable, Sendable {
    public var datacenter: String?
    public var rack: String?

    public init(datacenter: String?, rack: String?) {
        self.datacenter = datacenter
        self.rack = rack
    }
}

/// Rack-aware hand-out: an announce from a placed host gets peers of its own rack, at most
/// `otherRacks` from other racks of its datacenter, at most `otherDatacenters` from other
/// datacenters, and at most `unplaced` that no rack holds (the controller's seeder, hosts
/// without labels). A peer that is not placed, or has the whole payload, gets peers spread
/// over every rack in turn, so the seeder reaches each rack. Peers this tracker does not
/// place behave as without locality.
public struct PeerLocality: Hashable, Sendable {
    /// Placed hosts by the address they announce from.
    public var locations: [IPAddress: PeerLocation]
    public var otherRacks: Int
    public var otherDatacenters: Int
    public var unplaced: Int

    public init(locations: [IPAddress: PeerLocation], otherRacks: Int = 1, otherDatacenters: Int = 1, unplaced: Int = 1) {
        self.locations = locations
        self.otherRacks = otherRacks
        self.otherDatacenters = otherDatacenters
        self.unplaced = unplaced
    }
}
