import Testing
@testable import Swarm

/// The intake's course for each piece, without a byte of data.
@Suite struct PieceIntakeTests {
    @Test func piecesAssembleInMemoryWhileTheBudgetAllows() {
        var intake = PieceIntake(budget: 100)
        #expect(intake.blockArrived(piece: 0, pieceLength: 60, completesPiece: false) == .memory)
        #expect(intake.assemblingBytes == 60)
        // A second piece would pass the budget: it is written block by block.
        #expect(intake.blockArrived(piece: 1, pieceLength: 60, completesPiece: false) == .disk)
        #expect(intake.pieces[1] == .writing(pendingWrites: 1, whole: false))
        // And stays on that course while the memory frees up.
        #expect(intake.blockArrived(piece: 0, pieceLength: 60, completesPiece: true) == .memory)
        #expect(intake.assemblingBytes == 0)
        #expect(intake.pieces[0] == .checking)
        #expect(intake.blockArrived(piece: 1, pieceLength: 60, completesPiece: false) == .disk)
    }

    /// A piece written block by block is checked once its last block arrived and every write
    /// landed, in whatever order the writes end.
    @Test(arguments: [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
    func diskPiecesAreCheckedAfterTheirLastWrite(_ order: [Int]) {
        var intake = PieceIntake(budget: 0)
        for block in 0..<3 {
            #expect(intake.blockArrived(piece: 5, pieceLength: 48, completesPiece: block == 2) == .disk)
        }
        var ready: [Bool] = []
        for _ in order { ready.append(intake.blockWritten(piece: 5)) }
        #expect(ready == [false, false, true])
        #expect(intake.pieces[5] == .checking)
    }

    /// Writes that land before the last block arrives do not start a check.
    @Test func earlyWritesWaitForTheLastBlock() {
        var intake = PieceIntake(budget: 0)
        _ = intake.blockArrived(piece: 3, pieceLength: 32, completesPiece: false)
        #expect(intake.blockWritten(piece: 3) == false)
        #expect(intake.pieces[3] == .writing(pendingWrites: 0, whole: false))
        _ = intake.blockArrived(piece: 3, pieceLength: 32, completesPiece: true)
        #expect(intake.blockWritten(piece: 3) == true)
    }

    @Test func aOneBlockPieceGoesStraightToItsCheck() {
        var intake = PieceIntake(budget: 100)
        #expect(intake.blockArrived(piece: 9, pieceLength: 10, completesPiece: true) == .memory)
        #expect(intake.pieces[9] == .checking)
        #expect(intake.assemblingBytes == 0)
    }

    /// After its check, passed or failed, a piece leaves the intake; a failed one that is
    /// requested again starts afresh, in memory if there is room now.
    @Test func checkedPiecesLeaveAndStartAfresh() {
        var intake = PieceIntake(budget: 64)
        _ = intake.blockArrived(piece: 0, pieceLength: 64, completesPiece: false)
        #expect(intake.blockArrived(piece: 1, pieceLength: 64, completesPiece: true) == .disk)
        let whole = intake.blockWritten(piece: 1)
        #expect(whole)
        intake.pieceChecked(piece: 1)
        #expect(intake.pieces[1] == nil)
        _ = intake.blockArrived(piece: 0, pieceLength: 64, completesPiece: true)
        intake.pieceChecked(piece: 0)
        #expect(intake.pieces.isEmpty && intake.assemblingBytes == 0)
        #expect(intake.blockArrived(piece: 1, pieceLength: 64, completesPiece: false) == .memory)
    }

    @Test func writesOfPiecesNotBeingWrittenAreIgnored() {
        var intake = PieceIntake(budget: 100)
        #expect(intake.blockWritten(piece: 7) == false)
        _ = intake.blockArrived(piece: 7, pieceLength: 10, completesPiece: false)
        #expect(intake.blockWritten(piece: 7) == false)
        #expect(intake.pieces[7] == .assembling(length: 10))
    }
}

@Suite struct DigestScheduleTests {
    /// The digest follows the verified prefix one stretch at a time, then finishes once every
    /// piece is in.
    @Test func followsThePrefixThenFinishes() {
        var schedule = DigestSchedule(pieceCount: 5, hasDigest: true)
        var verified: Set<Int> = [0, 1, 3]
        #expect(schedule.next(isVerified: verified.contains) == .hash(0..<2))
        #expect(schedule.next(isVerified: verified.contains) == .wait)  // one job at a time
        schedule.hashed(upTo: 2)
        #expect(schedule.next(isVerified: verified.contains) == .wait)  // piece 2 is missing
        verified.formUnion([2, 4])
        #expect(schedule.next(isVerified: verified.contains) == .hash(2..<5))
        schedule.hashed(upTo: 5)
        #expect(schedule.next(isVerified: verified.contains) == .wait)  // not every piece verified yet
        schedule.allPiecesVerified()
        #expect(schedule.next(isVerified: verified.contains) == .finish)
        #expect(schedule.next(isVerified: verified.contains) == .wait)
        schedule.finished()
    }

    @Test func everyPieceVerifiedBeforeAnyHashing() {
        var schedule = DigestSchedule(pieceCount: 3, hasDigest: true)
        schedule.allPiecesVerified()
        let first = schedule.next { _ in true }
        #expect(first == .hash(0..<3))
        schedule.hashed(upTo: 3)
        let last = schedule.next { _ in true }
        #expect(last == .finish)
    }

    /// A torrent from another tool has no SHA-256: complete once every piece verified.
    @Test func withoutADigestCompletionFollowsThePieces() {
        var schedule = DigestSchedule(pieceCount: 3, hasDigest: false)
        let early = schedule.next { _ in true }
        #expect(early == .wait)
        schedule.allPiecesVerified()
        let done = schedule.next { _ in true }
        #expect(done == .complete)
    }

    /// A piece with blocks built locally is written block by block: its other blocks go to
    /// storage and it is checked once the last of them is written.
    @Test func aPieceWithHeldBlocksIsCheckedAfterItsLastWrite() {
        var intake = PieceIntake(budget: 1000)
        intake.holdBlocks(piece: 4)
        #expect(intake.blockArrived(piece: 4, pieceLength: 64, completesPiece: false) == .disk)
        #expect(intake.blockArrived(piece: 4, pieceLength: 64, completesPiece: true) == .disk)
        #expect(intake.assemblingBytes == 0)
        #expect(intake.blockWritten(piece: 4) == false)
        #expect(intake.blockWritten(piece: 4) == true)
        #expect(intake.pieces[4] == .checking)
        intake.pieceChecked(piece: 4)
        #expect(intake.pieces[4] == nil)
    }
}
