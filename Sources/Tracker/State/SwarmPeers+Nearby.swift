import TorrentMetainfo

extension SwarmPeers {
    /// The peers for `asker` under `locality` (see `PeerLocality`): up to `count`, never the
    /// asker, never peers `isUsable` rejects, and for a peer with the whole payload only
    /// peers still downloading.
    func sampleNearby(
        _ count: Int, for asker: TrackerState.Peer, locality: PeerLocality,
        isUsable: (TrackerState.Peer) -> Bool, using generator: inout some RandomNumberGenerator
    ) -> [TrackerState.Peer] {
        guard count > 0 else { return [] }
        var taken: Set<PeerID> = [asker.peerID]
        var chosen: [TrackerState.Peer] = []
        let here = location(of: asker.peerID)
        let onlyDownloaders = asker.isComplete
        // Up to `limit` more from the members of `racks`, at random.
        func take(from racks: [PeerLocation], _ limit: Int) {
            let wanted = min(limit, count - chosen.count)
            guard wanted > 0 else { return }
            let groups = racks.compactMap { members[$0] }
            for peer in Self.draw(wanted, from: groups, byID: byID, using: &generator, where: { peer in
                !taken.contains(peer.peerID) && isUsable(peer) && (!onlyDownloaders || !peer.isComplete)
            }) {
                taken.insert(peer.peerID)
                chosen.append(peer)
            }
        }

        guard let here, here.rack != nil || here.datacenter != nil, !asker.isComplete else {
            // Unplaced, or done: one peer from each rack in turn, racks in random order.
            var racks = Array(members.keys).filter { $0 != Self.unplacedKey }
            racks.shuffle(using: &generator)
            var round = 0
            while chosen.count < count, round < count {
                let before = chosen.count
                for rack in racks where chosen.count < count { take(from: [rack], 1) }
                if chosen.count == before { break }
                round += 1
            }
            take(from: [Self.unplacedKey], count)
            return chosen
        }
        let racks = Array(members.keys)
        take(from: [here], count - min(count, locality.otherRacks + locality.otherDatacenters + locality.unplaced))
        take(from: racks.filter { $0 != here && $0 != Self.unplacedKey && $0.datacenter == here.datacenter }, locality.otherRacks)
        take(from: racks.filter { $0 != Self.unplacedKey && $0.datacenter != here.datacenter }, locality.otherDatacenters)
        take(from: [Self.unplacedKey], locality.unplaced)
        return chosen
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
}
