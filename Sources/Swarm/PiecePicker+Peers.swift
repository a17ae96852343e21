extension PiecePicker {
    /// Starts tracking a connection (choking us, having nothing) until told otherwise.
    public mutating func peerConnected(_ peer: PeerKey) {
        precondition(peers[peer] == nil, "\(peer) is already connected")
        peers[peer] = PeerRecord(have: PieceSet(pieceCount: layout.pieceCount))
    }

    /// Forgets `peer`: its requests reopen and its pieces stop counting.
    /// Returns the blocks that were requested from it.
    @discardableResult
    public mutating func peerDisconnected(_ peer: PeerKey) -> [BlockSpec] {
        guard peers[peer] != nil else { return [] }
        let released = releaseAll(of: peer)
        if peers[peer]!.countsInRack { rackMateCounts(peer, false) }
        let record = peers.removeValue(forKey: peer)!
        if record.isSeed {
            seedCount -= 1
        } else {
            for piece in record.have {
                buckets.decrement(piece)
            }
        }
        return released
    }

    /// BEP 3 "bitfield": adds every piece in `pieces` to what `peer` has.
    public mutating func peerHasBitfield(_ peer: PeerKey, _ pieces: PieceSet) throws(SwarmError) {
        guard pieces.pieceCount == layout.pieceCount else {
            throw .bitfieldSizeMismatch(pieces.pieceCount, pieceCount: layout.pieceCount)
        }
        addPieces(pieces, to: peer)
    }

    /// BEP 6 "have all".
    public mutating func peerHasAll(_ peer: PeerKey) {
        addPieces(PieceSet(pieceCount: layout.pieceCount, full: true), to: peer)
    }

    private mutating func addPieces(_ pieces: PieceSet, to peer: PeerKey) {
        let current = record(peer)
        guard !current.isSeed else { return }
        if pieces.isFull && current.have.isEmpty {
            // The common case for seeds: no per-piece work at all.
            peers[peer]!.have = pieces
            peers[peer]!.isSeed = true
            seedCount += 1
            if current.countsInRack { rackSeeds += 1 }
            return
        }
        for piece in pieces where !current.have.contains(piece) {
            peers[peer]!.have.insert(piece)
            buckets.increment(piece)
            if current.countsInRack { rackMateGained(piece) }
        }
        promoteIfSeed(peer)
    }

    /// BEP 3 "have".
    public mutating func peerHas(_ peer: PeerKey, piece: Int) throws(SwarmError) {
        try layout.checkPiece(piece)
        // One lookup: this runs for every piece every peer announces.
        guard let inserted = peers[peer]?.have.insert(piece) else {
            preconditionFailure("\(peer) is not connected to the piece picker")
        }
        guard inserted else { return }
        buckets.increment(piece)
        if peers[peer]!.countsInRack { rackMateGained(piece) }
        if peers[peer]!.have.isFull { promoteIfSeed(peer) }
    }

    /// The peer refused a request for `piece` although it announced it (a super-seeder
    /// that gave the piece to another peer meanwhile): it counts as not holding the piece
    /// until it announces it again, so the picker asks others instead of asking it again.
    /// Nothing changes for a seed, which refuses only what it will serve later.
    public mutating func peerRefused(_ piece: Int, from peer: PeerKey) {
        precondition(peers[peer] != nil, "\(peer) is not connected to the piece picker")
        guard !peers[peer]!.isSeed, peers[peer]!.have.remove(piece) else { return }
        buckets.decrement(piece)
        if peers[peer]!.countsInRack { rackMateLost(piece) }
        for block in peers[peer]!.requests where block.piece == piece {
            requestReleased(block, from: peer)
        }
    }

    /// The peer choked us: BEP 3 says it discards our requests, so they reopen.
    @discardableResult
    public mutating func peerChoked(_ peer: PeerKey) -> [BlockSpec] {
        precondition(peers[peer] != nil, "\(peer) is not connected to the piece picker")
        peers[peer]!.isChoking = true
        return releaseAll(of: peer)
    }

    public mutating func peerUnchoked(_ peer: PeerKey) {
        precondition(peers[peer] != nil, "\(peer) is not connected to the piece picker")
        peers[peer]!.isChoking = false
    }

    /// One request will not be answered (rejected, timed out, or cancelled by
    /// us): the block reopens unless another peer holds it too. Returns whether the block
    /// was outstanding at `peer`.
    @discardableResult
    public mutating func requestReleased(_ block: BlockSpec, from peer: PeerKey) -> Bool {
        precondition(peers[peer] != nil, "\(peer) is not connected to the piece picker")
        guard peers[peer]!.requests.remove(block) != nil else { return false }
        release(block, from: peer)
        return true
    }

    private mutating func releaseAll(of peer: PeerKey) -> [BlockSpec] {
        // Sorted so the order pieces re-enter the open list does not depend on hashing.
        let released = peers[peer]!.requests.sorted()
        peers[peer]!.requests = []
        for block in released {
            release(block, from: peer)
        }
        return released
    }

    private mutating func release(_ block: BlockSpec, from peer: PeerKey) {
        let index = block.offset / layout.blockLength
        active[block.piece]?.release(index, from: peer)
        refresh(block.piece)
    }

    mutating func promoteIfSeed(_ peer: PeerKey) {
        guard peers[peer]!.have.isFull, !peers[peer]!.isSeed else { return }
        let counts = peers[peer]!.countsInRack
        for piece in 0..<layout.pieceCount {
            buckets.decrement(piece)
            if counts { rackMateLost(piece) }
        }
        peers[peer]!.isSeed = true
        seedCount += 1
        if counts { rackSeeds += 1 }
    }
}
