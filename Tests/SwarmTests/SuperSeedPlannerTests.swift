import Testing

@testable import Swarm
import TestSupport

@Suite("SuperSeedPlanner")
struct SuperSeedPlannerTests {
    @Test func windowsHoldDistinctNeverSentPieces() throws {
        var planner = SuperSeedPlanner(pieceCount: 24, windowSize: 3)
        let a = PeerKey(1), b = PeerKey(2), c = PeerKey(3), d = PeerKey(4)
        for peer in [a, b, c, d] { planner.peerConnected(peer) }
        #expect(planner.piecesToAdvertise(to: a) == [0, 1, 2])
        #expect(planner.piecesToAdvertise(to: a) == [])
        #expect(planner.piecesToAdvertise(to: b) == [3, 4, 5])
        #expect(planner.piecesToAdvertise(to: c) == [6, 7, 8])
        #expect(planner.piecesToAdvertise(to: d) == [9, 10, 11])
        #expect(planner.invariantViolations() == [])

        // Only advertised, never-sent pieces are served.
        #expect(planner.mayServe(0, to: a) && !planner.mayServe(3, to: a) && !planner.mayServe(24, to: a))
        planner.pieceSent(0, to: a)
        #expect(!planner.mayServe(0, to: a))
        #expect(planner.timesSent(0) == 1)
        // Sending frees the window slot for the next unsent piece.
        #expect(planner.piecesToAdvertise(to: a) == [12])

        // A departing peer's unsent pieces go first to the next peer with room.
        planner.peerDisconnected(b)
        #expect(planner.piecesToAdvertise(to: d) == [])
        planner.pieceSent(6, to: c)
        #expect(planner.piecesToAdvertise(to: c) == [3])
        #expect(planner.invariantViolations() == [])
    }

    /// Once the unassigned pieces would no longer fill every window, a peer is given only its
    /// share of them, so the last pieces are spread over every peer instead of a few full windows.
    @Test func windowsShrinkToAShareOfWhatIsLeft() throws {
        var planner = SuperSeedPlanner(pieceCount: 12, windowSize: 4)
        let a = PeerKey(1), b = PeerKey(2), c = PeerKey(3)
        for peer in [a, b, c] { planner.peerConnected(peer) }
        #expect(planner.piecesToAdvertise(to: a) == [0, 1, 2, 3])  // 12 left: 4 each
        #expect(planner.piecesToAdvertise(to: b) == [4, 5, 6])  // 8 left: 3 each
        #expect(planner.piecesToAdvertise(to: c) == [7, 8])  // 5 left: 2 each
        // 3 left: one each, and a and c hold that much already.
        planner.pieceSent(0, to: a)
        #expect(planner.piecesToAdvertise(to: a) == [])
        planner.pieceSent(7, to: c)
        #expect(planner.piecesToAdvertise(to: c) == [])
        planner.pieceSent(8, to: c)
        #expect(planner.piecesToAdvertise(to: c) == [9])
        #expect(planner.invariantViolations() == [])
        // Every piece still leaves once before any leaves twice.
        for piece in [1, 2, 3] { planner.pieceSent(piece, to: a) }
        #expect(planner.piecesToAdvertise(to: a) == [10])
        for piece in [4, 5, 6] { planner.pieceSent(piece, to: b) }
        #expect(planner.piecesToAdvertise(to: b) == [11])
        for (piece, peer) in [(9, c), (10, a), (11, b)] { planner.pieceSent(piece, to: peer) }
        #expect(planner.allPiecesSentOnce)
        #expect((0..<12).allSatisfy { planner.timesSent($0) == 1 })
    }

    @Test func piecesFoundAtPeersAreReleasedWithoutSending() throws {
        var planner = SuperSeedPlanner(pieceCount: 4, windowSize: 2)
        let a = PeerKey(1), b = PeerKey(2)
        planner.peerConnected(a)
        planner.peerConnected(b)
        try planner.peerHasBitfield(b, PieceSet([false, false, true, true]))
        // Two pieces left for two peers: a's window is its share, one piece.
        #expect(planner.piecesToAdvertise(to: a) == [0])
        // b got piece 0 elsewhere: a's slot for it frees up, piece 0 needs no send.
        try planner.peerHas(b, piece: 0)
        #expect(planner.piecesToAdvertise(to: a) == [1])
        planner.pieceSent(1, to: a)
        #expect(planner.allPiecesSentOnce)
        #expect(planner.timesSent(0) == 0)
        // Every piece is in the swarm: the peers fetch from each other, the seeder shows nothing.
        #expect(planner.piecesToAdvertise(to: a) == [])
        #expect(planner.piecesToAdvertise(to: b) == [])
        // Until a peer goes without new pieces too long: then it is shown what it lacks and saw not.
        let starved1 = planner.peerStarved(a)
        #expect(starved1)
        let starved2 = planner.peerStarved(a)
        #expect(!starved2)
        #expect(planner.piecesToAdvertise(to: a) == [2, 3])
        let starved3 = planner.peerStarved(b)
        #expect(starved3)
        #expect(planner.piecesToAdvertise(to: b) == [1])
        #expect(planner.mayServe(1, to: b))
        #expect(planner.invariantViolations() == [])
    }

