import Testing

@testable import Swarm

@Suite("PiecePicker lifecycle")
struct PiecePickerLifecycleTests {
    typealias F = PickerFixture

    @Test func requestLimitCountsOutstandingRequests() throws {
        var f = try F(availability: "1111")
        #expect(f.pick(6).count == 6)
        #expect(f.pick(6).isEmpty)
        let outstanding = f.picker.outstandingRequests(of: F.asker).sorted()
        _ = try f.picker.blockReceived(outstanding[0], from: F.asker)
        _ = try f.picker.blockReceived(outstanding[1], from: F.asker)
        #expect(f.pick(6).count == 2)
        #expect(f.pick(10).count == 4)
    }

    @Test func noBlockIsRequestedTwiceOutsideEndgame() throws {
        var f = try F(availability: "1111")
        let other = F.background(1)
        f.picker.peerUnchoked(other)
        let mine = f.pick(10)
        let theirs = f.pick(6, for: other)
        #expect(mine.count == 10 && theirs.count == 6)
        #expect(Set(mine).isDisjoint(with: theirs))
        #expect(f.picker.isEndgame)
    }

    @Test func chokedPeersGetNothingAndChokeReleasesRequests() throws {
        var f = try F(availability: "11")
        f.picker.peerChoked(F.asker)
        #expect(f.pick(8).isEmpty)
        f.picker.peerUnchoked(F.asker)
        let requested = f.pick(8)
        #expect(f.picker.state(of: 0) == .requested && f.picker.state(of: 1) == .requested)
        let released = f.picker.peerChoked(F.asker)
        #expect(released == requested.sorted())
        #expect(f.picker.state(of: 0) == .missing && f.picker.state(of: 1) == .missing)
        #expect(f.picker.invariantViolations() == [])
        // Another peer can now take them.
        f.picker.peerUnchoked(F.background(1))
        #expect(f.pick(8, for: F.background(1)).count == 8)
    }

    @Test func releasedRequestKeepsReceivedBlocks() throws {
        var f = try F(availability: "1")
        let blocks = f.pick(4)
        _ = try f.picker.blockReceived(blocks[0], from: F.asker)
        f.picker.requestReleased(blocks[2], from: F.asker)
        #expect(f.picker.state(of: 0) == .partial)
        f.picker.peerDisconnected(F.asker)
        #expect(f.picker.state(of: 0) == .partial)
        #expect(f.picker.invariantViolations() == [])
        f.picker.peerUnchoked(F.background(1))
        #expect(f.pick(4, for: F.background(1)) == Array(blocks[1...]))
    }

    @Test func aRefusedPieceIsAskedOfOthersUntilAnnouncedAgain() throws {
        // Piece 0: background peer 1 and the asker; piece 1: the asker only; piece 2: nobody.
        var f = try F(availability: "100", asker: "110")
        let requested = f.pick(4)
        #expect(F.pieces(requested) == [1])
        f.picker.peerRefused(1, from: F.asker)
        // Its requests for the piece reopen; it is not asked for the piece again.
        #expect(f.picker.outstandingRequests(of: F.asker).isEmpty)
        #expect(f.picker.availability(of: 1) == 0 && f.picker.availability(of: 0) == 2)
        #expect(F.pieces(f.pick(8)) == [0])
        #expect(f.picker.invariantViolations() == [])
        // Announced again, it may be asked for it.
        try f.picker.peerHas(F.asker, piece: 1)
        #expect(F.pieces(f.pick(8)) == [1])
        #expect(f.picker.invariantViolations() == [])
    }

    @Test func aSeedRefusingAPieceStillCountsAsHavingIt() throws {
        var f = try F(availability: "1")
        f.picker.peerConnected(F.background(2))
        f.picker.peerHasAll(F.background(2))
        f.picker.peerRefused(0, from: F.background(2))
        #expect(f.picker.availability(of: 0) == 3)
    }

    @Test func disconnectLowersAvailability() throws {
        var f = try F(availability: "2101", asker: "1110")
        #expect((0..<4).map(f.picker.availability(of:)) == [3, 2, 1, 1])
        f.picker.peerDisconnected(F.background(1))
        #expect((0..<4).map(f.picker.availability(of:)) == [2, 1, 1, 0])
        f.picker.peerDisconnected(F.asker)
        #expect((0..<4).map(f.picker.availability(of:)) == [1, 0, 0, 0])
        #expect(f.picker.invariantViolations() == [])
    }

