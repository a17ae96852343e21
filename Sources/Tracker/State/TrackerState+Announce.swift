import TorrentMetainfo

extension TrackerState {
    /// Records one announce from `address` and picks the peers to send back.
    ///
    /// The peer is keyed by its peer id and listens on `address` at the
    /// request's port. An id belongs to the address that announced it first,
    /// until it stops or expires: an announce — `stopped` included — with
    /// that id from another address is refused, so nobody (not even a client
    /// that knows the push's secret) can remove or re-point another host. The answer holds at most `numwant` other peers (the
    /// configured default when absent, never above the maximum), chosen at
    /// random with `generator` so that peers see different parts of a large
    /// swarm. A seeder gets only peers still downloading: seeders have
    /// nothing to give each other.
    public mutating func announce(
        _ request: AnnounceRequest,
        from address: IPAddress,
        now: ContinuousClock.Instant,
        using generator: inout some RandomNumberGenerator
    ) -> AnnounceResult {
        // Moved out and back, so the swarm is changed in place rather than copied.
        guard var swarm = swarms.removeValue(forKey: request.infoHash) else {
            return .failure(TrackerError(.unknownTorrent(request.infoHash)))
        }
        defer { swarms[request.infoHash] = swarm }
        if swarm.lastExpiry.map({ now - $0 >= .seconds(1) }) ?? true {
            expire(&swarm, now: now)
        }
        let timeout = configuration.peerTimeout
        let isLive = { (peer: Peer) in now - peer.lastSeen <= timeout }

        let endpoint = PeerEndpoint(address: address, port: request.port)
        if let known = swarm.peers[request.peerID], isLive(known), known.endpoint.address != address {
            return .failure(TrackerError(.peerIDElsewhere(request.peerID.description)))
        }
        if request.event == .stopped {
            swarm.peers.remove(request.peerID)
            return .success(response(for: swarm, peers: []))
        }
        if swarm.peers[request.peerID] == nil && swarm.peers.count >= configuration.maximumPeersPerTorrent {
            return .failure(TrackerError(.swarmFull(request.infoHash, limit: configuration.maximumPeersPerTorrent)))
        }
        let peer = Peer(
            peerID: request.peerID,
            endpoint: endpoint,
            uploaded: request.uploaded,
            downloaded: request.downloaded,
            left: request.left,
            lastSeen: now
        )
        swarm.peers.update(peer, location: configuration.locality?.locations[address])
        // BEP 3 sends `completed` once; a peer that starts with the whole
        // payload (a seeder, or a restart after finishing) never sends it,
        // so `left == 0` counts too. The first completion time is kept.
        if (request.event == .completed || request.left == 0) && swarm.completions[request.peerID] == nil {
            swarm.completions[request.peerID] = Completion(peerID: request.peerID, endpoint: endpoint, at: now)
        }

        let wanted = min(max(request.numwant ?? configuration.defaultNumwant, 0), configuration.maximumNumwant)
        // A seeder gets downloaders only; nobody gets peers that have gone silent.
        let chosen = if let locality = configuration.locality {
            swarm.peers.sampleNearby(wanted, for: peer, locality: locality, isUsable: isLive, using: &generator)
        } else {
            swarm.peers.sample(
                wanted, excluding: request.peerID, downloadersOnly: peer.isComplete, isUsable: isLive, using: &generator)
        }
        let peers = chosen.map { AnnouncedPeer(peerID: $0.peerID, endpoint: $0.endpoint) }
        return .success(response(for: swarm, peers: peers))
    }

    private func response(for swarm: Swarm, peers: [AnnouncedPeer]) -> AnnounceResponse {
        let complete = swarm.peers.seederCount
        return AnnounceResponse(
            interval: configuration.interval,
            minInterval: configuration.minInterval,
            complete: complete,
            incomplete: swarm.peers.count - complete,
            peers: peers
        )
    }
}
