import Testing

@testable import Swarm
import TestSupport

/// Many peers with random bitfields feed one downloader through the picker:
/// requests, deliveries in random order, chokes, disconnects, new haves, and
/// a peer that sends corrupt data. Every invariant is checked after every step.
@Suite("PiecePicker simulation")
struct PiecePickerSimulationTests {
    struct Scenario: CustomStringConvertible, Sendable {
        var seed: UInt64
        var peers: Int
        var pieces: Int
        var blocksPerPiece: Int
        var description: String { "seed \(seed): \(peers) peers, \(pieces) pieces of \(blocksPerPiece) blocks" }
    }

    struct SimPeer {
        var have: PieceSet
        var corrupt: Bool
    }

    @Test(arguments: [
        Scenario(seed: 1, peers: 8, pieces: 40, blocksPerPiece: 4),
        Scenario(seed: 2, peers: 3, pieces: 7, blocksPerPiece: 3),
        Scenario(seed: 3, peers: 20, pieces: 64, blocksPerPiece: 2),
        Scenario(seed: 4, peers: 1, pieces: 5, blocksPerPiece: 4),
        Scenario(seed: 5, peers: 12, pieces: 30, blocksPerPiece: 9),
    ])
    func downloadCompletes(_ s: Scenario) throws {
        var rng = SplitMix64(seed: s.seed)
        let pieceLength = s.blocksPerPiece * PieceLayout.wireBlockLength
        // A short last piece, with a short last block.
        let layout = try PieceLayout(totalLength: Int64(s.pieces * pieceLength - 5000), pieceLength: pieceLength)
        var picker = PiecePicker(layout: layout)
        var peers: [PeerKey: SimPeer] = [:]
        var nextKey: UInt64 = 0
        var tainted: Set<Int> = []
        var banned: Set<PeerKey> = []

        func randomHave() -> PieceSet {
            PieceSet((0..<s.pieces).map { _ in Int.random(in: 0..<10, using: &rng) < 3 })
        }
        func connect(_ sim: SimPeer) throws {
            let key = PeerKey(nextKey)
            nextKey += 1
            peers[key] = sim
            picker.peerConnected(key)
            try picker.peerHasBitfield(key, sim.have)
            if Bool.random(using: &rng) { picker.peerUnchoked(key) }
        }

        // Key 0 is an honest seed that never leaves, so completion is always possible.
        try connect(SimPeer(have: PieceSet(pieceCount: s.pieces, full: true), corrupt: false))
        picker.peerUnchoked(PeerKey(0))
        try connect(SimPeer(have: PieceSet(pieceCount: s.pieces, full: true), corrupt: true))
        for _ in 0..<s.peers {
            try connect(SimPeer(have: randomHave(), corrupt: false))
        }

        var steps = 0
        while !picker.isComplete && steps < 100_000 {
            steps += 1
            let keys = peers.keys.sorted()
            let peer = keys.randomElement(using: &rng)!
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<35:
                // The depth moves between calls, as a measured one would.
                let depth = Int.random(in: 1...12, using: &rng)
                let before = picker.outstandingRequests(of: peer).count
                let blocks = picker.nextRequests(for: peer, maxOutstanding: depth, using: &rng)
                #expect(blocks.count <= max(0, depth - before))
                #expect(blocks.isEmpty || picker.outstandingRequests(of: peer).count <= depth)
                #expect(Set(blocks).count == blocks.count)
                #expect(blocks.allSatisfy { peers[peer]!.have.contains($0.piece) })
                #expect(blocks.allSatisfy { picker.state(of: $0.piece) != .verified })
            case 35..<85:
                let holders = keys.filter { !picker.outstandingRequests(of: $0).isEmpty }
                guard let sender = holders.randomElement(using: &rng) else { continue }
                let block = picker.outstandingRequests(of: sender).sorted().randomElement(using: &rng)!
                let receipt = try picker.blockReceived(block, from: sender)
                #expect(receipt.wasRequested)
                for other in receipt.cancels {
                    #expect(!picker.outstandingRequests(of: other).contains(block))
                }
                if receipt.outcome == .accepted && peers[sender]!.corrupt {
                    tainted.insert(block.piece)
                }
                if receipt.pieceComplete {
                    if tainted.remove(block.piece) != nil {
                        let suspects = picker.pieceFailedVerification(block.piece)
                        for suspect in suspects where peers[suspect]?.corrupt == true {
                            banned.insert(suspect)
                            picker.peerDisconnected(suspect)
                            peers[suspect] = nil
                        }
                        #expect(!suspects.isEmpty)
                    } else {
                        picker.pieceVerified(block.piece)
                    }
                }
            case 85..<91:
                if Bool.random(using: &rng) {
                    picker.peerUnchoked(peer)
                } else if peer != PeerKey(0) {
                    picker.peerChoked(peer)
                    #expect(picker.outstandingRequests(of: peer).isEmpty)
                }
            case 91..<94:
                guard peer != PeerKey(0), !peers[peer]!.corrupt else { continue }
                picker.peerDisconnected(peer)
                peers[peer] = nil
                try connect(SimPeer(have: randomHave(), corrupt: false))
            default:
                let piece = Int.random(in: 0..<s.pieces, using: &rng)
                peers[peer]!.have.insert(piece)
                try picker.peerHas(peer, piece: piece)
            }
            let problems = picker.invariantViolations()
            #expect(problems == [], "after step \(steps)")
            if !problems.isEmpty { return }
        }
        #expect(picker.isComplete, "not complete after \(steps) steps")
        #expect((0..<s.pieces).allSatisfy { picker.state(of: $0) == .verified })
        #expect(banned.allSatisfy { !picker.connectedPeers.contains($0) })
    }
}

extension PiecePickerSimulationTests {
    /// Thousands of pieces and hundreds of peers, rounds of full pipelines:
    /// completes with every invariant intact, and blocks arrive twice only
    /// once endgame has begun.
    @Test func largeSwarmCompletes() throws {
        var rng = SplitMix64(seed: 99)
        let pieces = 4096
        let layout = try PieceLayout(totalLength: Int64(pieces) * 65536 - 1, pieceLength: 65536)
        var picker = PiecePicker(layout: layout)
        let peers = (0..<200).map { PeerKey(UInt64($0)) }
        for peer in peers {
            picker.peerConnected(peer)
            if peer == peers[0] {
                picker.peerHasAll(peer)
            } else {
                try picker.peerHasBitfield(peer, PieceSet((0..<pieces).map { _ in Bool.random(using: &rng) }))
            }
            picker.peerUnchoked(peer)
        }
        var rounds = 0
        var duplicatesBeforeEndgame = 0
        while !picker.isComplete && rounds < 1000 {
            rounds += 1
            var inFlight: [(PeerKey, BlockSpec)] = []
            for peer in peers {
                inFlight += picker.nextRequests(for: peer, maxOutstanding: 64, using: &rng).map { (peer, $0) }
            }
            inFlight.shuffle(using: &rng)
            for (peer, block) in inFlight {
                let endgame = picker.enteredEndgame
                let receipt = try picker.blockReceived(block, from: peer)
                if receipt.outcome == .duplicate && !endgame { duplicatesBeforeEndgame += 1 }
                if receipt.pieceComplete { picker.pieceVerified(block.piece) }
            }
        }
        #expect(picker.isComplete, "incomplete after \(rounds) rounds")
        #expect(duplicatesBeforeEndgame == 0)
        #expect(picker.invariantViolations() == [])
        #expect(peers.allSatisfy { picker.outstandingRequests(of: $0).isEmpty })
    }
}
