import TorrentMetainfo

/// The peers of one swarm, kept so that an announce costs about the same whether the swarm
/// holds ten peers or ten thousand: a dictionary finds a peer by id, and two dense arrays —
/// seeders and downloaders — let a random sample be drawn without looking at the others.
///
/// Every operation is deterministic: the arrays change only by appending and by moving the
/// last element into a removed one's place, so the same announces and the same random
/// numbers give the same answers.
struct SwarmPeers: Sendable {
    private(set) var byID: [PeerID: TrackerState.Peer] = [:]
    private var seeders: [PeerID] = []
    private var downloaders: [PeerID] = []
    /// Where each peer sits in its array.
    private var position: [PeerID: Int] = [:]
    /// The peers of each rack (see `PeerLocality`), dense like the arrays above; the
    /// unplaced ones under `unplacedKey`.
    private(set) var members: [PeerLocation: [PeerID]] = [:]
    private var memberPosition: [PeerID: Int] = [:]
    private var locations: [PeerID: PeerLocation] = [:]

    static let unplacedKey = PeerLocation(datacenter: nil, rack: nil)

    var count: Int { byID.count }
    var seederCount: Int { seeders.count }

    subscript(id: PeerID) -> TrackerState.Peer? { byID[id] }

    /// Where `id` sits; nil for a peer not in the swarm.
    func location(of id: PeerID) -> PeerLocation? { locations[id] }

    /// Adds `peer`, or replaces the entry with its id (moving it between seeders and
    /// downloaders when that changed), placed at `location` (nil: unplaced).
    mutating func update(_ peer: TrackerState.Peer, location: PeerLocation? = nil) {
        let place = location ?? Self.unplacedKey
        if let old = locations[peer.peerID], old != place { leave(peer.peerID, old) }
        if locations[peer.peerID] == nil {
            locations[peer.peerID] = place
            memberPosition[peer.peerID] = members[place, default: []].count
            members[place, default: []].append(peer.peerID)
        }
        if let old = byID[peer.peerID], old.isComplete != peer.isComplete {
            detach(peer.peerID, complete: old.isComplete)
        }
        if position[peer.peerID] == nil {
            if peer.isComplete {
                position[peer.peerID] = seeders.count
                seeders.append(peer.peerID)
            } else {
                position[peer.peerID] = downloaders.count
                downloaders.append(peer.peerID)
            }
        }
        byID[peer.peerID] = peer
    }

    mutating func remove(_ id: PeerID) {
        guard let peer = byID.removeValue(forKey: id) else { return }
        detach(id, complete: peer.isComplete)
        if let place = locations[id] { leave(id, place) }
    }

    /// Takes `id` out of its rack's members (the last one moves into its place).
    private mutating func leave(_ id: PeerID, _ place: PeerLocation) {
        locations[id] = nil
        guard let index = memberPosition.removeValue(forKey: id) else { return }
        let last = members[place]!.removeLast()
        if index < members[place]!.count {
            members[place]![index] = last
            memberPosition[last] = index
        }
        if members[place]!.isEmpty { members[place] = nil }
    }

    /// Removes every peer `isGone` says is gone, in the order they joined (a dictionary's
    /// order differs from one instance to the next; the dense arrays must not).
    mutating func removeAll(where isGone: (TrackerState.Peer) -> Bool) {
        let gone = (downloaders + seeders).filter { byID[$0].map(isGone) ?? false }
        for id in gone {
            remove(id)
        }
    }

    /// The racks in a repeatable order: by datacenter, then rack, unplaced last.
    var racks: [PeerLocation] {
        members.keys.sorted { ($0.datacenter ?? "\u{10FFFF}", $0.rack ?? "\u{10FFFF}") < ($1.datacenter ?? "\u{10FFFF}", $1.rack ?? "\u{10FFFF}") }
    }

    /// Up to `count` peers drawn at random without replacement, never `excluded` nor peers
    /// `isUsable` rejects, from the downloaders only or from everyone.
    func sample(
        _ count: Int, excluding excluded: PeerID, downloadersOnly: Bool,
        isUsable: (TrackerState.Peer) -> Bool, using generator: inout some RandomNumberGenerator
    ) -> [TrackerState.Peer] {
        Self.draw(count, from: downloadersOnly ? [downloaders] : [downloaders, seeders], byID: byID, using: &generator) { peer in
            peer.peerID != excluded && isUsable(peer)
        }
    }

    /// Up to `count` distinct peers from the concatenation of `groups` that `accept` takes,
    /// at random. Many candidates: random positions, found group by group without joining
    /// the groups (a datacenter of 10,000 hosts costs a few hundred steps, not 10,000).
    static func draw(
        _ count: Int, from groups: [[PeerID]], byID: [PeerID: TrackerState.Peer],
        using generator: inout some RandomNumberGenerator, where accept: (TrackerState.Peer) -> Bool
    ) -> [TrackerState.Peer] {
        let total = groups.reduce(0) { $0 + $1.count }
        guard count > 0, total > 0 else { return [] }
        var chosen: [TrackerState.Peer] = []
        if count * 4 < total {
            var seen: Set<Int> = []
            var draws = 0
            while chosen.count < count, draws < count * 8 {
                draws += 1
                var index = Int.random(in: 0..<total, using: &generator)
                guard seen.insert(index).inserted else { continue }
                var group = 0
                while index >= groups[group].count {
                    index -= groups[group].count
                    group += 1
                }
                guard let peer = byID[groups[group][index]], accept(peer) else { continue }
                chosen.append(peer)
            }
            if chosen.count == count { return chosen }
            chosen = []
        }
        var usable = groups.joined().compactMap { byID[$0] }.filter(accept)
        let taken = min(count, usable.count)
        for index in 0..<taken {
            usable.swapAt(index, Int.random(in: index..<usable.count, using: &generator))
        }
        return Array(usable.prefix(taken))
    }

    private mutating func detach(_ id: PeerID, complete: Bool) {
        guard let index = position.removeValue(forKey: id) else { return }
        if complete {
            let last = seeders.removeLast()
            if index < seeders.count {
                seeders[index] = last
                position[last] = index
            }
        } else {
            let last = downloaders.removeLast()
            if index < downloaders.count {
                downloaders[index] = last
                position[last] = index
            }
        }
    }
}
