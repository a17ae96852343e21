import Testing

@testable import Swarm
import TestSupport

/// A host's share of its rack (`RackShare`, INVARIANTS rule 29): which pieces it asks of
/// peers in other racks, of the controller's seeder, and of its rack mates.
@Suite("PiecePicker behind a rack uplink")
struct PiecePickerRackTests {
    /// Our rack mates, by their seat: we are seat 1 of 4 and own pieces 1, 5, 9, ….
    static func mate(_ index: Int) -> PeerKey { PeerKey(UInt64(10 + index)) }
    static let otherRack = PeerKey(2)
    static let seeder = PeerKey(3)

    struct Host {
        var picker: PiecePicker
        var generator = SplitMix64(seed: 7)

        /// A picker of `pieces` one-block pieces for seat 1 of a rack of 4, its three rack
        /// mates connected, unchoking it and holding nothing.
        init(pieces: Int = 8, share: RackShare? = RackShare(index: 1, count: 4)) throws {
            let layout = try PieceLayout(totalLength: Int64(pieces * PieceLayout.wireBlockLength), pieceLength: PieceLayout.wireBlockLength)
            picker = PiecePicker(layout: layout)
            picker.setRackShare(share)
            for index in [0, 2, 3] {
                try connect(PiecePickerRackTests.mate(index), .rackMate(index: index), have: String(repeating: "0", count: pieces))
            }
        }

        /// Connects `peer` at `place`, unchoked, holding the pieces marked `1` in `have`.
        mutating func connect(_ peer: PeerKey, _ place: PeerPlace, have: String) throws {
            picker.peerConnected(peer, place: place)
            try picker.peerHasBitfield(peer, PieceSet(have.map { $0 == "1" }))
            picker.peerUnchoked(peer)
            #expect(picker.invariantViolations() == [])
        }

        /// The pieces asked of `peer` with room for every piece, sorted.
        mutating func asked(of peer: PeerKey) -> [Int] {
            let blocks = picker.nextRequests(for: peer, maxOutstanding: 64, using: &generator)
            #expect(picker.invariantViolations() == [])
            return blocks.map(\.piece).sorted()
        }
    }

    @Test("a peer in another rack is asked only for this host's share, and nothing a rack mate has")
    func anotherRackGivesOnlyTheShare() throws {
        var host = try Host()
        try host.picker.peerHas(Self.mate(0), piece: 0)
        try host.picker.peerHas(Self.mate(2), piece: 5)
        try host.connect(Self.otherRack, .otherRack, have: "11111110")
        // Owned: 1 and 5; 5 is in the rack already.
        #expect(host.asked(of: Self.otherRack) == [1])
        #expect(host.asked(of: Self.mate(0)) == [0])
        #expect(host.asked(of: Self.mate(2)) == [5])
    }

    @Test("the seeder, in no rack, may also give what nobody else holds")
    func theSeederGivesWhatNobodyElseHolds() throws {
        var host = try Host()
        try host.picker.peerHas(Self.mate(0), piece: 7)
        try host.connect(Self.otherRack, .otherRack, have: "00010000")
        // The super-seeder showed this host 2, 3 and 4; 3 is also held in another rack.
        try host.connect(Self.seeder, .unplaced, have: "00111000")
        #expect(host.asked(of: Self.seeder) == [2, 4])
        #expect(host.asked(of: Self.otherRack) == [])
    }

    @Test("while the rack has nothing this host lacks, peers outside are asked for anything")
    func anIdleRackAsksOutsideForAnything() throws {
        var host = try Host()
        try host.connect(Self.otherRack, .otherRack, have: "11000000")
        // At the start nothing is in the rack: waiting for the owner would only idle.
        #expect(host.asked(of: Self.otherRack) == [0, 1])

        // Once a rack mate holds something we lack, the share applies again.
        var second = try Host()
        try second.connect(Self.otherRack, .otherRack, have: "11100000")
        try second.picker.peerHas(Self.mate(3), piece: 7)
        #expect(second.asked(of: Self.otherRack) == [1])
        // When we hold all the rack has, anything again.
        #expect(second.asked(of: Self.mate(3)) == [7])
        _ = try second.picker.blockReceived(second.picker.layout.block(0, inPiece: 7), from: Self.mate(3))
        second.picker.pieceVerified(7)
        #expect(second.asked(of: Self.otherRack) == [0, 2])
    }

