import Testing
import TorrentMetainfo
@testable import Tracker
import PeerWire
import TestSupport

struct TrackerStateTests {
    static let torrent = StateHarness.torrent

    @Test func refusesAnUnknownInfoHashAndChangesNothing() throws {
        var harness = StateHarness()
        let other = Fixtures.infoHash(0x01)
        let result = harness.announce("A", event: .started, torrent: other)
        #expect(throws: TrackerError(.unknownTorrent(other))) { try result.get() }
        #expect(harness.state.peerCount(of: other) == 0)
        #expect(harness.state.isRegistered(other) == false)
        #expect(harness.state.registeredTorrents == [Self.torrent])
    }

    @Test func peersSeeEachOtherButNeverThemselves() throws {
        var harness = StateHarness()
        let first = try harness.announce("A", from: "10.0.0.1", port: 1001, event: .started).get()
        #expect(first.peers.isEmpty)
        #expect(first.incomplete == 1 && first.complete == 0)
        let second = try harness.announce("B", from: "10.0.0.2", port: 1002, event: .started).get()
        let endpointA = PeerEndpoint(address: Fixtures.address("10.0.0.1"), port: 1001)
        #expect(second.peers == [AnnouncedPeer(peerID: Fixtures.peerID("A"), endpoint: endpointA)])
        let again = try harness.announce("A", from: "10.0.0.1", port: 1001).get()
        #expect(again.peers.map(\.peerID) == [Fixtures.peerID("B")])
        #expect(again.incomplete == 2)
        #expect(again.interval == .seconds(10) && again.minInterval == .seconds(5))
    }

    /// Each row: announces in order (peer, left, event); then the expected
    /// live peers, seeders, and completed peers.
    struct EventRow: Sendable, CustomTestStringConvertible {
        let name: String
        let announces: [(Character, Int64, AnnounceRequest.Event)]
        let live: String
        let seeders: Int
        let completed: String
        var testDescription: String { name }
    }

    static let eventRows: [EventRow] = [
        EventRow(
            name: "started peers are live",
            announces: [("A", 10, .started), ("B", 10, .started)], live: "AB", seeders: 0, completed: ""),
        EventRow(
            name: "completed marks a seeder and a completion",
            announces: [("A", 10, .started), ("A", 0, .completed)], live: "A", seeders: 1, completed: "A"),
        EventRow(
            name: "a peer starting with nothing left counts as completed",
            announces: [("S", 0, .started), ("A", 10, .started)], live: "AS", seeders: 1, completed: "S"),
        EventRow(
            name: "stopped removes the peer",
            announces: [("A", 10, .started), ("B", 10, .started), ("A", 10, .stopped)],
            live: "B", seeders: 0, completed: ""),
        EventRow(
            name: "a completion survives stopping",
            announces: [("A", 10, .started), ("A", 0, .completed), ("A", 0, .stopped)],
            live: "", seeders: 0, completed: "A"),
        EventRow(
            name: "stopped from an unknown peer is harmless",
            announces: [("A", 10, .stopped)], live: "", seeders: 0, completed: ""),
        EventRow(
            name: "a regular announce without started registers the peer",
            announces: [("A", 5, .none)], live: "A", seeders: 0, completed: ""),
    ]

    @Test(arguments: TrackerStateTests.eventRows)
    func eventsUpdateTheSwarm(row: EventRow) throws {
        var harness = StateHarness()
        for (peer, left, event) in row.announces {
            _ = try harness.announce(peer, left: left, event: event).get()
        }
        #expect(harness.livePeers == Fixtures.peerIDs(row.live))
        #expect(harness.state.peers(of: Self.torrent).count(where: \.isComplete) == row.seeders)
        #expect(harness.completedPeers == Fixtures.peerIDs(row.completed))
    }