    @Test func seedsCountEverywhereAndLeaveCleanly() throws {
        var f = try F(availability: "0120")
        let seed = PeerKey(7)
        f.picker.peerConnected(seed)
        f.picker.peerHasAll(seed)
        #expect((0..<4).map(f.picker.availability(of:)) == [2, 3, 4, 2])
        // A peer completing through haves becomes a seed too.
        let late = PeerKey(8)
        f.picker.peerConnected(late)
        for piece in 0..<4 { try f.picker.peerHas(late, piece: piece) }
        #expect(f.picker.seedCount == 3)  // the asker, `seed` and `late`
        f.picker.peerDisconnected(seed)
        f.picker.peerDisconnected(late)
        #expect((0..<4).map(f.picker.availability(of:)) == [1, 2, 3, 1])
        #expect(f.picker.invariantViolations() == [])
    }

    @Test func seedAsksForPiecesOnlySeedsHave() throws {
        // Piece 3 is only at seeds; it must still be picked.
        var f = try F(availability: "0000")
        #expect(F.pieces(f.pick(16)).count == 4)
    }

    @Test func endgameDuplicatesAreBoundedAndCancelledOnArrival() throws {
        var f = try F(availability: "3", maximumDuplicateRequests: 2)
        for k in 1...3 { f.picker.peerUnchoked(F.background(k)) }
        let first = f.pick(8)
        #expect(first.count == 4 && f.picker.isEndgame)
        #expect(f.pick(8, for: F.background(1)).count == 4)
        #expect(f.pick(8, for: F.background(2)).count == 4)
        #expect(f.pick(8, for: F.background(3)).isEmpty)  // every block has 3 holders

        let receipt = try f.picker.blockReceived(first[0], from: F.background(1))
        #expect(receipt.outcome == .accepted && receipt.wasRequested && !receipt.pieceComplete)
        #expect(Set(receipt.cancels) == [F.asker, F.background(2)])
        #expect(!f.picker.outstandingRequests(of: F.asker).contains(first[0]))
        #expect(f.picker.invariantViolations() == [])

        // The cancelled copy may still arrive: it is a duplicate.
        let late = try f.picker.blockReceived(first[0], from: F.asker)
        #expect(late.outcome == .duplicate && !late.wasRequested)
        for block in first.dropFirst() {
            _ = try f.picker.blockReceived(block, from: F.asker)
        }
        #expect(f.picker.state(of: 0) == .downloaded)
        f.picker.pieceVerified(0)
        #expect(f.picker.isComplete && !f.picker.isEndgame)
        #expect((1...3).allSatisfy { f.picker.outstandingRequests(of: F.background($0)).isEmpty })
        #expect(f.pick(8).isEmpty)
    }

    @Test func endgameDuplicatesOnlyTopUpAnAlmostIdlePeer() throws {
        // Deep pipelines: a peer with many requests out gets no duplicates, an idle one
        // gets at most `endgameQueueLimit` of them.
        var f = try F(availability: "2222", maximumDuplicateRequests: 1, endgameQueueLimit: 3)
        f.picker.peerUnchoked(F.background(1))
        #expect(f.pick(10).count == 10)
        #expect(f.pick(6, for: F.background(1)).count == 6)  // the last 6 open blocks
        #expect(f.pick(10, for: F.background(1)).isEmpty)  // 6 out already: over the limit
        // The asker receives its 10 blocks and is idle: it may duplicate 3 of the other's.
        for block in f.picker.outstandingRequests(of: F.asker) {
            _ = try f.picker.blockReceived(block, from: F.asker)
        }
        let duplicates = f.pick(10)
        #expect(duplicates.count == 3)
        #expect(Set(duplicates).isSubset(of: f.picker.outstandingRequests(of: F.background(1))))
        #expect(f.picker.invariantViolations() == [])
    }

    @Test func endgameWaitsWhileAnyBlockIsOpen() throws {
        var f = try F(availability: "22")
        f.picker.peerUnchoked(F.background(1))
        #expect(f.pick(7).count == 7)
        #expect(!f.picker.isEndgame)
        // The other peer gets the one open block first, and only then, in
        // endgame, duplicates of what the asker holds.
        let mine = f.picker.outstandingRequests(of: F.asker)
        let theirs = f.pick(8, for: F.background(1))
        #expect(theirs.count == 8)
        #expect(!mine.contains(theirs[0]))
        #expect(Set(theirs.dropFirst()) == mine)
        #expect(f.picker.isEndgame)
    }

