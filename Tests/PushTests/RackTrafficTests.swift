import DeployConfiguration
import Testing
@testable import Push

@Suite("Bytes across racks and datacenters, from the hosts' own accounts")
struct RackTrafficTests {
    @Test func aSmallCaseCountedByHand() throws {
        // a, b in east/r1; c in east/r2; d in west/r1. The seeder sends 100 to a and 100 to c;
        // a sends 100 to b (same rack, not counted) and 100 to d (other rack and datacenter);
        // c sends 40 to b; b sends 7 to a peer id nobody announced (ignored).
        let topology = FleetTopology(try HostsFile.parse(
            "a dc=east rack=r1\nb dc=east rack=r1\nc dc=east rack=r2\nd dc=west rack=r1\n", path: "h"))
        let traffic = try #require(RackTraffic.make(
            topology: topology, peerIDs: ["A", "B", "C", "D"],
            uploadedTo: [["B": 100, "D": 100], ["X": 7], ["B": 40], [:]],
            seederSent: ["A": 100, "C": 100], archiveBytes: 100))
        #expect(traffic.racks.map(\.rack) == ["r1", "r2", "r1"])
        #expect(traffic.racks.map(\.datacenter) == ["east", "east", "west"])
        #expect(traffic.racks.map(\.bytesIn) == [140, 100, 100])
        #expect(traffic.racks.map(\.copiesIn) == [1.4, 1.0, 1.0])
        #expect(traffic.crossRackBytes == 340)
        #expect(traffic.crossDatacenterBytes == 100)
    }

    @Test func aFleetWithoutRacksHasNoRackCounts() throws {
        let topology = FleetTopology(try HostsFile.parse("a\nb\n", path: "h"))
        #expect(RackTraffic.make(topology: topology, peerIDs: ["A", "B"], uploadedTo: [[:], [:]], seederSent: [:], archiveBytes: 1) == nil)
    }
}