    /// The tail: once every piece has left, the seeder offers only what no connected peer holds.
    @Test func afterEveryPieceLeftOnlyOrphansAndStarvedPeersAreServed() throws {
        var planner = SuperSeedPlanner(pieceCount: 3, windowSize: 1)
        let a = PeerKey(1), b = PeerKey(2), c = PeerKey(3)
        for peer in [a, b, c] { planner.peerConnected(peer) }
        let starved4 = planner.peerStarved(a)
        #expect(!starved4, "before every piece has left, the windows rule")
        #expect(planner.piecesToAdvertise(to: a) == [0])
        #expect(planner.piecesToAdvertise(to: b) == [1])
        #expect(planner.piecesToAdvertise(to: c) == [2])
        planner.pieceSent(0, to: a)
        planner.pieceSent(1, to: b)
        planner.pieceSent(2, to: c)
        #expect(planner.allPiecesSentOnce)
        try planner.peerHas(b, piece: 0)
        for peer in [a, b, c] { #expect(planner.piecesToAdvertise(to: peer) == []) }
        // c leaves with the only copy of piece 2: it is offered to everyone left.
        planner.peerDisconnected(c)
        #expect(planner.piecesToAdvertise(to: a) == [2])
        #expect(planner.piecesToAdvertise(to: b) == [2])
        #expect(planner.invariantViolations() == [])
        // a leaves with piece 0, which b holds too: nothing new to offer.
        planner.peerDisconnected(a)
        #expect(planner.piecesToAdvertise(to: b) == [])
        // A peer that joins now is shown the orphan; once b has it, it is an orphan no more.
        let d = PeerKey(4)
        planner.peerConnected(d)
        #expect(planner.piecesToAdvertise(to: d) == [2])
        planner.pieceSent(2, to: b)
        let e = PeerKey(5)
        planner.peerConnected(e)
        #expect(planner.piecesToAdvertise(to: e) == [])
        // A peer that holds everything is never starved.
        try planner.peerHasBitfield(e, PieceSet(pieceCount: 3, full: true))
        let starved5 = planner.peerStarved(e)
        #expect(!starved5)
        #expect(planner.invariantViolations() == [])
    }

    @Test func hostileInputIsRefused() {
        var planner = SuperSeedPlanner(pieceCount: 4)
        planner.peerConnected(PeerKey(1))
        #expect(throws: SwarmError.pieceIndexOutOfRange(4, pieceCount: 4)) {
            try planner.peerHas(PeerKey(1), piece: 4)
        }
        #expect(throws: SwarmError.bitfieldSizeMismatch(5, pieceCount: 4)) {
            try planner.peerHasBitfield(PeerKey(1), PieceSet(pieceCount: 5))
        }
        #expect(!planner.mayServe(-1, to: PeerKey(1)))
        #expect(!planner.mayServe(0, to: PeerKey(9)))
    }

    struct Scenario: CustomStringConvertible, Sendable {
        var seed: UInt64
        var peers: Int
        var pieces: Int
        var window: Int
        var churn: Bool
        var description: String { "seed \(seed): \(peers) peers, \(pieces) pieces, window \(window)\(churn ? ", churn" : "")" }
    }

    /// The seeder serves random advertised requests, peers trade pieces among
    /// themselves, some leave and new ones join. Before every piece has left
    /// the seeder once, none leaves it twice while a peer still holds it (a piece
    /// whose every holder left is offered again); no peer is left with nothing
    /// advertised while an unsent, unassigned piece exists; everyone completes.
    @Test(arguments: [
        Scenario(seed: 1, peers: 1, pieces: 1, window: 1, churn: false),
        Scenario(seed: 2, peers: 4, pieces: 40, window: 3, churn: false),
        Scenario(seed: 3, peers: 10, pieces: 200, window: 4, churn: true),
        Scenario(seed: 4, peers: 30, pieces: 12, window: 2, churn: true),
        Scenario(seed: 5, peers: 8, pieces: 64, window: 1, churn: true),
        Scenario(seed: 6, peers: 24, pieces: 300, window: 8, churn: false),
    ])
    func simulation(_ s: Scenario) throws {
        var rng = SplitMix64(seed: s.seed)
        var planner = SuperSeedPlanner(pieceCount: s.pieces, windowSize: s.window)
        var have: [PeerKey: PieceSet] = [:]
        var shown: [PeerKey: PieceSet] = [:]
        var nextKey: UInt64 = 0
        var sends = Array(repeating: 0, count: s.pieces)
        var firstDuplicateSendWasEarly = false
        var departures = 0
        var stalls = 0
        var lateHaves: [(PeerKey, Int)] = []

        func join() {
            let key = PeerKey(nextKey)
            nextKey += 1
            planner.peerConnected(key)
            have[key] = PieceSet(pieceCount: s.pieces)
            shown[key] = PieceSet(pieceCount: s.pieces)
        }
        for _ in 0..<s.peers { join() }

        var steps = 0
        while have.values.contains(where: { !$0.isFull }) && steps < 100_000 {
            steps += 1
            // The seeder refreshes every peer's advertisement after each event.
            for key in have.keys.sorted() {
                for piece in planner.piecesToAdvertise(to: key) {
                    let isNew = shown[key]!.insert(piece)
                    #expect(isNew, "piece \(piece) advertised twice to \(key)")
                }
            }
            let problems = planner.invariantViolations()
            #expect(problems == [], "after step \(steps)")
            if !problems.isEmpty { return }
            if !planner.allPiecesSentOnce && !planner.pool.isEmpty {
                for (key, plan) in planner.peers where !plan.isPaused {
                    #expect(!plan.window.isEmpty, "\(key) has nothing advertised while unsent pieces wait")
                }
            }

            let keys = have.keys.sorted()
            let peer = keys.randomElement(using: &rng)!
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<50:
                // The peer requests an advertised piece it lacks from the seeder.
                let wanted = shown[peer]!.filter { !have[peer]!.contains($0) }
                guard let piece = wanted.randomElement(using: &rng), planner.mayServe(piece, to: peer) else { continue }
                if sends[piece] >= 1, !planner.allPiecesSentOnce, have.values.contains(where: { $0.contains(piece) }) {
                    firstDuplicateSendWasEarly = true
                }
                sends[piece] += 1
                planner.pieceSent(piece, to: peer)
                have[peer]!.insert(piece)
                // The peer's `have` arrives now or after the next event.
                if Bool.random(using: &rng) {
                    try planner.peerHas(peer, piece: piece)
                } else {
                    lateHaves.append((peer, piece))
                }
            case 50..<95:
                // The peer gets a piece from another peer.
                let source = keys.randomElement(using: &rng)!
                let offered = have[source]!.filter { !have[peer]!.contains($0) }
                guard let piece = offered.randomElement(using: &rng) else { continue }
                have[peer]!.insert(piece)
                try planner.peerHas(peer, piece: piece)
            case 95..<97:
                // A peer sits on its window; the seeder takes it back.
                guard s.churn, stalls < s.peers else { continue }
                stalls += 1
                let taken = planner.peerStalled(peer)
                #expect(taken.allSatisfy { !planner.mayServe($0, to: peer) })
            default:
                // Churn: as many peers leave (and are replaced) as started.
                guard s.churn, departures < s.peers else { continue }
                departures += 1
                planner.peerDisconnected(peer)
                have[peer] = nil
                shown[peer] = nil
                join()
            }
            // Older late haves arrive; the newest waits one more event.
            let arriving = max(0, lateHaves.count - 1)
            for (key, piece) in lateHaves.prefix(arriving) where have[key] != nil {
                try planner.peerHas(key, piece: piece)
            }
            lateHaves.removeFirst(arriving)
        }
        #expect(!have.values.contains { !$0.isFull }, "incomplete after \(steps) steps")
        #expect(planner.allPiecesSentOnce)
        #expect(!firstDuplicateSendWasEarly)
        // Peers start empty, so every piece reached the swarm through the seeder.
        #expect(sends.allSatisfy { $0 >= 1 })
    }
}

