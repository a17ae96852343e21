import Testing

@testable import Swarm

@Suite("WebSeedPlanner")
struct WebSeedPlannerTests {
    @Test("shares split the pieces among the hosts, every piece in exactly one")
    func sharesCoverEveryPieceOnce() {
        for (pieces, hosts) in [(10, 3), (1, 4), (4000, 16), (7, 7), (5, 9)] {
            let planner = WebSeedPlanner(pieceCount: pieces, rank: 0, hosts: hosts, maxRunPieces: 4)
            let shares = (0..<hosts).map(planner.share)
            #expect(shares.flatMap { Array($0) } == Array(0..<pieces), "\(pieces) pieces, \(hosts) hosts")
            #expect(shares.map(\.count).max()! - shares.map(\.count).min()! <= 1)
        }
    }

    @Test("a host fetches its own share front to back, in runs of consecutive wanted pieces")
    func ownShareFirstInRuns() {
        let planner = WebSeedPlanner(pieceCount: 20, rank: 1, hosts: 2, maxRunPieces: 4)
        #expect(planner.nextRun { _ in true } == 10..<14)
        // A piece a peer holds (or we hold) ends the run; the next starts after it.
        let unwanted: Set = [10, 12]
        #expect(planner.nextRun { !unwanted.contains($0) } == 11..<12)
        #expect(planner.nextRun { $0 >= 13 } == 13..<17)
        // The run stops at the share's end.
        #expect(planner.nextRun { $0 >= 18 } == 18..<20)
    }

    @Test("once its share is done a host helps with the others' from their back, the next host's first")
    func helpsFromTheBack() {
        let planner = WebSeedPlanner(pieceCount: 12, rank: 0, hosts: 3, maxRunPieces: 3)
        // Own share 0..<4 done; host 1 has 4..<8, host 2 8..<12.
        #expect(planner.nextRun { $0 >= 4 } == 5..<8)
        // Host 1's share done too: host 2's, one run (3 pieces) further from the back, since
        // host 1 stands nearer to it and takes its last run.
        #expect(planner.nextRun { $0 >= 8 } == 8..<9)
        // A gap in another share: only the wanted run at its back.
        #expect(planner.nextRun { [4, 6].contains($0) } == 6..<7)
        // Not while the push's hosts are still starting.
        #expect(planner.nextRun(mayHelp: false) { $0 >= 4 } == nil)
        #expect(planner.nextRun { _ in false } == nil)
    }

    @Test("a share its owner is about to finish is left alone unless it stands still")
    func nearlyDoneSharesAreLeftToTheirOwners() {
        let planner = WebSeedPlanner(pieceCount: 40, rank: 0, hosts: 2, maxRunPieces: 2)
        #expect(planner.nearlyDone == 4)
        // Host 1's share is 20..<40: with 10 pieces left, help from the back.
        #expect(planner.nextRun(isWanted: { $0 >= 30 }, mayHelpWith: { _, _ in false }) == 38..<40)
        // With 4 left its owner finishes them, unless the share stands still.
        #expect(planner.nextRun(isWanted: { $0 >= 36 }, mayHelpWith: { _, _ in false }) == nil)
        var asked: [Int] = []
        #expect(planner.nextRun(isWanted: { $0 >= 36 }, mayHelpWith: { share, wanted in asked.append(share * 100 + wanted); return true }) == 38..<40)
        #expect(asked == [104], "share 1, asked with its 4 wanted pieces")
    }

    @Test("helpers of one share start at different distances from its back, so they ask for different pieces")
    func helpersAreStaggered() {
        let pieces = 64, hosts = 4
        // Host 3's share (48..<64) is far behind; hosts 0, 1 and 2 have theirs and help.
        let wanted = { (piece: Int) in piece >= 48 }
        let runs = (0..<3).map { rank in
            WebSeedPlanner(pieceCount: pieces, rank: rank, hosts: hosts, maxRunPieces: 4).nextRun(isWanted: wanted, mayHelpWith: { _, _ in false })
        }
        #expect(runs == [52..<56, 56..<60, 60..<64])
        // Helpers further away than the share's wanted runs reach leave it to the nearer ones.
        // (Host 0 is 7 shares from host 7's 16 wanted pieces: 6 runs from the back is past them.)
        let far = WebSeedPlanner(pieceCount: 128, rank: 0, hosts: 8, maxRunPieces: 4)
        #expect(far.nextRun(isWanted: { $0 >= 112 }, mayHelpWith: { _, _ in false }) == nil)
    }

    @Test("the last host's help goes round to the first host's share")
    func helpWrapsAround() {
        let planner = WebSeedPlanner(pieceCount: 9, rank: 2, hosts: 3, maxRunPieces: 8)
        #expect(planner.nextRun { $0 < 3 } == 0..<3)
    }
}

@Suite("PiecePicker with a web seed")
struct PiecePickerWebSeedTests {
    static func picker() throws -> PiecePicker {
        let layout = try PieceLayout(totalLength: Int64(6 * 4 * PieceLayout.wireBlockLength), pieceLength: 4 * PieceLayout.wireBlockLength)
        return PiecePicker(layout: layout)
    }

    @Test("a claimed piece is requested whole from the web seed and from nobody else, until released")
    func claimWholePiece() throws {
        var picker = try Self.picker()
        let web = PeerKey(50), peer = PeerKey(1)
        picker.peerConnected(web)
        picker.peerConnected(peer)
        picker.peerHasAll(peer)
        picker.peerUnchoked(peer)
        #expect(picker.availability(of: 2, excluding: [web]) == 1)

        let claimed = picker.claimWhole(2, for: web)
        #expect(claimed.count == 4 && claimed.allSatisfy { $0.piece == 2 })
        #expect(picker.state(of: 2) == .requested)
        #expect(picker.availability(of: 2, excluding: [web]) == 1)
        #expect(picker.availability(of: 2) == 2)
        #expect(picker.claimWhole(2, for: web) == [], "a piece is claimed once")
        #expect(picker.invariantViolations() == [])

        var generator = SystemRandomNumberGenerator()
        let asked = picker.nextRequests(for: peer, maxOutstanding: 100, using: &generator)
        #expect(!asked.contains { $0.piece == 2 })

        // Delivered whole: the piece is downloaded.
        for block in claimed.dropLast() { _ = try picker.blockReceived(block, from: web) }
        let last = try picker.blockReceived(claimed.last!, from: web)
        #expect(last.pieceComplete)
        picker.pieceVerified(2)

        // A failed request releases its piece for the peers.
        let other = picker.claimWhole(0, for: web)
        #expect(!other.isEmpty || picker.state(of: 0) != .missing)
        let released = picker.peerDisconnected(web)
        #expect(Set(released.map(\.piece)).isSubset(of: [0]))
        #expect(picker.invariantViolations() == [])
    }

    @Test("a web seed that claims every piece counts as a seed")
    func claimingEveryPiece() throws {
        var picker = try Self.picker()
        let web = PeerKey(9)
        picker.peerConnected(web)
        for piece in 0..<6 { _ = picker.claimWhole(piece, for: web) }
        #expect(picker.invariantViolations() == [])
        #expect(picker.availability(of: 3, excluding: [web]) == 0)
    }
}
