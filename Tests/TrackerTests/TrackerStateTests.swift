import Testing
import TorrentMetainfo
@testable import Tracker

struct TrackerStateTests {
    static let torrent = Fixtures.infoHash(0xF0)
    let t0 = ContinuousClock.now

    func makeState(_ configuration: TrackerState.Configuration = .init()) -> TrackerState {
        var state = TrackerState(configuration: configuration)
        state.register(Self.torrent)
        return state
    }

    func peers(_ result: AnnounceResult) throws -> [AnnouncedPeer] {
        try result.get().peers
    }

    @Test func refusesAnUnknownInfoHashAndChangesNothing() throws {
        var state = makeState()
        var generator = SeededGenerator(seed: 1)
        let other = Fixtures.infoHash(0x01)
        let result = state.announce(
            Fixtures.request(other, peer: "A", event: .started), from: Fixtures.address("10.0.0.1"), now: t0,
            using: &generator)
        #expect(throws: TrackerError(.unknownTorrent(other))) { try result.get() }
        #expect(state.peerCount(of: other) == 0)
        #expect(state.isRegistered(other) == false)
        #expect(state.registeredTorrents == [Self.torrent])
    }

    @Test func peersSeeEachOtherButNeverThemselves() throws {
        var state = makeState()
        var generator = SeededGenerator(seed: 2)
        let a = Fixtures.request(Self.torrent, peer: "A", port: 1001, event: .started)
        let b = Fixtures.request(Self.torrent, peer: "B", port: 1002, event: .started)
        let first = try state.announce(a, from: Fixtures.address("10.0.0.1"), now: t0, using: &generator).get()
        #expect(first.peers.isEmpty)
        #expect(first.incomplete == 1 && first.complete == 0)
        let second = try state.announce(b, from: Fixtures.address("10.0.0.2"), now: t0, using: &generator).get()
        #expect(second.peers == [
            AnnouncedPeer(peerID: Fixtures.peerID("A"), endpoint: PeerEndpoint(address: Fixtures.address("10.0.0.1"), port: 1001))
        ])
        let again = try state.announce(a, from: Fixtures.address("10.0.0.1"), now: t0, using: &generator).get()
        #expect(again.peers.map(\.peerID) == [Fixtures.peerID("B")])
        #expect(again.incomplete == 2)
        #expect(again.interval == .seconds(10) && again.minInterval == .seconds(5))
    }

    /// Each row: announces in order (peer, left, event); then the expected
    /// live peers, seeders, and completed peers.
    struct EventRow: Sendable, CustomTestStringConvertible {
        let name: String
        let announces: [(Character, Int64, AnnounceRequest.Event)]
        let live: [Character]
        let seeders: Int
        let completed: [Character]
        var testDescription: String { name }
    }

    static let eventRows: [EventRow] = [
        EventRow(name: "started peers are live", announces: [("A", 10, .started), ("B", 10, .started)],
                 live: ["A", "B"], seeders: 0, completed: []),
        EventRow(name: "completed marks a seeder and a completion",
                 announces: [("A", 10, .started), ("A", 0, .completed)], live: ["A"], seeders: 1, completed: ["A"]),
        EventRow(name: "a peer starting with nothing left counts as completed",
                 announces: [("S", 0, .started), ("A", 10, .started)], live: ["A", "S"], seeders: 1, completed: ["S"]),
        EventRow(name: "stopped removes the peer",
                 announces: [("A", 10, .started), ("B", 10, .started), ("A", 10, .stopped)],
                 live: ["B"], seeders: 0, completed: []),
        EventRow(name: "a completion survives stopping",
                 announces: [("A", 10, .started), ("A", 0, .completed), ("A", 0, .stopped)],
                 live: [], seeders: 0, completed: ["A"]),
        EventRow(name: "stopped from an unknown peer is harmless",
                 announces: [("A", 10, .stopped)], live: [], seeders: 0, completed: []),
        EventRow(name: "a regular announce without started registers the peer",
                 announces: [("A", 5, .none)], live: ["A"], seeders: 0, completed: []),
    ]

    @Test(arguments: TrackerStateTests.eventRows)
    func eventsUpdateTheSwarm(row: EventRow) throws {
        var state = makeState()
        var generator = SeededGenerator(seed: 3)
        for (peer, left, event) in row.announces {
            _ = try state.announce(
                Fixtures.request(Self.torrent, peer: peer, left: left, event: event),
                from: Fixtures.address("10.0.0.1"), now: t0, using: &generator
            ).get()
        }
        #expect(state.peers(of: Self.torrent).map(\.peerID) == row.live.map { Fixtures.peerID($0) })
        #expect(state.peers(of: Self.torrent).count(where: \.isComplete) == row.seeders)
        #expect(state.completedPeers(of: Self.torrent).map(\.peerID) == row.completed.map { Fixtures.peerID($0) })
    }

    @Test func expiresPeersSilentForMoreThanTwoIntervals() throws {
        var state = makeState(.init(interval: .seconds(10)))
        var generator = SeededGenerator(seed: 4)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "A"), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "B"), from: Fixtures.address("10.0.0.2"), now: t0 + .seconds(15), using: &generator)

        state.expire(now: t0 + .seconds(20))
        #expect(state.peerCount(of: Self.torrent) == 2, "exactly 2 intervals silent is still alive")
        state.expire(now: t0 + .seconds(20) + .milliseconds(1))
        #expect(state.peers(of: Self.torrent).map(\.peerID) == [Fixtures.peerID("B")])

        // An announce expires its swarm before answering: C never sees B once B is silent too long.
        let answer = try state.announce(
            Fixtures.request(Self.torrent, peer: "C"), from: Fixtures.address("10.0.0.3"), now: t0 + .seconds(36),
            using: &generator
        ).get()
        #expect(answer.peers.isEmpty)
        #expect(state.peers(of: Self.torrent).map(\.peerID) == [Fixtures.peerID("C")])
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
        var state = makeState()
        var generator = SeededGenerator(seed: 5)
        for index in 0..<others {
            var request = Fixtures.request(Self.torrent, peer: "A", port: UInt16(2000 + index))
            request.peerID = PeerID(bytes: Array("peer".utf8) + (0..<16).map { UInt8(truncatingIfNeeded: index >> ($0 % 2 * 8)) })!
            _ = try state.announce(request, from: Fixtures.address("10.0.0.1"), now: t0, using: &generator).get()
        }
        let answer = try state.announce(
            Fixtures.request(Self.torrent, peer: "Z", numwant: numwant), from: Fixtures.address("10.9.9.9"), now: t0,
            using: &generator
        ).get()
        #expect(answer.peers.count == expected)
        #expect(Set(answer.peers.map(\.peerID)).count == expected, "no peer twice")
        #expect(!answer.peers.contains { $0.peerID == Fixtures.peerID("Z") })
    }

    @Test func choosesPeersWithTheInjectedGenerator() throws {
        func answer(seed: UInt64) throws -> [PeerID?] {
            var state = makeState()
            var generator = SeededGenerator(seed: 99)
            for letter in "ABCDEFGHIJKLMNOP" {
                _ = state.announce(Fixtures.request(Self.torrent, peer: letter), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator)
            }
            var choice = SeededGenerator(seed: seed)
            return try state.announce(
                Fixtures.request(Self.torrent, peer: "Z", numwant: 4), from: Fixtures.address("10.0.0.2"), now: t0,
                using: &choice
            ).get().peers.map(\.peerID)
        }
        #expect(try answer(seed: 1) == answer(seed: 1))
        let distinctChoices = Set(try (1...8).map { try answer(seed: $0).compactMap { $0 } })
        #expect(distinctChoices.count > 1, "different seeds choose different peers")
    }

    @Test func seedersGetOnlyDownloaders() throws {
        var state = makeState()
        var generator = SeededGenerator(seed: 6)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "S", left: 0, event: .started), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "T", left: 0, event: .started), from: Fixtures.address("10.0.0.2"), now: t0, using: &generator)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "D", left: 9, event: .started), from: Fixtures.address("10.0.0.3"), now: t0, using: &generator)
        let seeder = try state.announce(Fixtures.request(Self.torrent, peer: "S", left: 0), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator).get()
        #expect(seeder.peers.map(\.peerID) == [Fixtures.peerID("D")])
        #expect(seeder.complete == 2 && seeder.incomplete == 1)
        let downloader = try state.announce(Fixtures.request(Self.torrent, peer: "D", left: 9), from: Fixtures.address("10.0.0.3"), now: t0, using: &generator).get()
        #expect(Set(downloader.peers.compactMap(\.peerID)) == [Fixtures.peerID("S"), Fixtures.peerID("T")])
    }

    @Test func aReannounceUpdatesThePeerInPlace() throws {
        var state = makeState()
        var generator = SeededGenerator(seed: 8)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "A", port: 1, left: 50), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator)
        var update = Fixtures.request(Self.torrent, peer: "A", port: 2, left: 20)
        update.uploaded = 7
        update.downloaded = 30
        _ = state.announce(update, from: Fixtures.address("10.0.0.5"), now: t0 + .seconds(3), using: &generator)
        let peers = state.peers(of: Self.torrent)
        #expect(peers.count == 1)
        #expect(peers.first?.endpoint == PeerEndpoint(address: Fixtures.address("10.0.0.5"), port: 2))
        #expect(peers.first?.left == 20 && peers.first?.uploaded == 7 && peers.first?.downloaded == 30)
        #expect(peers.first?.lastSeen == t0 + .seconds(3))
    }

    @Test func refusesNewPeersBeyondTheSwarmLimit() throws {
        var state = makeState(.init(maximumPeersPerTorrent: 2))
        var generator = SeededGenerator(seed: 9)
        for letter in "AB" {
            _ = try state.announce(Fixtures.request(Self.torrent, peer: letter), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator).get()
        }
        let third = state.announce(Fixtures.request(Self.torrent, peer: "C"), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator)
        #expect(throws: TrackerError(.swarmFull(Self.torrent, limit: 2))) { try third.get() }
        // A known peer still gets through.
        _ = try state.announce(Fixtures.request(Self.torrent, peer: "A"), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator).get()
    }

    @Test func tellsTheControllerWhenEveryHostIsDone() throws {
        var state = makeState()
        var generator = SeededGenerator(seed: 10)
        let hosts: Set<PeerID> = [Fixtures.peerID("A"), Fixtures.peerID("B"), Fixtures.peerID("C")]
        for letter in "ABC" {
            _ = state.announce(Fixtures.request(Self.torrent, peer: letter, event: .started), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator)
        }
        #expect(state.allComplete(of: Self.torrent, expected: hosts) == false)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "A", left: 0, event: .completed), from: Fixtures.address("10.0.0.1"), now: t0 + .seconds(1), using: &generator)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "C", left: 0, event: .completed), from: Fixtures.address("10.0.0.3"), now: t0 + .seconds(2), using: &generator)
        #expect(state.missingCompletions(of: Self.torrent, expected: hosts) == [Fixtures.peerID("B")])
        #expect(state.missingCompletions(of: Self.torrent, expectedAddresses: [Fixtures.address("10.0.0.1"), Fixtures.address("10.0.0.2")]) == [Fixtures.address("10.0.0.2")])
        // B finishes, stops, and expires: it still counts as done.
        _ = state.announce(Fixtures.request(Self.torrent, peer: "B", left: 0, event: .completed), from: Fixtures.address("10.0.0.2"), now: t0 + .seconds(3), using: &generator)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "B", left: 0, event: .stopped), from: Fixtures.address("10.0.0.2"), now: t0 + .seconds(4), using: &generator)
        state.expire(now: t0 + .seconds(100))
        #expect(state.peerCount(of: Self.torrent) == 0)
        #expect(state.allComplete(of: Self.torrent, expected: hosts))
        #expect(state.completedPeers(of: Self.torrent).map(\.peerID) == ["A", "C", "B"].map { Fixtures.peerID($0) })
        #expect(state.completedCount(of: Self.torrent) == 3)
    }

    @Test func unregisteringForgetsTheSwarm() throws {
        var state = makeState()
        var generator = SeededGenerator(seed: 11)
        _ = state.announce(Fixtures.request(Self.torrent, peer: "A", left: 0), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator)
        state.register(Self.torrent)
        #expect(state.completedCount(of: Self.torrent) == 1, "registering again keeps the swarm")
        state.unregister(Self.torrent)
        #expect(state.completedCount(of: Self.torrent) == 0)
        let result = state.announce(Fixtures.request(Self.torrent, peer: "A"), from: Fixtures.address("10.0.0.1"), now: t0, using: &generator)
        #expect(throws: TrackerError(.unknownTorrent(Self.torrent))) { try result.get() }
    }
}
