/// What the seeder advertises to each peer, so its uplink — the scarce link
/// — carries each piece once before it carries any piece twice; peers spread
/// the copies among themselves (super-seeding in the spirit of BEP 16).
///
/// The seeder sends no full bitfield. Each peer is shown (by `have`
/// messages) a small window of pieces that have not yet left the seeder,
/// each such piece to one peer at a time; the window refills as pieces are
/// sent or the peer reports having them; once fewer unassigned pieces are left than
/// would fill every window, each peer gets its share of them only. A piece counts as released once
/// the seeder has sent it completely, or once any peer reports having it
/// (it is in the swarm already). When every piece is released, every peer is
/// shown everything, so stragglers and late joiners are never starved.
///
/// Policy for requests: before every piece is released, the seeder serves a
/// piece only to the one peer it is currently assigned to, and never a
/// second time (check `mayServe` for each request, and reject the rest with
/// BEP 6 where the peer speaks it, reporting `requestRefused`, or ignore them)
/// — other peers get it from that peer. Afterwards it serves anything.
/// Once every piece has left, the seeder's uplink has nothing new to carry: it is not
/// offered for what the swarm already holds, which peers fetch from each other, only for
/// pieces every holder of which left (`orphans`), and to a peer that reported no new piece
/// for a while (the caller decides how long; `peerStarved`) — one the others cannot or do
/// not serve. Sending the tail's pieces again bought no time (pushes to 16 hosts as long)
/// for 3 % more copies: the hosts' downlinks are full then, whoever sends.
/// A piece left half-sent by a disconnecting peer goes back to the pool; only
/// complete sends count. A peer that leaves its window unrequested can be
/// declared stalled (`peerStalled`): its pieces go to others. A released piece
/// whose every holder left (it was sent to, or announced by, peers that are all
/// gone) is offered again, so a host that froze with the only copy cannot hold
/// the swarm back.
public struct SuperSeedPlanner: Sendable {
    struct PeerPlan: Sendable {
        /// Advertised and unreleased pieces assigned to this peer.
        var window: Set<Int> = []
        /// Everything ever advertised: `have` messages cannot be taken back.
        var advertised: PieceSet
        var has: PieceSet
        /// Declared stalled: gets nothing new until it shows progress.
        var isPaused = false
        /// Shown everything it lacks once every piece has left: it was not getting them elsewhere.
        var isStarved = false
    }

    public let pieceCount: Int
    /// Pieces kept advertised to each peer before every piece is released:
    /// enough for its request pipeline to span a piece being verified and the next.
    public let windowSize: Int

    var peers: [PeerKey: PeerPlan] = [:]
    var released: PieceSet
    var sendCount: [Int]
    /// Sends of each piece that reached only peers which then left without passing it
    /// on: the piece was offered again and those sends no longer count.
    var sendsLost: [Int]
    /// The connected peers each piece was sent to completely.
    var sentTo: [Int: Set<PeerKey>] = [:]
    /// Unreleased pieces advertised to nobody; taken from the end, so piece 0
    /// goes first and pieces handed back by a departing peer go out again soon.
    var pool = IndexedPieceList()
    var assignee: [Int: PeerKey] = [:]
    /// The one peer each never-sent piece may be served to before every
    /// piece is released: its assignee, kept after a release by a `have`
    /// so the peer that was shown it can still fetch it.
    var servableTo: [Int: PeerKey] = [:]
    /// Once every piece has left: pieces no connected peer holds any more (every peer it was
    /// sent to or that announced it left), offered to every peer again.
    var orphans: Set<Int> = []

    /// Web seeds bring the pieces into the swarm (see `init`).
    public let standby: Bool

    /// `standby`: web seeds bring every piece into the swarm, so the seeder starts as if every
    /// piece had left it: it serves only pieces whose every holder left and peers that starve
    /// (the web seeds failed them, or nobody else serves them), and sends nothing otherwise.
    public init(pieceCount: Int, windowSize: Int = 4, standby: Bool = false) {
        precondition(pieceCount > 0 && windowSize > 0, "need at least one piece and a window of one")
        self.pieceCount = pieceCount
        self.windowSize = windowSize
        self.standby = standby
        self.released = PieceSet(pieceCount: pieceCount, full: standby)
        self.sendCount = Array(repeating: 0, count: pieceCount)
        self.sendsLost = Array(repeating: 0, count: pieceCount)
        guard !standby else { return }
        for piece in (0..<pieceCount).reversed() {
            pool.insert(piece)
        }
    }

