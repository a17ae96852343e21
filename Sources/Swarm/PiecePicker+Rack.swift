/// Which pieces a host may bring into its rack from outside it.
///
/// Behind an oversubscribed rack uplink every byte that crosses it is scarce: a rack needs
/// each piece to cross once, and its hosts can pass it on among themselves. Left to rarest
/// first, the hosts of a rack all pull the newest pieces from their peers in other racks at
/// the same time, and a piece crosses the uplink many times. With a share, host `index` of
/// a rack of `count` asks peers in other racks only for pieces `p` with
/// `p % count == index` — the rack's pieces are split among its hosts, each fetched in
/// once — and for nothing a rack mate already has. A rack mate that delivers nothing for too
/// long (`peerStalled`: frozen, say) counts as gone until it delivers again. Three exceptions
/// keep a rack from waiting on itself: the share of a seat no connected, live rack mate holds
/// is everyone's; a peer in no rack (the controller's seeder) may also be asked for a piece
/// nobody else we know holds (the super-seeder shows each such piece to one host only); and
/// while no rack mate has any piece we lack (at the start), anyone may be asked for anything.
public struct RackShare: Hashable, Sendable, CustomStringConvertible {
    /// This host's place in its rack, `0..<count`, the same order on every host.
    public let index: Int
    /// Hosts in the rack.
    public let count: Int

    /// Nil unless `0 <= index < count`.
    public init?(index: Int, count: Int) {
        guard count > 0, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// Whether this host is the one to fetch `piece` into the rack.
    public func owns(_ piece: Int) -> Bool {
        piece % count == index
    }

    public var description: String { "\(index + 1) of \(count)" }
}

/// Where a peer sits, seen from a host with a `RackShare`.
public enum PeerPlace: Hashable, Sendable {
    /// In our rack, its `RackShare.index` being `index`.
    case rackMate(index: Int)
    case otherRack
    /// In no rack we know: the controller's seeder, a host without labels, a foreign client.
    case unplaced
}

extension PiecePicker {
    /// Sets this host's share of its rack; call before any peer connects. Nil: no rack
    /// (every peer is asked for anything, as without racks).
    public mutating func setRackShare(_ share: RackShare?) {
        precondition(peers.isEmpty, "the rack share is set before peers connect")
        rackShare = share
        rackAvailability = share == nil ? [] : Array(repeating: 0, count: layout.pieceCount)
        rackOwners = share.map { Array(repeating: 0, count: $0.count) } ?? []
        rackSeeds = 0
        rackWanted = 0
    }

    /// Starts tracking a connection (choking us, having nothing) until told otherwise;
    /// `place` says where it sits against our rack (only meaningful with a share).
    public mutating func peerConnected(_ peer: PeerKey, place: PeerPlace) {
        peerConnected(peer)
        guard let rackShare else { return }
        if case .rackMate(let index) = place, !(0..<rackShare.count).contains(index) {
            // A seat outside our rack's size: the tables disagree; treat it as a stranger.
            peers[peer]!.place = .unplaced
        } else {
            peers[peer]!.place = place
            rackMateCounts(peer, true)
        }
    }

    /// `peer` delivered nothing for too long (the session snubs it): a rack mate's pieces and
    /// share no longer count on it, so others bring them in, until `peerResumed`.
    public mutating func peerStalled(_ peer: PeerKey) {
        precondition(peers[peer] != nil, "\(peer) is not connected to the piece picker")
        guard !peers[peer]!.isStalled else { return }
        if peers[peer]!.countsInRack { rackMateCounts(peer, false) }
        peers[peer]!.isStalled = true
    }

    /// `peer` delivers again.
    public mutating func peerResumed(_ peer: PeerKey) {
        precondition(peers[peer] != nil, "\(peer) is not connected to the piece picker")
        guard peers[peer]!.isStalled else { return }
        peers[peer]!.isStalled = false
        if peers[peer]!.countsInRack { rackMateCounts(peer, true) }
    }

    /// Whether the rack has nothing we lack: no rack mate seeds and none holds a piece we
    /// have not verified.
    var rackHasNothingForUs: Bool {
        rackSeeds == 0 && rackWanted == 0
    }

    /// What a peer with `record` may be asked for beyond what it has; nil: anything it has.
    /// Taken once per `nextRequests`, as a value (the picker changes while it is used).
    func outsideRule(for record: PeerRecord) -> OutsideRule? {
        guard let rackShare, !record.isRackMate, !rackHasNothingForUs else { return nil }
        return OutsideRule(
            share: rackShare, rackSeeds: rackSeeds, rackAvailability: rackAvailability, owners: rackOwners,
            availability: buckets.availability,
            soleHolder: record.place == .otherRack ? -1 : record.isSeed ? 0 : 1)
    }

    struct OutsideRule {
        let share: RackShare
        let rackSeeds: Int
        let rackAvailability: [Int32]
        /// Connected rack mates not stalled, by share index.
        let owners: [Int32]
        let availability: [Int32]
        /// The availability of a piece the asked peer alone holds (seeds are not counted);
        /// -1: the peer gets no such exception.
        let soleHolder: Int32

        func allows(_ piece: Int) -> Bool {
            if rackSeeds > 0 || rackAvailability[piece] > 0 { return false }
            // Ours to bring in, or its owner is not there to, or nobody else can.
            return share.owns(piece) || owners[piece % share.count] == 0 || availability[piece] <= soleHolder
        }
    }

    // MARK: Bookkeeping, called where the picker learns what peers hold

    /// A rack mate starts or stops counting (it stalled, resumed, or left): its pieces, its
    /// seeding and its share follow.
    mutating func rackMateCounts(_ peer: PeerKey, _ counts: Bool) {
        guard let record = peers[peer], case .rackMate(let index) = record.place else { return }
        let delta: Int32 = counts ? 1 : -1
        rackOwners[index] += delta
        if record.isSeed {
            rackSeeds += Int(delta)
        } else {
            for piece in record.have {
                if counts { rackMateGained(piece) } else { rackMateLost(piece) }
            }
        }
    }

    mutating func rackMateGained(_ piece: Int) {
        rackAvailability[piece] += 1
        if rackAvailability[piece] == 1 && !verified.contains(piece) { rackWanted += 1 }
    }

    mutating func rackMateLost(_ piece: Int) {
        rackAvailability[piece] -= 1
        if rackAvailability[piece] == 0 && !verified.contains(piece) { rackWanted -= 1 }
    }

    /// `piece` is ours now: the rack no longer holds it for us.
    mutating func rackPieceVerified(_ piece: Int) {
        if rackShare != nil && rackAvailability[piece] > 0 { rackWanted -= 1 }
    }
}