extension SuperSeedPlannerTests {
    @Test func stalledPeersLoseTheirWindowUntilTheyProgress() throws {
        var planner = SuperSeedPlanner(pieceCount: 6, windowSize: 2)
        let a = PeerKey(1), b = PeerKey(2)
        planner.peerConnected(a)
        planner.peerConnected(b)
        #expect(planner.piecesToAdvertise(to: a) == [0, 1])
        #expect(planner.piecesToAdvertise(to: b) == [2, 3])
        #expect(planner.peerStalled(a) == [0, 1])
        // a was shown 0 and 1 and cannot unsee them, but they are no longer its to fetch.
        #expect(!planner.mayServe(0, to: a))
        #expect(planner.piecesToAdvertise(to: a) == [])
        // Taken-back pieces go out first.
        planner.pieceSent(2, to: b)
        #expect(planner.piecesToAdvertise(to: b) == [0])
        #expect(planner.mayServe(0, to: b) && !planner.mayServe(0, to: a))
        // Progress (a piece from another peer) brings a back; piece 1 is its
        // again without a second `have`.
        try planner.peerHas(a, piece: 2)
        #expect(planner.piecesToAdvertise(to: a) == [4])
        #expect(planner.mayServe(1, to: a) && planner.mayServe(4, to: a))
        #expect(planner.invariantViolations() == [])
    }

