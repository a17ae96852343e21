extension PiecePicker {
    /// Records a block from `peer`. Throws when the block is not a block of
    /// the torrent (disconnect the peer).
    public mutating func blockReceived(_ block: BlockSpec, from peer: PeerKey) throws(SwarmError) -> BlockReceipt {
        let index = try layout.blockIndex(of: block)
        precondition(peers[peer] != nil, "\(peer) is not connected to the piece picker")
        let wasRequested = peers[peer]!.requests.remove(block) != nil
        let piece = block.piece
        switch states[piece] {
        case .verified, .downloaded:
            return BlockReceipt(outcome: .duplicate, wasRequested: wasRequested, pieceComplete: false, cancels: [])
        case .missing:
            // Unasked data for a piece nobody is fetching: still useful, keep it.
            active[piece] = ActivePiece(blockCount: layout.blockCount(inPiece: piece))
        case .partial, .requested:
            break
        }
        var blocks = active.removeValue(forKey: piece)!
        if blocks.slots[index] == .received {
            active[piece] = blocks
            return BlockReceipt(outcome: .duplicate, wasRequested: wasRequested, pieceComplete: false, cancels: [])
        }
        let others = blocks.receive(index, from: peer)
        active[piece] = blocks
        for other in others {
            peers[other]!.requests.remove(block)
        }
        refresh(piece)
        return BlockReceipt(
            outcome: .accepted,
            wasRequested: wasRequested,
            pieceComplete: states[piece] == .downloaded,
            cancels: others
        )
    }

    /// The piece's hash matched: it is ours for good and never requested again.
    public mutating func pieceVerified(_ piece: Int) {
        precondition(states[piece] == .downloaded, "piece \(piece) is \(states[piece]), not downloaded")
        active[piece] = nil
        setState(piece, to: .verified)
        rackPieceVerified(piece)
        verified.insert(piece)
    }

    /// The piece's hash did not match: it starts over from nothing. Returns
    /// the peers whose blocks went into it, sorted, so the caller can ban or
    /// penalise them; none when blocks built locally went into it too (they may be what was
    /// wrong; the piece is fetched whole next time, which tells).
    public mutating func pieceFailedVerification(_ piece: Int) -> [PeerKey] {
        precondition(states[piece] == .downloaded, "piece \(piece) is \(states[piece]), not downloaded")
        let blocks = active.removeValue(forKey: piece)!
        setState(piece, to: .missing)
        return blocks.heldLocally > 0 ? [] : blocks.contributors.sorted()
    }

    /// Takes `blocks` of a missing piece as held already: built locally and in storage, so
    /// only the piece's other blocks are requested. False (and nothing changes) unless the
    /// piece is missing and `blocks` are some, not all, of its blocks, each once.
    @discardableResult
    public mutating func holdBlocks(_ blocks: [Int], of piece: Int) -> Bool {
        guard states.indices.contains(piece), states[piece] == .missing else { return false }
        let count = layout.blockCount(inPiece: piece)
        guard !blocks.isEmpty, blocks.count < count, Set(blocks).count == blocks.count, blocks.allSatisfy((0..<count).contains) else {
            return false
        }
        var active = ActivePiece(blockCount: count)
        for block in blocks { active.holdLocally(block) }
        self.active[piece] = active
        refresh(piece)
        return true
    }
}