    /// Every piece has left the seeder (or was found at a peer) at least once.
    public var allPiecesSentOnce: Bool { released.isFull }

    /// How many times the seeder has sent `piece` completely.
    public func timesSent(_ piece: Int) -> Int { sendCount[piece] }

    /// Pieces shown to `peer` that it has neither fetched nor announced.
    public func assigned(to peer: PeerKey) -> Set<Int> { plan(peer).window }

    /// The pieces advertised to `peer` so far.
    public func advertised(to peer: PeerKey) -> PieceSet { plan(peer).advertised }

    public mutating func peerConnected(_ peer: PeerKey) {
        precondition(peers[peer] == nil, "\(peer) is already connected")
        peers[peer] = PeerPlan(advertised: PieceSet(pieceCount: pieceCount), has: PieceSet(pieceCount: pieceCount))
    }

    /// The peer's assigned, unsent pieces return to the pool.
    /// A released piece that no connected peer holds any more is offered again.
    public mutating func peerDisconnected(_ peer: PeerKey) {
        guard let plan = peers.removeValue(forKey: peer) else { return }
        for piece in plan.window.sorted(by: >) {
            assignee[piece] = nil
            servableTo[piece] = nil
            pool.insert(piece)
        }
        var held = plan.has
        for (piece, recipients) in sentTo where recipients.contains(peer) {
            sentTo[piece]!.remove(peer)
            _ = held.insert(piece)
        }
        guard !allPiecesSentOnce else {
            for piece in held where !isHeld(piece) { orphans.insert(piece) }
            return
        }
        for piece in held.sorted(by: >) where released.contains(piece) && !isHeld(piece) {
            _ = released.remove(piece)
            sendsLost[piece] = sendCount[piece]
            servableTo[piece] = nil
            pool.insert(piece)
        }
    }

    /// Whether a connected peer has `piece`: it was sent it, or announced it.
    func isHeld(_ piece: Int) -> Bool {
        !(sentTo[piece]?.isEmpty ?? true) || peers.values.contains { $0.has.contains(piece) }
    }

    /// The peer has not asked for its advertised pieces for too long (the
    /// caller decides how long): they go back to the pool for other peers,
    /// and it is shown nothing new until it reports a piece or is sent one.
    /// Returns the pieces taken back.
    @discardableResult
    public mutating func peerStalled(_ peer: PeerKey) -> [Int] {
        precondition(peers[peer] != nil, "\(peer) is not connected to the planner")
        let taken = peers[peer]!.window.sorted(by: >)
        for piece in taken {
            assignee[piece] = nil
            servableTo[piece] = nil
            pool.insert(piece)
        }
        peers[peer]!.window = []
        peers[peer]!.isPaused = true
        return taken.reversed()
    }

    /// BEP 3 "bitfield" from the peer.
    public mutating func peerHasBitfield(_ peer: PeerKey, _ pieces: PieceSet) throws(SwarmError) {
        guard pieces.pieceCount == pieceCount else {
            throw .bitfieldSizeMismatch(pieces.pieceCount, pieceCount: pieceCount)
        }
        for piece in pieces {
            try peerHas(peer, piece: piece)
        }
    }

    /// BEP 3 "have" from the peer: it needs the piece no longer, and the
    /// piece is in the swarm.
    public mutating func peerHas(_ peer: PeerKey, piece: Int) throws(SwarmError) {
        guard piece >= 0 && piece < pieceCount else {
            throw .pieceIndexOutOfRange(piece, pieceCount: pieceCount)
        }
        precondition(peers[peer] != nil, "\(peer) is not connected to the planner")
        peers[peer]!.has.insert(piece)
        peers[peer]!.window.remove(piece)
        peers[peer]!.isPaused = false
        orphans.remove(piece)
        release(piece)
    }

