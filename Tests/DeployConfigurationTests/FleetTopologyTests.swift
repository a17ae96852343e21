import DeployConfiguration
import Testing

@Suite("Datacenters and racks from the hosts file's labels")
struct FleetTopologyTests {
    @Test func namesAreOrderedAsPeopleNumberThem() {
        let names = ["r10", "r2", "r1", "r01", "rack-b", "r100", "rack-a", "r9x", "r9"]
        #expect(names.sorted(by: NaturalOrder.areInIncreasingOrder) == ["r01", "r1", "r2", "r9", "r9x", "r10", "r100", "rack-a", "rack-b"])
        #expect(NaturalOrder.areInIncreasingOrder("dc-9", "dc-10"))
        #expect(!NaturalOrder.areInIncreasingOrder("a", "a"))
    }

    static let hosts = try! HostsFile.parse(
        """
        h1 dc=east rack=r10
        h2 dc=east rack=r2
        h3 dc=east rack=r2
        h4 dc=west rack=r1
        h5 rack=r1
        h6
        """, path: "hosts.txt")

    @Test func hostsFallIntoDatacentersAndRacksInNaturalOrder() {
        let topology = FleetTopology(Self.hosts)
        #expect(topology.datacenters.map(\.name) == ["east", "west", nil])
        #expect(topology.datacenters[0].racks.map(\.name) == ["r2", "r10"])
        #expect(topology.datacenters[0].racks.map(\.hosts) == [[1, 2], [0]])
        #expect(topology.datacenters[2].racks.map(\.name) == ["r1", nil])
        #expect(topology.rackCount == 5)
        #expect(!topology.isFlat)
        #expect(FleetTopology(try! HostsFile.parse("a\nb dc=x\n", path: "h")).isFlat)
    }

    @Test func crossRackBytesAreEstimatedByHand() {
        // Two racks of two: each host draws among 4 others (3 hosts and the controller), of
        // which 1 shares its rack, so 3/4 of its bytes come from outside: 4 × 100 × 3/4 = 300.
        let topology = FleetTopology(try! HostsFile.parse("a rack=1\nb rack=1\nc rack=2\nd rack=2\n", path: "h"))
        #expect(topology.crossRackBytesWithRandomPeers(payloadBytes: 100) == 300)
        #expect(topology.crossRackBytesAtLeast(payloadBytes: 100) == 200)
        // With rack peers each host brings in its share: a tenth over one copy per rack.
        #expect(topology.crossRackBytesWithRackShares(payloadBytes: 100) == 220)
    }

    @Test func peerSelectionsParseAndPrintBack() throws {
        #expect(try SettingParsers.peerSelection("random") == .random)
        #expect(try SettingParsers.peerSelection(" RACK ") == .rackDefaults)
        #expect(try SettingParsers.peerSelection("rack:2") == .rack(otherRacks: 2, otherDatacenters: 1, unplaced: 1))
        #expect(try SettingParsers.peerSelection("rack:1,0,1") == .rack(otherRacks: 1, otherDatacenters: 0, unplaced: 1))
        #expect(try SettingParsers.peerSelection(PushSettings.PeerSelection.rackDefaults.description) == .rackDefaults)
        for bad in ["nearby", "rack:", "rack:1,2,3,4", "rack:-1", "rack:201", "rack:a"] {
            #expect(throws: DeployError.self, "\(bad)") { try SettingParsers.peerSelection(bad) }
        }
    }
}