    @Test func failedVerificationStartsOverAndNamesContributors() throws {
        var f = try F(availability: "2")
        f.picker.peerUnchoked(F.background(1))
        let mine = f.pick(2)
        let theirs = f.pick(2, for: F.background(1))
        for block in mine { _ = try f.picker.blockReceived(block, from: F.asker) }
        var last = BlockReceipt(outcome: .duplicate, wasRequested: false, pieceComplete: false, cancels: [])
        for block in theirs { last = try f.picker.blockReceived(block, from: F.background(1)) }
        #expect(last.pieceComplete)
        #expect(f.picker.pieceFailedVerification(0) == [F.background(1), F.asker])
        #expect(f.picker.state(of: 0) == .missing)
        #expect(f.picker.invariantViolations() == [])
        #expect(f.pick(4).count == 4)
    }

    @Test func verifiedPiecesIgnoreLateBlocks() throws {
        var f = try F(availability: "1")
        let blocks = f.pick(4)
        for block in blocks { _ = try f.picker.blockReceived(block, from: F.asker) }
        f.picker.pieceVerified(0)
        let receipt = try f.picker.blockReceived(blocks[0], from: F.background(1))
        #expect(receipt.outcome == .duplicate)
        #expect(f.picker.state(of: 0) == .verified)
        #expect(!f.picker.wantsPieces(from: F.asker))
    }

    @Test func unaskedBlocksAreKeptWhenNeeded() throws {
        var f = try F(availability: "1")
        let block = f.picker.layout.block(1, inPiece: 0)
        let receipt = try f.picker.blockReceived(block, from: F.background(1))
        #expect(receipt.outcome == .accepted && !receipt.wasRequested)
        #expect(f.picker.state(of: 0) == .partial)
        #expect(!f.pick(4).contains(block))
    }

    @Test func hostileInputIsRefused() throws {
        var f = try F(availability: "11")
        #expect(throws: SwarmError.pieceIndexOutOfRange(2, pieceCount: 2)) {
            try f.picker.peerHas(F.asker, piece: 2)
        }
        #expect(throws: SwarmError.pieceIndexOutOfRange(-1, pieceCount: 2)) {
            try f.picker.peerHas(F.asker, piece: -1)
        }
        #expect(throws: SwarmError.bitfieldSizeMismatch(3, pieceCount: 2)) {
            try f.picker.peerHasBitfield(F.asker, PieceSet(pieceCount: 3))
        }
        for bad in [
            BlockSpec(piece: 0, offset: 1, length: 16384),
            BlockSpec(piece: 0, offset: 0, length: 16383),
            BlockSpec(piece: 0, offset: 65536, length: 16384),
            BlockSpec(piece: 5, offset: 0, length: 16384),
        ] {
            #expect(throws: SwarmError.self) { try f.picker.blockReceived(bad, from: F.asker) }
        }
        #expect(f.picker.invariantViolations() == [])
    }

    /// Blocks built locally count as received: only the rest is requested, the piece completes
    /// with them, and when it fails its check nobody is blamed and all of it is asked for again.
    @Test func heldBlocksAreNotRequestedAndAFailedPieceBlamesNobody() throws {
        var f = try F(availability: "11")
        expectHold(true, &f.picker, [0, 2], of: 1)
        #expect(f.picker.state(of: 1) == .partial)
        #expect(f.picker.invariantViolations() == [])
        // Started pieces come first: the two open blocks of piece 1, then piece 0.
        let first = f.pick(2)
        #expect(first.map(\.piece) == [1, 1])
        #expect(Set(first.map(\.offset)) == [1 * PieceLayout.wireBlockLength, 3 * PieceLayout.wireBlockLength])
        var complete = false
        for block in first { complete = try f.picker.blockReceived(block, from: F.asker).pieceComplete }
        #expect(complete)
        let blamed = f.picker.pieceFailedVerification(1)
        #expect(blamed == [])
        #expect(f.picker.state(of: 1) == .missing)
        #expect(f.picker.invariantViolations() == [])
        let again = f.pick(8).filter { $0.piece == 1 }
        #expect(again.count == 4)
        // Blocks of a piece not missing, all of a piece's blocks, or a block twice: refused.
        expectHold(false, &f.picker, [0], of: 1)
        var g = try F(availability: "11")
        expectHold(false, &g.picker, [0, 1, 2, 3], of: 0)
        expectHold(false, &g.picker, [1, 1], of: 0)
        expectHold(false, &g.picker, [4], of: 0)
        expectHold(false, &g.picker, [], of: 0)
        expectHold(false, &g.picker, [0], of: 2)
        #expect(g.picker.state(of: 0) == .missing)
    }
}

/// Expects `holdBlocks` to take the blocks (`takes`) or refuse them.
@discardableResult
private func expectHold(
    _ takes: Bool, _ picker: inout PiecePicker, _ blocks: [Int], of piece: Int, sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    let took = picker.holdBlocks(blocks, of: piece)
    #expect(took == takes, "blocks \(blocks) of piece \(piece)", sourceLocation: sourceLocation)
    return took
}
