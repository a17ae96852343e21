import Testing

@testable import Swarm

@Suite("Choker")
struct ChokerTests {
    /// One peer per string: "<key> <flags> <since seconds> [bytes sent]",
    /// flags from `i` interested, `u` unchoked, `s` seed, `-` none.
    static func peers(_ rows: [String]) -> [ChokerPeer] {
        rows.map { row in
            let fields = row.split(separator: " ").map(String.init)
            return ChokerPeer(
                key: PeerKey(UInt64(fields[0])!),
                isInterested: fields[1].contains("i"),
                isUnchoked: fields[1].contains("u"),
                since: .seconds(Int(fields[2])!),
                bytesSent: fields.count > 3 ? Int64(fields[3])! : 0,
                isSeed: fields[1].contains("s")
            )
        }
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var peers: [String]
        var maxUnchoked: Int
        var rotations = 1
        var now = 100
        var unchoked: [UInt64]
        var toUnchoke: [UInt64]
        var toChoke: [UInt64]
        var description: String { name }
    }

    @Test(arguments: [
        Case(
            name: "every interested peer when under the limit, longest waiting first",
            peers: ["1 i 30", "2 i 10", "3 i 20"], maxUnchoked: 4,
            unchoked: [1, 2, 3], toUnchoke: [2, 3, 1], toChoke: []
        ),
        Case(
            name: "uninterested peers and seeds are choked",
            peers: ["1 u 0", "2 iu 0", "3 isu 0", "4 - 0", "5 is 0"], maxUnchoked: 4,
            unchoked: [2], toUnchoke: [], toChoke: [1, 3]
        ),
        Case(
            name: "stable: nobody rotates before the minimum unchoke time",
            peers: ["1 iu 95", "2 iu 96", "3 i 0", "4 i 1"], maxUnchoked: 2,
            unchoked: [1, 2], toUnchoke: [], toChoke: []
        ),
        Case(
            name: "rotation swaps the peer served most for the peer waiting longest",
            peers: ["1 iu 0 100", "2 iu 50 500", "3 i 10", "4 i 20", "5 i 5"], maxUnchoked: 2,
            unchoked: [1, 5], toUnchoke: [5], toChoke: [2]
        ),
        Case(
            name: "rotation is bounded per round",
            peers: ["1 iu 0 10", "2 iu 0 20", "3 iu 0 30", "4 i 1", "5 i 2", "6 i 3"], maxUnchoked: 3, rotations: 2,
            unchoked: [1, 4, 5], toUnchoke: [4, 5], toChoke: [2, 3]
        ),
        Case(
            name: "free slots go to the longest waiting",
            peers: ["1 iu 0", "2 i 40", "3 i 10", "4 i 30", "5 i 20"], maxUnchoked: 3, rotations: 0,
            unchoked: [1, 3, 5], toUnchoke: [3, 5], toChoke: []
        ),
        Case(
            name: "a lowered limit chokes the peers unchoked longest",
            peers: ["1 iu 10", "2 iu 30", "3 iu 20"], maxUnchoked: 1,
            unchoked: [2], toUnchoke: [], toChoke: [1, 3]
        ),
        Case(
            name: "a limit of zero unchokes nobody",
            peers: ["1 iu 10", "2 i 30"], maxUnchoked: 0,
            unchoked: [], toUnchoke: [], toChoke: [1]
        ),
        Case(
            name: "no peers", peers: [], maxUnchoked: 4,
            unchoked: [], toUnchoke: [], toChoke: []
        ),
    ])
    func decisions(_ c: Case) {
        let choker = Choker(maxUnchoked: c.maxUnchoked, rotationsPerRound: c.rotations, minimumUnchokeTime: .seconds(20))
        let decision = choker.decide(Self.peers(c.peers), now: .seconds(c.now))
        #expect(decision.unchoked == Set(c.unchoked.map(PeerKey.init)))
        #expect(decision.toUnchoke == c.toUnchoke.map(PeerKey.init))
        #expect(decision.toChoke == c.toChoke.map(PeerKey.init))
    }

    @Test func repeatedRoundsServeEveryWaitingPeer() {
        // 10 interested peers, 3 slots: rotating one per round, everyone gets a turn.
        let choker = Choker(maxUnchoked: 3, rotationsPerRound: 1, minimumUnchokeTime: .seconds(20))
        var peers = (0..<10).map {
            ChokerPeer(key: PeerKey(UInt64($0)), isInterested: true, isUnchoked: false, since: .zero)
        }
        var everUnchoked: Set<PeerKey> = []
        for round in 0..<12 {
            let now = Duration.seconds(30 * (round + 1))
            let decision = choker.decide(peers, now: now)
            #expect(decision.unchoked.count == 3)
            everUnchoked.formUnion(decision.unchoked)
            for index in peers.indices {
                let unchoked = decision.unchoked.contains(peers[index].key)
                if unchoked != peers[index].isUnchoked {
                    peers[index].isUnchoked = unchoked
                    peers[index].since = now
                }
                if unchoked { peers[index].bytesSent += 1000 }
            }
        }
        #expect(everUnchoked.count == 10)
    }
}
