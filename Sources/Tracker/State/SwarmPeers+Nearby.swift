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
            var racks = self.racks.filter { $0 != Self.unplacedKey }
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
        let racks = self.racks
        take(from: [here], count - min(count, locality.otherRacks + locality.otherDatacenters + locality.unplaced))
        take(from: racks.filter { $0 != here && $0 != Self.unplacedKey && $0.datacenter == here.datacenter }, locality.otherRacks)
        take(from: racks.filter { $0 != Self.unplacedKey && $0.datacenter != here.datacenter }, locality.otherDatacenters)
        take(from: [Self.unplacedKey], locality.unplaced)
        return chosen
    }
}
