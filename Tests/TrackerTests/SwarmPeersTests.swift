import Testing
import TestSupport
import TorrentMetainfo

@testable import Tracker

/// The swarm's peers: found by id, sampled without looking at the whole swarm.
@Suite struct SwarmPeersTests {
    static let now = ContinuousClock.now

    static func peer(_ index: Int, complete: Bool, seen: Duration = .zero) -> TrackerState.Peer {
        TrackerState.Peer(
            peerID: PeerID(bytes: Array("peer-".utf8) + Array(String(1_000_000 + index).utf8) + Array(repeating: 0, count: 8)),
            endpoint: PeerEndpoint(address: .v4([10, 0, UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF)]), port: 6881),
            uploaded: 0, downloaded: 0, left: complete ? 0 : 100, lastSeen: now + seen)
    }

    /// Random adds, updates that flip completeness, and removals, checked against a plain
    /// dictionary: a sample of everything is always exactly the live set.
    @Test func randomChangesKeepEveryPeerFindableAndSampledOnce() {
        var generator = SplitMix64(seed: 3)
        var peers = SwarmPeers()
        var model: [PeerID: TrackerState.Peer] = [:]
        for _ in 0..<3000 {
            let index = Int(generator.next() % 200)
            let entry = Self.peer(index, complete: generator.next() % 3 == 0)
            if generator.next() % 4 == 0 {
                peers.remove(entry.peerID)
                model[entry.peerID] = nil
            } else {
                peers.update(entry)
                model[entry.peerID] = entry
            }
        }
        #expect(peers.count == model.count)
        #expect(peers.seederCount == model.values.count { $0.isComplete })
        let excluded = model.keys.first!
        let everyone = peers.sample(1000, excluding: excluded, downloadersOnly: false, isUsable: { _ in true }, using: &generator)
        #expect(Set(everyone.map(\.peerID)) == Set(model.keys).subtracting([excluded]))
        #expect(everyone.count == model.count - 1, "no peer twice")
        let downloaders = peers.sample(1000, excluding: excluded, downloadersOnly: true, isUsable: { _ in true }, using: &generator)
        #expect(Set(downloaders.map(\.peerID)) == Set(model.values.filter { !$0.isComplete }.map(\.peerID)).subtracting([excluded]))
    }

    @Test func aFewOfManyAreDistinctUsableAndNeverTheAsker() {
        var generator = SplitMix64(seed: 4)
        var peers = SwarmPeers()
        for index in 0..<10_000 {
            // Every tenth is silent too long.
            peers.update(Self.peer(index, complete: index % 3 == 0, seen: index % 10 == 0 ? .seconds(-100) : .zero))
        }
        let asker = Self.peer(5, complete: false).peerID
        for _ in 0..<100 {
            let chosen = peers.sample(50, excluding: asker, downloadersOnly: false, isUsable: { Self.now - $0.lastSeen < .seconds(20) }, using: &generator)
            #expect(chosen.count == 50)
            #expect(Set(chosen.map(\.peerID)).count == 50)
            #expect(!chosen.contains { $0.peerID == asker || Self.now - $0.lastSeen >= .seconds(20) })
        }
        let forSeeder = peers.sample(50, excluding: asker, downloadersOnly: true, isUsable: { _ in true }, using: &generator)
        #expect(forSeeder.allSatisfy { !$0.isComplete })
    }

    @Test func becomingASeederMovesThePeer() {
        var generator = SplitMix64(seed: 5)
        var peers = SwarmPeers()
        peers.update(Self.peer(1, complete: false))
        peers.update(Self.peer(2, complete: false))
        peers.update(Self.peer(1, complete: true))
        #expect(peers.seederCount == 1)
        #expect(peers.count == 2)
        let downloaders = peers.sample(10, excluding: Self.peer(9, complete: false).peerID, downloadersOnly: true, isUsable: { _ in true }, using: &generator)
        #expect(downloaders.map(\.peerID) == [Self.peer(2, complete: false).peerID])
    }
}