    @Test("a stalled rack mate's pieces and share are taken from outside until it delivers again")
    func aStalledRackMatesShareIsEveryones() throws {
        var host = try Host()
        try host.picker.peerHas(Self.mate(0), piece: 4)
        try host.picker.peerHas(Self.mate(2), piece: 0)
        try host.connect(Self.otherRack, .otherRack, have: "11101111")
        // Seat 2 owns 2 and 6; seat 0 owns 0 and 4 (both in the rack); we own 1 and 5.
        #expect(host.asked(of: Self.otherRack) == [1, 5])
        host.picker.peerChoked(Self.otherRack)
        host.picker.peerUnchoked(Self.otherRack)
        // Seat 2 freezes: the session snubs it. Its share (2, 6) is everyone's; its piece 0 is
        // no longer in the rack, but seat 0 is there to bring it in.
        host.picker.peerStalled(Self.mate(2))
        #expect(host.picker.invariantViolations() == [])
        #expect(host.asked(of: Self.otherRack) == [1, 2, 5, 6])
        // It delivers again: its share is its own once more.
        host.picker.peerChoked(Self.otherRack)
        host.picker.peerUnchoked(Self.otherRack)
        host.picker.peerResumed(Self.mate(2))
        #expect(host.picker.invariantViolations() == [])
        #expect(host.asked(of: Self.otherRack) == [1, 5])
        // It leaves: the same as stalled.
        host.picker.peerChoked(Self.otherRack)
        host.picker.peerUnchoked(Self.otherRack)
        host.picker.peerDisconnected(Self.mate(2))
        #expect(host.asked(of: Self.otherRack) == [1, 2, 5, 6])
    }

    @Test("a rack mate with every piece means nothing from outside")
    func aSeedingRackMateKeepsEverythingInside() throws {
        var host = try Host()
        try host.connect(Self.otherRack, .otherRack, have: "11111111")
        host.picker.peerHasAll(Self.mate(0))
        #expect(host.asked(of: Self.otherRack) == [])
        #expect(host.asked(of: Self.mate(0)).count == 8)
        // It leaves: outside peers are asked again, for anything (the rack has nothing for us).
        host.picker.peerDisconnected(Self.mate(0))
        #expect(host.picker.invariantViolations() == [])
        #expect(host.asked(of: Self.otherRack).count == 8)
    }

    @Test("the counters follow haves, refusals, seeds, stalls and departures")
    func theCountersFollowEveryEvent() throws {
        var host = try Host()
        try host.picker.peerHas(Self.mate(0), piece: 1)
        host.picker.peerRefused(1, from: Self.mate(0))
        host.picker.peerStalled(Self.mate(0))
        try host.picker.peerHas(Self.mate(0), piece: 2)
        host.picker.peerResumed(Self.mate(0))
        #expect(host.picker.invariantViolations() == [])
        host.picker.peerHasAll(Self.mate(0))
        #expect(host.picker.invariantViolations() == [])
        host.picker.peerStalled(Self.mate(0))
        #expect(host.picker.invariantViolations() == [])
        try host.picker.peerHasBitfield(Self.mate(2), PieceSet("01111111".map { $0 == "1" }))
        try host.picker.peerHas(Self.mate(2), piece: 0)
        #expect(host.picker.invariantViolations() == [])
        host.picker.peerDisconnected(Self.mate(0))
        host.picker.peerDisconnected(Self.mate(2))
        #expect(host.picker.invariantViolations() == [])
    }

    @Test("without a share, places are ignored: every peer is asked for anything")
    func withoutAShareNothingChanges() throws {
        var host = try Host(share: nil)
        try host.picker.peerHas(Self.mate(0), piece: 0)
        try host.connect(Self.otherRack, .otherRack, have: "11111110")
        #expect(host.asked(of: Self.otherRack) == [0, 1, 2, 3, 4, 5, 6])
    }

    @Test("a share is seat i of n, 0 ≤ i < n")
    func sharesAreChecked() {
        #expect(RackShare(index: 0, count: 1) != nil)
        #expect(RackShare(index: 3, count: 3) == nil)
        #expect(RackShare(index: -1, count: 3) == nil)
        #expect(RackShare(index: 0, count: 0) == nil)
        #expect(RackShare(index: 2, count: 3)?.owns(5) == true)
        #expect(RackShare(index: 2, count: 3)?.description == "3 of 3")
    }
}
