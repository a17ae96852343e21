import Tracker

/// Where this node sits among the push's racks: its `RackShare`, and which rack every
/// other host is in, by address, so each connection can be placed (`PeerPlace`).
///
/// Made from the push's rack table (every rack's hosts, each host's addresses, in the
/// same order on every host) and the address this node is reached at. A node that finds
/// itself in no rack, or in two entries (hosts sharing an address cannot be told apart),
/// gets no placement and fetches as without racks.
public struct RackPlacement: Sendable, Equatable {
    struct Seat: Hashable, Sendable {
        var rack: Int
        var index: Int
    }

    public let share: RackShare
    let ownRack: Int
    /// Every placed host's (rack, seat in it), by each of its addresses.
    let seatOf: [IPAddress: Seat]

    /// Nil when `address` is not exactly one host's of `racks`, or an address is malformed.
    public init?(racks: [[[String]]], address: String) {
        guard let own = IPAddress(address) else { return nil }
        var seatOf: [IPAddress: Seat] = [:]
        var seat: (rack: Int, index: Int, count: Int)?
        var seats = 0
        for (rack, hosts) in racks.enumerated() {
            for (index, addresses) in hosts.enumerated() {
                var isOwn = false
                for text in addresses {
                    guard let parsed = IPAddress(text) else { return nil }
                    seatOf[parsed] = Seat(rack: rack, index: index)
                    isOwn = isOwn || parsed == own
                }
                if isOwn {
                    seat = (rack, index, hosts.count)
                    seats += 1
                }
            }
        }
        guard seats == 1, let seat, let share = RackShare(index: seat.index, count: seat.count) else { return nil }
        self.share = share
        self.ownRack = seat.rack
        self.seatOf = seatOf
    }

    /// Where the peer at `address` sits: a rack mate, in another rack, or in none we know.
    public func place(of address: String) -> PeerPlace {
        guard let parsed = IPAddress(address), let seat = seatOf[parsed] else { return .unplaced }
        return seat.rack == ownRack ? .rackMate(index: seat.index) : .otherRack
    }
}
