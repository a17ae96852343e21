/// Where each piece being received stands between its blocks arriving and its SHA-1 check.
/// A pure value: `TorrentSession` asks it where a block goes and tells it what finished; the
/// buffers and the disk stay with the session. Every piece is in exactly one state, or in
/// none when nothing of it is in flight (`INVARIANTS.md`).
///
/// A piece is assembled in memory while the budget allows, then hashed and written whole:
/// one disk hop per piece and no reading back. Past the budget it is written block by block
/// and read back to hash once its last write landed.
struct PieceIntake: Equatable, Sendable {
    enum Route: Equatable, Sendable {
        /// Put the block in the piece's buffer (a new one when the piece has none yet).
        case memory
        /// Write the block to storage now.
        case disk
    }

    enum PieceState: Equatable, Sendable {
        /// In memory, `length` bytes counted against the budget.
        case assembling(length: Int)
        /// Written block by block: `pendingWrites` still on their way; `whole` once its last
        /// block arrived.
        case writing(pendingWrites: Int, whole: Bool)
        /// Being hashed (and, from memory, written): waits for `pieceChecked`.
        case checking
    }

    /// Bytes of pieces that may be assembled in memory at once.
    let budget: Int
    private(set) var assemblingBytes = 0
    private(set) var pieces: [Int: PieceState] = [:]

    init(budget: Int) {
        self.budget = budget
    }

    /// An accepted block of `piece` (of `pieceLength` bytes) arrived; `completesPiece` when it
    /// was the last one missing. A piece assembled in memory goes to `checking` at once when
    /// complete: the caller hashes and writes its buffer then.
    mutating func blockArrived(piece: Int, pieceLength: Int, completesPiece: Bool) -> Route {
        switch pieces[piece] {
        case .assembling(let length):
            if completesPiece {
                assemblingBytes -= length
                pieces[piece] = .checking
            }
            return .memory
        case .writing(let pending, let whole):
            pieces[piece] = .writing(pendingWrites: pending + 1, whole: whole || completesPiece)
            return .disk
        case .checking:
            // Never for an accepted block; stored without changing the piece's course.
            return .disk
        case nil:
            guard assemblingBytes + pieceLength <= budget else {
                pieces[piece] = .writing(pendingWrites: 1, whole: completesPiece)
                return .disk
            }
            if completesPiece {
                pieces[piece] = .checking
            } else {
                assemblingBytes += pieceLength
                pieces[piece] = .assembling(length: pieceLength)
            }
            return .memory
        }
    }

    /// Some blocks of `piece` are in storage already (built locally): the rest go to storage
    /// too, and the piece is read back and checked once its last block is written.
    mutating func holdBlocks(piece: Int) {
        pieces[piece] = .writing(pendingWrites: 0, whole: false)
    }

    /// One block write of `piece` landed. True when it was the last write of a whole piece:
    /// the caller reads it back and checks it now.
    mutating func blockWritten(piece: Int) -> Bool {
        guard case .writing(let pending, let whole) = pieces[piece] else { return false }
        if pending <= 1, whole {
            pieces[piece] = .checking
            return true
        }
        pieces[piece] = .writing(pendingWrites: max(0, pending - 1), whole: whole)
        return false
    }

    /// The piece's check is over, passed or failed: nothing of it is in flight any more (a
    /// failed piece is requested again and starts afresh).
    mutating func pieceChecked(piece: Int) {
        if case .assembling(let length) = pieces[piece] { assemblingBytes -= length }
        pieces[piece] = nil
    }
}