    /// A stalled peer asks for a piece it was shown and lost: refused (BEP 6), it forgets
    /// the seeder has it, so the seeder shows it again once every piece has left.
    @Test func aRefusedPieceIsShownAgainOnceEveryPieceHasLeft() throws {
        var planner = SuperSeedPlanner(pieceCount: 3, windowSize: 1)
        let slow = PeerKey(1), fast = PeerKey(2)
        planner.peerConnected(slow)
        planner.peerConnected(fast)
        #expect(planner.piecesToAdvertise(to: slow) == [0])
        #expect(planner.peerStalled(slow) == [0])
        #expect(planner.piecesToAdvertise(to: fast) == [0])
        #expect(!planner.mayServe(0, to: slow))
        planner.requestRefused(0, by: slow)
        planner.pieceSent(0, to: fast)
        #expect(planner.piecesToAdvertise(to: fast) == [1])
        planner.pieceSent(1, to: fast)
        #expect(planner.piecesToAdvertise(to: fast) == [2])
        planner.pieceSent(2, to: fast)
        #expect(planner.allPiecesSentOnce)
        // The swarm holds every piece: slow gets them from fast, unless it goes without.
        #expect(planner.piecesToAdvertise(to: slow) == [])
        let starved6 = planner.peerStarved(slow)
        #expect(starved6)
        #expect(planner.piecesToAdvertise(to: slow) == [0, 1, 2])
        #expect(planner.invariantViolations() == [])
    }

    @Test func aPieceInThePeersWindowIsNeverUnshown() throws {
        var planner = SuperSeedPlanner(pieceCount: 2, windowSize: 1)
        let peer = PeerKey(1)
        planner.peerConnected(peer)
        #expect(planner.piecesToAdvertise(to: peer) == [0])
        planner.requestRefused(0, by: peer)
        #expect(planner.mayServe(0, to: peer))
        #expect(planner.piecesToAdvertise(to: peer) == [])
        #expect(planner.invariantViolations() == [])
    }

    @Test func aPieceReleasedByAHaveStaysServableToItsAssignee() throws {
        var planner = SuperSeedPlanner(pieceCount: 3, windowSize: 1)
        let a = PeerKey(1), b = PeerKey(2)
        planner.peerConnected(a)
        planner.peerConnected(b)
        #expect(planner.piecesToAdvertise(to: a) == [0])
        try planner.peerHas(b, piece: 0)
        #expect(planner.mayServe(0, to: a) && !planner.mayServe(0, to: b))
        #expect(planner.piecesToAdvertise(to: a) == [1])
        planner.pieceSent(0, to: a)
        #expect(!planner.mayServe(0, to: a))
        #expect(planner.invariantViolations() == [])
    }

    /// A host froze (and was dropped) right after the seeder sent it a piece, before it told
    /// anyone: nobody else has the piece, so it is offered again and may leave the seeder a
    /// second time, to another peer only.
    @Test func aPieceWhoseOnlyHolderLeftIsOfferedAgain() throws {
        var planner = SuperSeedPlanner(pieceCount: 3, windowSize: 1)
        let frozen = PeerKey(1), other = PeerKey(2)
        planner.peerConnected(frozen)
        planner.peerConnected(other)
        #expect(planner.piecesToAdvertise(to: frozen) == [0])
        #expect(planner.piecesToAdvertise(to: other) == [1])
        planner.pieceSent(0, to: frozen)
        #expect(!planner.mayServe(0, to: other))

        planner.peerDisconnected(frozen)
        #expect(planner.invariantViolations() == [])
        try planner.peerHas(other, piece: 1)
        #expect(planner.piecesToAdvertise(to: other) == [0])
        #expect(planner.mayServe(0, to: other))
        planner.pieceSent(0, to: other)
        #expect(planner.timesSent(0) == 2)
        #expect(planner.invariantViolations() == [])
    }

