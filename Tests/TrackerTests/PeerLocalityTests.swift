import Testing
import TorrentMetainfo
@testable import Tracker
import TestSupport

/// Rack-aware hand-out: who gets whom, counted by rack and datacenter.
struct PeerLocalityTests {
    /// Racks r1-r4 of five hosts in east (A-E, F-J, K-O, P-T), r5 of three in west (U-W), and
    /// the controller's seeder Z, placed nowhere.
    static let layout: [(Character, String, String)] = {
        var hosts: [(Character, String, String)] = []
        for (index, letter) in "ABCDEFGHIJKLMNOPQRSTUVW".enumerated() {
            let rack = index < 20 ? "r\(index / 5 + 1)" : "r5"
            hosts.append((letter, "10.0.1.\(index + 1)", rack))
        }
        return hosts
    }()

    static func harness(seed: UInt64) -> StateHarness {
        var locations: [IPAddress: PeerLocation] = [:]
        for (_, address, rack) in layout {
            locations[Fixtures.address(address)] = PeerLocation(datacenter: rack == "r5" ? "west" : "east", rack: rack)
        }
        let locality = PeerLocality(locations: locations, otherRacks: 2, otherDatacenters: 1, unplaced: 1)
        var harness = StateHarness(.init(locality: locality), seed: seed)
        harness.announce("Z", from: "10.0.0.1", left: 0, event: .started)
        for (letter, address, _) in layout { harness.announce(letter, from: address, event: .started) }
        return harness
    }

    static func rack(of id: PeerID?) -> String? {
        layout.first { Fixtures.peerID($0.0) == id }?.2
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func aPlacedHostGetsItsRackThenBoundedOthers(seed: UInt64) throws {
        var harness = Self.harness(seed: seed)
        let answer = try harness.announce("A", from: "10.0.1.1", numwant: 50).get()
        let racks = answer.peers.map { Self.rack(of: $0.peerID) }
        #expect(racks.count { $0 == "r1" } == 4, "every rack mate")
        let otherEast: Set<String?> = ["r2", "r3", "r4"]
        #expect(racks.count { otherEast.contains($0) } == 2, "otherRacks")
        #expect(racks.count { $0 == "r5" } == 1, "otherDatacenters")
        #expect(answer.peers.map(\.peerID).contains(Fixtures.peerID("Z")), "the unplaced seeder")
        #expect(answer.peers.count == 8)
        #expect(Set(answer.peers.map(\.peerID)).count == answer.peers.count)
    }

    @Test func fewerWantedTakesTheRemoteShareFirstAndTheRestFromTheRack() throws {
        var harness = Self.harness(seed: 9)
        let answer = try harness.announce("A", from: "10.0.1.1", numwant: 5).get()
        let racks = answer.peers.map { Self.rack(of: $0.peerID) }
        // 5 wanted, 4 promised elsewhere (2 + 1 + 1): one rack mate, then the others.
        #expect(racks.count { $0 == "r1" } == 1)
        #expect(answer.peers.count == 5)
    }

    @Test func theSeederGetsOneHostOfEachRackInTurn() throws {
        var harness = Self.harness(seed: 4)
        let answer = try harness.announce("Z", from: "10.0.0.1", left: 0, numwant: 5).get()
        #expect(Set(answer.peers.map { Self.rack(of: $0.peerID) }) == ["r1", "r2", "r3", "r4", "r5"])
        let more = try harness.announce("Z", from: "10.0.0.1", left: 0, numwant: 12).get()
        let counts = Dictionary(grouping: more.peers, by: { Self.rack(of: $0.peerID) ?? "?" }).mapValues(\.count)
        #expect(counts.values.allSatisfy { (2...3).contains($0) }, "\(counts)")
    }

    @Test func stoppedPeersLeaveTheirRack() throws {
        var harness = Self.harness(seed: 5)
        for letter in "BCDE" { harness.announce(letter, from: Self.layout.first { $0.0 == letter }!.1, event: .stopped) }
        let answer = try harness.announce("A", from: "10.0.1.1", numwant: 50).get()
        let racks = answer.peers.map { Self.rack(of: $0.peerID) }
        #expect(!racks.contains("r1"))
        #expect(answer.peers.count == 4)
    }
}

