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
    /// penalise them.
    public mutating func pieceFailedVerification(_ piece: Int) -> [PeerKey] {
        precondition(states[piece] == .downloaded, "piece \(piece) is \(states[piece]), not downloaded")
        let contributors = active.removeValue(forKey: piece)!.contributors.sorted()
        setState(piece, to: .missing)
        return contributors
    }
}