    /// A piece the departing peer held is kept back when another peer has it too.
    @Test func aPieceHeldElsewhereIsNotOfferedAgain() throws {
        var planner = SuperSeedPlanner(pieceCount: 2, windowSize: 1)
        let leaving = PeerKey(1), keeper = PeerKey(2)
        planner.peerConnected(leaving)
        planner.peerConnected(keeper)
        #expect(planner.piecesToAdvertise(to: leaving) == [0])
        planner.pieceSent(0, to: leaving)
        try planner.peerHas(keeper, piece: 0)  // it got piece 0 from the leaving peer
        planner.peerDisconnected(leaving)
        #expect(!planner.mayServe(0, to: keeper))
        #expect(planner.piecesToAdvertise(to: keeper) == [1])
        #expect(planner.invariantViolations() == [])
    }
}

@Suite("SuperSeedPlanner on standby")
struct SuperSeedPlannerStandbyTests {
    @Test("beside web seeds the seeder offers nothing until a peer starves or a piece's holders all leave")
    func standbyServesOnlyStarvedPeersAndOrphans() throws {
        var planner = SuperSeedPlanner(pieceCount: 6, windowSize: 2, standby: true)
        let a = PeerKey(1), b = PeerKey(2)
        planner.peerConnected(a)
        planner.peerConnected(b)
        #expect(planner.allPiecesSentOnce)
        #expect(planner.piecesToAdvertise(to: a) == [])
        #expect(planner.piecesToAdvertise(to: b) == [])

        // b got pieces 0 and 1 from the web seed and leaves: nobody holds them now.
        try planner.peerHas(b, piece: 0)
        try planner.peerHas(b, piece: 1)
        planner.peerDisconnected(b)
        #expect(planner.piecesToAdvertise(to: a) == [0, 1])

        // c holds the other pieces and does not serve a, which starves: it is shown everything
        // it lacks.
        let c = PeerKey(3)
        planner.peerConnected(c)
        for piece in [2, 3, 5] { try planner.peerHas(c, piece: piece) }
        try planner.peerHas(a, piece: 4)
        let starved = planner.peerStarved(a)
        #expect(starved)
        #expect(planner.allPiecesSentOnce)
        #expect(planner.piecesToAdvertise(to: a) == [2, 3, 5])
        #expect(planner.invariantViolations() == [])
    }

    @Test("when the web seeds brought some pieces to nobody, a starving peer has them sent once each, as when super-seeding")
    func piecesNoHostHasAreSuperSeeded() throws {
        var planner = SuperSeedPlanner(pieceCount: 6, windowSize: 2, standby: true)
        let a = PeerKey(1), b = PeerKey(2), c = PeerKey(3)
        for peer in [a, b, c] { planner.peerConnected(peer) }
        // The web seeds brought pieces 0 and 1, then failed every host.
        try planner.peerHas(a, piece: 0)
        try planner.peerHas(b, piece: 1)
        let starved = planner.peerStarved(c)
        #expect(starved)
        #expect(!planner.allPiecesSentOnce)
        // Pieces 2-5 go out once each, one peer per piece, in windows shrunk to fair shares.
        let shown = [a, b, c].map { planner.piecesToAdvertise(to: $0) }
        #expect(shown == [[2, 3], [4], [5]])
        #expect(planner.mayServe(2, to: a) && !planner.mayServe(2, to: c))
        for (peer, pieces) in zip([a, b, c], shown) {
            for piece in pieces { planner.pieceSent(piece, to: peer) }
        }
        #expect(planner.allPiecesSentOnce)
        #expect((2...5).allSatisfy { planner.timesSent($0) == 1 })
        // Now c, still lacking pieces the others hold and do not serve it, is shown them all.
        let starvedAgain = planner.peerStarved(c)
        #expect(starvedAgain)
        #expect(planner.piecesToAdvertise(to: c) == [0, 1, 2, 3, 4])
        #expect(planner.invariantViolations() == [])
    }
}
