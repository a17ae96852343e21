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
        guard swarms[request.infoHash] != nil else {
            return .failure(TrackerError(.unknownTorrent(request.infoHash)))
        }
        expire(request.infoHash, now: now)
        var swarm = swarms[request.infoHash]!
        defer { swarms[request.infoHash] = swarm }

        let endpoint = PeerEndpoint(address: address, port: request.port)
        if let known = swarm.peers[request.peerID], known.endpoint.address != address {
            return .failure(TrackerError(.peerIDElsewhere(request.peerID.description)))
        }
        if request.event == .stopped {
            swarm.peers[request.peerID] = nil
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
        swarm.peers[request.peerID] = peer
        // BEP 3 sends `completed` once; a peer that starts with the whole
        // payload (a seeder, or a restart after finishing) never sends it,
        // so `left == 0` counts too. The first completion time is kept.
        if (request.event == .completed || request.left == 0) && swarm.completions[request.peerID] == nil {
            swarm.completions[request.peerID] = Completion(peerID: request.peerID, endpoint: endpoint, at: now)
        }

        let wanted = min(max(request.numwant ?? configuration.defaultNumwant, 0), configuration.maximumNumwant)
        var candidates = swarm.peers.values.filter { other in
            other.peerID != request.peerID && !(peer.isComplete && other.isComplete)
        }
        // Dictionary order differs from run to run; sorting first makes the
        // choice depend only on the generator.
        candidates.sort { $0.peerID.bytes.lexicographicallyPrecedes($1.peerID.bytes) }
        let chosen = Self.sample(candidates, count: wanted, using: &generator)
        let peers = chosen.map { AnnouncedPeer(peerID: $0.peerID, endpoint: $0.endpoint) }
        return .success(response(for: swarm, peers: peers))
    }

    private func response(for swarm: Swarm, peers: [AnnouncedPeer]) -> AnnounceResponse {
        let complete = swarm.peers.values.count(where: \.isComplete)
        return AnnounceResponse(
            interval: configuration.interval,
            minInterval: configuration.minInterval,
            complete: complete,
            incomplete: swarm.peers.count - complete,
            peers: peers
        )
    }

    /// `count` elements drawn without replacement (a partial Fisher-Yates
    /// shuffle), in the order drawn.
    static func sample<Element>(
        _ elements: [Element], count: Int, using generator: inout some RandomNumberGenerator
    ) -> [Element] {
        var pool = elements
        let taken = min(count, pool.count)
        for index in 0..<taken {
            let pick = Int.random(in: index..<pool.count, using: &generator)
            pool.swapAt(index, pick)
        }
        return Array(pool.prefix(taken))
    }
}
