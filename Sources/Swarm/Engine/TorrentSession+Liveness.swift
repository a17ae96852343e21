import Logging
import NIOCore
import PeerWire

/// The session's clock: every `tickInterval` each connection's liveness is checked, so a peer
/// that froze, lost its link or crawls costs the others seconds, not the whole download.
extension TorrentSession {
    /// Starts the ticks; they stop with the event loop.
    func startTicking() {
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        let interval = TimeAmount(configuration.tickInterval)
        eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { task in
            let session = session.value
            if session.isShuttingDown { task.cancel() } else { session.tick() }
        }
    }

    func tick() {
        let now = self.now
        for peer in Array(peers.values) {
            let outstanding = picker.outstandingRequests(of: peer.key).count
            let expectedWait = peer.pipeline.bytesPerSecond.map { rate in
                Duration.seconds(Double(outstanding * layout.blockLength) / max(rate, 1))
            }
            let awaiting = planner.map { !$0.assigned(to: peer.key).isEmpty } ?? false
            for action in peer.liveness.check(at: now, outstanding: outstanding, expectedWait: expectedWait, awaitingRequests: awaiting) {
                carryOut(action, for: peer)
            }
        }
        serveStarvedPeers(at: now)
        pumpWebSeeds()
    }

    /// A super-seeder's tail: a peer that has announced no new piece for the patience while it
    /// lacks some is not being served by the others (they banned it, cannot reach it, or left);
    /// the seeder shows it everything it lacks — or, on standby, first super-seeds the pieces
    /// the web seeds never brought (see `SuperSeedPlanner.peerStarved`).
    private func serveStarvedPeers(at now: Duration) {
        guard planner?.allPiecesSentOnce == true else { return }
        for peer in peers.values where now - peer.reportedPieceAt >= configuration.starvationPatience {
            guard planner!.peerStarved(peer.key) else { continue }
            guard planner!.allPiecesSentOnce else {
                logger.info("peer \(peer.address) announced no new piece for \(configuration.starvationPatience); the seeder sends the pieces no host has, once each")
                everyPieceLeftLogged = false
                advertiseToAll()
                return
            }
            logger.info("peer \(peer.address) announced no new piece for \(configuration.starvationPatience); the seeder serves it what it lacks")
            advertise(to: peer)
            flushSoon(peer)
        }
    }

    private func carryOut(_ action: PeerLiveness.Action, for peer: PeerConnection) {
        switch action {
        case .sendKeepAlive:
            peer.send(.keepAlive)
            flushSoon(peer)
        case .snub:
            let released = picker.peerChoked(peer.key)
            picker.peerStalled(peer.key)
            logger.info("peer \(peer.address) delivered nothing in time; \(released.count) requests go to others")
            for other in peers.values where other !== peer {
                requestMore(from: other)
                flushSoon(other)
            }
        case .unsnub:
            picker.peerResumed(peer.key)
            guard !peer.peerChoking else { return }
            picker.peerUnchoked(peer.key)
            requestMore(from: peer)
            flushSoon(peer)
        case .takeBackAdvertised:
            guard planner != nil else { return }
            let taken = planner!.peerStalled(peer.key)
            logger.info("peer \(peer.address) fetched none of \(taken.count) pieces shown to it; they go to others")
            advertiseToAll()
        case .close(let reason):
            close(peer, reason: reason)
        }
    }
}