    /// Once every piece has left: `peer` reported no new piece for too long (the caller decides
    /// how long) while it lacks some, so nobody else serves it; it is shown everything it lacks.
    /// On standby, pieces the web seeds never brought (no connected peer holds them, the seeder
    /// never sent them) go back to the pool first, to be sent once each as when super-seeding
    /// (`allPiecesSentOnce` is false again): every starving host shown everything would fetch
    /// them all from the seeder. Returns false when that changes nothing (not yet the tail, it
    /// lacks nothing, or it was shown everything already).
    @discardableResult
    public mutating func peerStarved(_ peer: PeerKey) -> Bool {
        precondition(peers[peer] != nil, "\(peer) is not connected to the planner")
        guard allPiecesSentOnce, !peers[peer]!.isStarved, !peers[peer]!.has.isFull else { return false }
        if standby {
            let neverBrought = (0..<pieceCount).filter { sendCount[$0] == 0 && !orphans.contains($0) && !isHeld($0) }
            if !neverBrought.isEmpty {
                for piece in neverBrought.reversed() {
                    _ = released.remove(piece)
                    pool.insert(piece)
                }
                return true
            }
        }
        peers[peer]!.isStarved = true
        return true
    }

    /// The seeder refused `peer` a block of `piece` it had been shown (`mayServe` said no)
    /// and told it so (BEP 6 `reject_request`): the peer now counts the piece as not ours,
    /// so it may be shown the piece again — once every piece has left, or when the piece
    /// is its to fetch again.
    public mutating func requestRefused(_ piece: Int, by peer: PeerKey) {
        guard piece >= 0 && piece < pieceCount, peers[peer] != nil, !(peers[peer]!.window.contains(piece)) else { return }
        _ = peers[peer]!.advertised.remove(piece)
    }

    /// Whether to answer `peer`'s request for a block of `piece`.
    public func mayServe(_ piece: Int, to peer: PeerKey) -> Bool {
        guard piece >= 0 && piece < pieceCount, peers[peer] != nil else { return false }
        if allPiecesSentOnce { return true }
        return sendCount[piece] == sendsLost[piece] && servableTo[piece] == peer
    }

    /// The seeder has sent the last block of `piece` to `peer`.
    public mutating func pieceSent(_ piece: Int, to peer: PeerKey) {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) is outside 0..<\(pieceCount)")
        sendCount[piece] += 1
        if peers[peer] != nil {
            sentTo[piece, default: []].insert(peer)
            orphans.remove(piece)
        }
        servableTo[piece] = nil
        peers[peer]?.window.remove(piece)
        peers[peer]?.isPaused = false
        release(piece)
    }

    /// Pieces to announce to `peer` now (one `have` each); call after every
    /// event above. Empty when its window is full, when every unreleased
    /// piece is already assigned to another peer, or while the peer is
    /// stalled. A piece is never announced twice to the same peer.
    public mutating func piecesToAdvertise(to peer: PeerKey) -> [Int] {
        precondition(peers[peer] != nil, "\(peer) is not connected to the planner")
        var result: [Int] = []
        if allPiecesSentOnce {
            let plan = peers[peer]!
            if plan.isStarved {
                for piece in 0..<pieceCount where !plan.advertised.contains(piece) && !plan.has.contains(piece) {
                    result.append(piece)
                }
            } else {
                result = orphans.filter { !plan.advertised.contains($0) && !plan.has.contains($0) }.sorted()
            }
        } else if !peers[peer]!.isPaused {
            // Near the end, windows shrink to the peers' fair share of what is left: a peer
            // holding a full window of the last pieces would keep the seeder's uplink busy
            // with one host's downlink, which the other hosts' uploads fill too, while the
            // rest of its uplink idles.
            let share = (pool.count + peers.count - 1) / max(1, peers.count)
            let limit = min(windowSize, max(1, share))
            while peers[peer]!.window.count < limit, let piece = pool.popLast() {
                assignee[piece] = peer
                servableTo[piece] = peer
                peers[peer]!.window.insert(piece)
                // Shown before it stalled: it already knows, no second `have`.
                if !peers[peer]!.advertised.contains(piece) {
                    result.append(piece)
                }
            }
        }
        for piece in result {
            peers[peer]!.advertised.insert(piece)
        }
        return result
    }

    private mutating func release(_ piece: Int) {
        guard released.insert(piece) else { return }
        pool.remove(piece)
        if let owner = assignee.removeValue(forKey: piece) {
            peers[owner]?.window.remove(piece)
        }
    }

    private func plan(_ peer: PeerKey) -> PeerPlan {
        guard let plan = peers[peer] else {
            preconditionFailure("\(peer) is not connected to the planner")
        }
        return plan
    }
}
