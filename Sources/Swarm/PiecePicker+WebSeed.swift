extension PiecePicker {
    /// Takes the missing `piece` whole for `source` (a web seed, registered with
    /// `peerConnected`): the source counts as holding it and every block as requested from
    /// it, so no peer is asked for it unless endgame duplicates it. Returns its blocks; empty
    /// (and nothing changes) unless the piece is missing.
    public mutating func claimWhole(_ piece: Int, for source: PeerKey) -> [BlockSpec] {
        precondition(peers[source] != nil, "\(source) is not connected to the piece picker")
        guard states.indices.contains(piece), states[piece] == .missing else { return [] }
        if !peers[source]!.have.contains(piece) {
            peers[source]!.have.insert(piece)
            buckets.increment(piece)
        }
        var blocks = ActivePiece(blockCount: layout.blockCount(inPiece: piece))
        var claimed: [BlockSpec] = []
        for index in blocks.slots.indices {
            blocks.request(index, from: source)
            claimed.append(layout.block(index, inPiece: piece))
        }
        active[piece] = blocks
        peers[source]!.requests.formUnion(claimed)
        refresh(piece)
        if peers[source]!.have.isFull { promoteIfSeed(source) }
        return claimed
    }

    /// How many connected peers other than `sources` (web seeds) have `piece`.
    public func availability(of piece: Int, excluding sources: [PeerKey]) -> Int {
        availability(of: piece) - sources.reduce(0) { $0 + (peers[$1]?.have.contains(piece) == true ? 1 : 0) }
    }
}