    @Test func expiresPeersSilentForMoreThanTwoIntervals() throws {
        var harness = StateHarness(.init(interval: .seconds(10)))
        let t0 = harness.t0
        harness.announce("A", at: .zero)
        harness.announce("B", at: .seconds(15))

        harness.state.expire(now: t0 + .seconds(20))
        #expect(harness.livePeers == Fixtures.peerIDs("AB"), "exactly two intervals silent is still alive")
        harness.state.expire(now: t0 + .seconds(20) + .milliseconds(1))
        #expect(harness.livePeers == Fixtures.peerIDs("B"))

        // An announce expires its swarm first: C never sees B once B is silent too long.
        let answer = try harness.announce("C", at: .seconds(36)).get()
        #expect(answer.peers.isEmpty)
        #expect(harness.livePeers == Fixtures.peerIDs("C"))
    }

    @Test(arguments: [
        // (numwant, peers in swarm besides the requester, expected count)
        (nil as Int?, 80, 50),
        (nil, 10, 10),
        (0, 10, 0),
        (5, 10, 5),
        (500, 300, 200),
        (30, 30, 30),
    ])
    func honoursNumwantWithinTheCap(numwant: Int?, others: Int, expected: Int) throws {
        var harness = StateHarness(seed: 5)
        for index in 0..<others {
            var request = Fixtures.request(Self.torrent, peer: "A", port: UInt16(2000 + index))
            request.peerID = PeerID(bytes: Array("peer-".utf8) + Array(String(index + 100_000).utf8) + Array(repeating: 0, count: 9))
            _ = try harness.announce(request, from: "10.0.0.1").get()
        }
        let answer = try harness.announce("Z", from: "10.9.9.9", numwant: numwant).get()
        #expect(answer.peers.count == expected)
        #expect(Set(answer.peers.map(\.peerID)).count == expected, "no peer twice")
        #expect(!answer.peers.contains { $0.peerID == Fixtures.peerID("Z") })
    }

    @Test func choosesPeersWithTheInjectedGenerator() throws {
        func answer(seed: UInt64) throws -> [PeerID?] {
            var harness = StateHarness(seed: 99)
            for letter in "ABCDEFGHIJKLMNOP" {
                harness.announce(letter)
            }
            harness.generator = SplitMix64(seed: seed)
            return try harness.announce("Z", numwant: 4).get().peers.map(\.peerID)
        }
        #expect(try answer(seed: 1) == answer(seed: 1))
        let distinctChoices = Set(try (1...8).map { try answer(seed: $0).compactMap { $0 } })
        #expect(distinctChoices.count > 1, "different seeds choose different peers")
    }

    @Test func seedersGetOnlyDownloaders() throws {
        var harness = StateHarness()
        harness.announce("S", from: "10.0.0.1", left: 0, event: .started)
        harness.announce("T", from: "10.0.0.2", left: 0, event: .started)
        harness.announce("D", from: "10.0.0.3", left: 9, event: .started)
        let seeder = try harness.announce("S", from: "10.0.0.1", left: 0).get()
        #expect(seeder.peers.map(\.peerID) == [Fixtures.peerID("D")])
        #expect(seeder.complete == 2 && seeder.incomplete == 1)
        let downloader = try harness.announce("D", from: "10.0.0.3", left: 9).get()
        #expect(Set(downloader.peers.compactMap(\.peerID)) == Set(Fixtures.peerIDs("ST")))
    }

    @Test func aReannounceUpdatesThePeerInPlace() throws {
        var harness = StateHarness()
        harness.announce("A", from: "10.0.0.1", port: 1, left: 50)
        var update = Fixtures.request(Self.torrent, peer: "A", port: 2, left: 20)
        update.uploaded = 7
        update.downloaded = 30
        // From the same address: another address may not re-point it (see below).
        harness.announce(update, from: "10.0.0.1", at: .seconds(3))
        let peers = harness.state.peers(of: Self.torrent)
        #expect(peers.count == 1)
        #expect(peers.first?.endpoint == PeerEndpoint(address: Fixtures.address("10.0.0.1"), port: 2))
        #expect(peers.first?.left == 20 && peers.first?.uploaded == 7 && peers.first?.downloaded == 30)
        #expect(peers.first?.lastSeen == harness.t0 + .seconds(3))
    }

