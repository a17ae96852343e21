import Swarm
import Testing

@Suite("Where a node sits among the push's racks")
struct RackPlacementTests {
    static let racks = [
        [["10.0.1.1"], ["10.0.1.2", "fd00::12"], ["10.0.1.3"]],
        [["10.0.2.1"], ["10.0.2.2"]],
    ]

    @Test("a host finds its seat by its address, and places every peer")
    func aHostFindsItsSeat() throws {
        let placement = try #require(RackPlacement(racks: Self.racks, address: "fd00::12"))
        #expect(placement.share == RackShare(index: 1, count: 3))
        #expect(placement.place(of: "10.0.1.3") == .rackMate(index: 2))
        #expect(placement.place(of: "10.0.1.2") == .rackMate(index: 1))
        #expect(placement.place(of: "10.0.2.2") == .otherRack)
        // The controller and anything not in the table sit in no rack.
        #expect(placement.place(of: "10.0.0.1") == .unplaced)
        #expect(placement.place(of: "not an address") == .unplaced)
        #expect(RackPlacement(racks: Self.racks, address: "10.0.2.2")?.share == RackShare(index: 1, count: 2))
    }

    @Test("no seat, two seats or a malformed table: no placement")
    func ambiguousSeatsGiveNone() {
        #expect(RackPlacement(racks: Self.racks, address: "10.0.9.9") == nil)
        #expect(RackPlacement(racks: [[["10.0.1.1"], ["10.0.1.1"]]], address: "10.0.1.1") == nil)
        #expect(RackPlacement(racks: [[["10.0.1.1"], ["rack-7"]]], address: "10.0.1.1") == nil)
        #expect(RackPlacement(racks: Self.racks, address: "") == nil)
    }
}
