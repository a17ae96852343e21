/// Block-level bookkeeping for a piece we have started and not yet verified.
struct ActivePiece: Sendable {
    enum Slot: Hashable, Sendable {
        /// Neither requested nor received.
        case open
        /// Asked of these peers: one, or up to 1 + the duplicate limit in endgame.
        case requested([PeerKey])
        case received
    }

    var slots: [Slot]
    private(set) var openCount: Int
    private(set) var receivedCount: Int
    /// Peers whose data went into the piece: the suspects if its hash fails.
    private(set) var contributors: Set<PeerKey> = []
    /// Blocks built locally rather than received (see `PiecePicker.holdBlocks`): when the
    /// piece fails its check they may be why, so no peer is blamed.
    private(set) var heldLocally = 0

    init(blockCount: Int) {
        slots = Array(repeating: .open, count: blockCount)
        openCount = blockCount
        receivedCount = 0
    }

    var isUntouched: Bool { openCount == slots.count }
    var isDownloaded: Bool { receivedCount == slots.count }

    /// Adds `peer` as a holder of an open or already requested block.
    mutating func request(_ block: Int, from peer: PeerKey) {
        switch slots[block] {
        case .open:
            slots[block] = .requested([peer])
            openCount -= 1
        case .requested(let holders):
            precondition(!holders.contains(peer), "block \(block) is already requested from \(peer)")
            slots[block] = .requested(holders + [peer])
        case .received:
            preconditionFailure("block \(block) is already received")
        }
    }

    /// Drops `peer` as a holder; the block reopens when nobody else holds it.
    mutating func release(_ block: Int, from peer: PeerKey) {
        guard case .requested(var holders) = slots[block], let index = holders.firstIndex(of: peer) else { return }
        holders.remove(at: index)
        if holders.isEmpty {
            slots[block] = .open
            openCount += 1
        } else {
            slots[block] = .requested(holders)
        }
    }

    /// Marks an open block as held already, built locally.
    mutating func holdLocally(_ block: Int) {
        precondition(slots[block] == .open, "block \(block) is not open")
        slots[block] = .received
        openCount -= 1
        receivedCount += 1
        heldLocally += 1
    }

    /// Marks the block received from `peer`; returns the other peers that
    /// still held a request for it (to be cancelled).
    mutating func receive(_ block: Int, from peer: PeerKey) -> [PeerKey] {
        var others: [PeerKey] = []
        switch slots[block] {
        case .open:
            openCount -= 1
        case .requested(let holders):
            others = holders.filter { $0 != peer }
        case .received:
            preconditionFailure("block \(block) is already received")
        }
        slots[block] = .received
        receivedCount += 1
        contributors.insert(peer)
        return others
    }
}