    @Test func refusesNewPeersBeyondTheSwarmLimit() throws {
        var harness = StateHarness(.init(maximumPeersPerTorrent: 2))
        _ = try harness.announce("A").get()
        _ = try harness.announce("B").get()
        #expect(throws: TrackerError(.swarmFull(Self.torrent, limit: 2))) { try harness.announce("C").get() }
        // A known peer still gets through.
        _ = try harness.announce("A").get()
    }

    /// A client with the secret once removed another host with `stopped` under its peer id,
    /// or re-pointed its entry with a plain announce.
    @Test func aPeerIDBelongsToTheAddressThatAnnouncedIt() throws {
        var harness = StateHarness()
        _ = try harness.announce("A", from: "10.0.0.1", event: .started).get()
        for event in [AnnounceRequest.Event.stopped, .none, .started] {
            #expect(throws: TrackerError(.peerIDElsewhere(Fixtures.peerID("A").description))) {
                try harness.announce("A", from: "10.0.0.66", event: event).get()
            }
        }
        #expect(harness.state.peerCount(of: Self.torrent) == 1)
        let b = try harness.announce("B", from: "10.0.0.2").get()
        #expect(b.peers.map(\.endpoint.address) == [Fixtures.address("10.0.0.1")], "A still points at its own address")
        // From its own address, A may stop; then the id is free again.
        _ = try harness.announce("A", from: "10.0.0.1", event: .stopped).get()
        _ = try harness.announce("A", from: "10.0.0.66").get()
    }

    @Test func tellsTheControllerWhenEveryHostIsDone() throws {
        var harness = StateHarness()
        let hosts = Set(Fixtures.peerIDs("ABC"))
        harness.announce("A", from: "10.0.0.1", event: .started)
        harness.announce("B", from: "10.0.0.2", event: .started)
        harness.announce("C", from: "10.0.0.3", event: .started)
        #expect(harness.state.allComplete(of: Self.torrent, expected: hosts) == false)
        harness.announce("A", from: "10.0.0.1", left: 0, event: .completed, at: .seconds(1))
        harness.announce("C", from: "10.0.0.3", left: 0, event: .completed, at: .seconds(2))
        #expect(harness.state.missingCompletions(of: Self.torrent, expected: hosts) == [Fixtures.peerID("B")])
        let addresses: Set<IPAddress> = [Fixtures.address("10.0.0.1"), Fixtures.address("10.0.0.2")]
        #expect(harness.state.missingCompletions(of: Self.torrent, expectedAddresses: addresses) == [Fixtures.address("10.0.0.2")])
        // B finishes, stops, and expires: it still counts as done.
        harness.announce("B", from: "10.0.0.2", left: 0, event: .completed, at: .seconds(3))
        harness.announce("B", from: "10.0.0.2", left: 0, event: .stopped, at: .seconds(4))
        harness.state.expire(now: harness.t0 + .seconds(100))
        #expect(harness.state.peerCount(of: Self.torrent) == 0)
        #expect(harness.state.allComplete(of: Self.torrent, expected: hosts))
        #expect(harness.completedPeers == Fixtures.peerIDs("ACB"))
        #expect(harness.state.completedCount(of: Self.torrent) == 3)
    }

    @Test func unregisteringForgetsTheSwarm() throws {
        var harness = StateHarness()
        harness.announce("A", left: 0)
        harness.state.register(Self.torrent)
        #expect(harness.state.completedCount(of: Self.torrent) == 1, "registering again keeps the swarm")
        harness.state.unregister(Self.torrent)
        #expect(harness.state.completedCount(of: Self.torrent) == 0)
        #expect(throws: TrackerError(.unknownTorrent(Self.torrent))) { try harness.announce("A").get() }
    }
}
