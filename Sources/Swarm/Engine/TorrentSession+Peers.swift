import Logging
import NIOCore
import PeerWire
import TorrentMetainfo
import Tracker

/// Peers arriving and leaving: the session's side of every handshake and disconnect.
extension TorrentSession {
    /// A peer finished the handshake. Returns its key, or nil when the connection must close
    /// (ourselves, a banned or duplicate peer, or too many connections).
    func peerReady(channel: Channel, handshake: Handshake) -> PeerKey? {
        eventLoop.preconditionInEventLoop()
        if let refusal = refusal(of: handshake.peerID) {
            logger.debug("refused peer \(channel.remoteAddress?.description ?? "?"): \(refusal)")
            return nil
        }

        let key = PeerKey(nextKey)
        nextKey += 1
        let host = channel.remoteAddress?.ipAddress ?? "?"
        let ownKind = handshake.peerID.isSwarmdeploy
        let peer = PeerConnection(
            key: key, channel: channel, remoteID: handshake.peerID,
            host: host, port: channel.remoteAddress?.port ?? 0,
            fastExtension: handshake.supportsFastExtension,
            pipeline: ownKind ? configuration.pipeline : configuration.pipeline.forOtherClients,
            liveness: PeerLiveness(settings: configuration.liveness, isOwnKind: ownKind, now: now)
        )
        peer.chokeStateSince = now
        peer.reportedPieceAt = now
        logger.debug("peer connected", metadata: ["peer": "\(peer.address)", "id": "\(handshake.peerID)"])
        peers[key] = peer
        knownIDs[key] = handshake.peerID
        picker.peerConnected(key, place: configuration.rackPlacement?.place(of: host) ?? .unplaced)
        planner?.peerConnected(key)

        // BEP 3: the bitfield "may only be sent as the first message"; a super-seeder sends
        // none and advertises pieces one window at a time with `have` instead.
        if planner == nil, !picker.verifiedPieces.isEmpty {
            peer.send(.bitfield(Bitfield(picker.verifiedPieces)))
        }
        // The bitfield covers every piece verified so far.
        peer.announced = verifiedOrder.count
        advertise(to: peer)
        flushSoon(peer)
        return key
    }

    /// Whether an inbound connection from `address` may begin at all (see
    /// `SwarmConfiguration.admittedAddresses`).
    func admits(_ address: String) -> Bool {
        eventLoop.preconditionInEventLoop()
        guard let admittedAddresses else { return true }
        guard let parsed = IPAddress(address), admittedAddresses.contains(parsed) else {
            logger.debug("refused a connection from \(address): not one of the push's hosts")
            return false
        }
        return true
    }

    /// The node is about to connect to `address`: connections from it are admitted too.
    func admit(_ address: String) {
        eventLoop.preconditionInEventLoop()
        if admittedAddresses != nil, let parsed = IPAddress(address) {
            admittedAddresses?.insert(parsed)
        }
    }

    /// An inbound connection from `address` begins its handshake; false when it must close
    /// at once (too many handshakes pending, in all or from that address).
    func handshakeStarted(from address: String) -> Bool {
        eventLoop.preconditionInEventLoop()
        let fromAddress = pendingHandshakes[address, default: 0]
        guard pendingHandshakeCount < configuration.maxPendingHandshakes,
            fromAddress < configuration.maxPendingHandshakesPerAddress
        else {
            logger.debug("refused a connection from \(address): \(pendingHandshakeCount) handshakes pending, \(fromAddress) from it")
            return false
        }
        pendingHandshakes[address] = fromAddress + 1
        pendingHandshakeCount += 1
        return true
    }

    /// A handshake `handshakeStarted` admitted is over (done, failed or timed out).
    func handshakeEnded(from address: String) {
        eventLoop.preconditionInEventLoop()
        guard let count = pendingHandshakes[address] else { return }
        pendingHandshakes[address] = count > 1 ? count - 1 : nil
        pendingHandshakeCount -= 1
    }

    /// Why a peer that completed the handshake may not stay, or nil when it may.
    private func refusal(of id: PeerID) -> String? {
        if isShuttingDown { return "shutting down" }
        if id == localID { return "it is this node" }
        if bannedIDs.contains(id) { return "banned" }
        if peers.count >= configuration.maxConnections { return "\(peers.count) connections already" }
        if peers.values.contains(where: { $0.remoteID == id }) { return "already connected" }
        return nil
    }

    func peerClosed(_ key: PeerKey) {
        eventLoop.preconditionInEventLoop()
        guard let closed = peers.removeValue(forKey: key) else { return }
        logger.debug("peer disconnected", metadata: ["peer": "\(closed.address)"])
        picker.peerDisconnected(key)
        planner?.peerDisconnected(key)
        // The blocks it held go back to the pool: give them to peers with room. A seeder's
        // pieces assigned to it (or held by it alone) are shown to others.
        advertiseToAll()
        for peer in peers.values where !peer.peerChoking {
            requestMore(from: peer)
            flushSoon(peer)
        }
        runChoker()
    }

    func close(_ peer: PeerConnection, reason: String) {
        logger.info("closing peer \(peer.address): \(reason)")
        peer.channel.close(promise: nil)
    }
}
