import Swarm

/// The session's tick (liveness of every connection, lost interest, choker rotation) and the
/// faults that strike hosts.
extension Simulation {
    /// What `TorrentSession.tick` does every `tickInterval`, at every running node.
    func tick() {
        let time = Duration.seconds(now)
        for node in nodes.indices where nodes[node].state == .running {
            var interested = 0
            for peer in nodes[node].neighbors {
                guard let index = nodes[node].inbound[peer] else { continue }
                // A live peer writes at least a keep-alive every few seconds.
                if nodes[peer].state == .running { directions[index].liveness.received(at: time) }
                let outstanding = node == Self.seeder ? 0 : nodes[node].picker.outstandingRequests(of: key(peer)).count
                let expectedWait = directions[index].pipeline.bytesPerSecond.map { rate in
                    Duration.seconds(Double(outstanding * layout.blockLength) / max(rate, 1))
                }
                let awaiting = node == Self.seeder && !planner.assigned(to: key(peer)).isEmpty
                let actions = directions[index].liveness.check(
                    at: time, outstanding: outstanding, expectedWait: expectedWait, awaitingRequests: awaiting)
                for action in actions {
                    carryOut(action, at: node, about: peer)
                }
                // Interest lost as pieces arrived from elsewhere.
                if nodes[node].outbound[peer] != nil && directions[index].interested {
                    updateInterest(of: node, in: peer)
                }
                if let out = nodes[node].outbound[peer], directions[out].interested { interested += 1 }
            }
            // More peers waiting than slots: the choker rotates them.
            if interested > scenario.swarm.maxUnchoked { nodes[node].chokerDue = true }
        }
        serveStarvedPeers()
    }

    /// The seeder's tail, as `TorrentSession` has it: a peer without a new piece for the
    /// patience is shown everything it lacks.
    private func serveStarvedPeers() {
        guard planner.allPiecesSentOnce else { return }
        let patience = scenario.swarm.starvationPatience.seconds
        for peer in nodes[Self.seeder].neighbors
        where nodes[peer].state == .running && nodes[peer].completedAt == nil && now - nodes[peer].reportedPieceAt >= patience {
            if planner.peerStarved(key(peer)) { advertise(to: peer) }
        }
    }

    private func carryOut(_ action: PeerLiveness.Action, at node: Int, about peer: Int) {
        switch action {
        case .sendKeepAlive:
            break
        case .snub:
            nodes[node].picker.peerChoked(key(peer))
            nodes[node].picker.peerStalled(key(peer))
            for other in nodes[node].neighbors where other != peer { requestMore(node, from: other) }
        case .unsnub:
            nodes[node].picker.peerResumed(key(peer))
            guard let index = nodes[peer].outbound[node], !directions[index].choked else { return }
            nodes[node].picker.peerUnchoked(key(peer))
            requestMore(node, from: peer)
        case .takeBackAdvertised:
            guard node == Self.seeder else { return }
            planner.peerStalled(key(peer))
            advertiseToAll()
        case .close:
            disconnect(node, peer)
        }
    }

    /// A fault strikes `node` now.
    func strike(_ node: Int, _ kind: FaultKind) {
        guard nodes[node].state == .running || nodes[node].state == .waiting else { return }
        switch kind {
        case .freeze:
            nodes[node].state = .frozen
            settle(node)
        case .vanish:
            for peer in nodes[node].neighbors { disconnect(node, peer) }
            nodes[node].state = .gone
            settle(node)
        case .crawl:
            let factor = scenario.faults.crawlFactor
            for link in [nodes[node].upLink, nodes[node].downLink] {
                sharing.capacity[Int(link)] = baseCapacity[Int(link)] * factor
            }
        }
    }
}
