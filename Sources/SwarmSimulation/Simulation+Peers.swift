import Swarm
import TorrentMetainfo
import Tracker

/// Peers finding each other (the tracker), connecting, leaving, and choking.
extension Simulation {
    /// Where `node` sits as `viewer` sees it.
    func place(of node: Int, from viewer: Int) -> PeerPlace {
        nodes[node].rack < 0 ? .unplaced : nodes[node].rack == nodes[viewer].rack ? .rackMate(index: seat(of: node)) : .otherRack
    }

    /// A host's seat in its rack: hosts are dealt to racks in turn (host i to rack (i-1) mod R,
    /// see `Simulation.init`), so its seat is its round.
    func seat(of node: Int) -> Int {
        (node - 1) / scenario.racks
    }

    /// One announce, as `TrackerAnnouncer` sends it; every peer returned is connected to.
    func announce(_ node: Int, event: AnnounceRequest.Event) {
        let verified = nodes[node].picker.verifiedPieces.count
        let left = nodes[node].completedAt != nil || node == Self.seeder
            ? 0 : scenario.size - Int64(verified) * Int64(layout.pieceLength)
        let request = AnnounceRequest(
            infoHash: infoHash, peerID: nodes[node].peerID, port: 6881,
            uploaded: nodes[node].uploaded, downloaded: nodes[node].downloaded, left: max(0, left),
            event: event, numwant: scenario.swarm.numwant)
        let answer = tracker.announce(request, from: nodes[node].address, now: instant(now), using: &random)
        if event != .completed {
            events.schedule(.announce(node), at: now + scenario.tracker.interval)
        }
        guard case .success(let response) = answer else { return }
        for peer in response.peers {
            guard let other = nodeByAddress[peer.endpoint.address] else { continue }
            connect(node, other)
        }
    }

    /// Opens a connection unless one is open, either side is full, or the other side does not
    /// answer (a frozen host never finishes the handshake). Both sides send what they have.
    func connect(_ a: Int, _ b: Int) {
        guard a != b, nodes[a].outbound[b] == nil,
            nodes[a].state == .running, nodes[b].state == .running,
            nodes[a].outbound.count < scenario.swarm.maxConnections,
            nodes[b].outbound.count < scenario.swarm.maxConnections
        else { return }
        counters.connections += 1
        let ab = openDirection(from: a, to: b)
        let ba = openDirection(from: b, to: a)
        nodes[a].outbound[b] = ab
        nodes[b].inbound[a] = ab
        nodes[b].outbound[a] = ba
        nodes[a].inbound[b] = ba
        nodes[a].neighbors.append(b)
        nodes[b].neighbors.append(a)
        nodes[a].picker.peerConnected(key(b), place: place(of: b, from: a))
        nodes[b].picker.peerConnected(key(a), place: place(of: a, from: b))
        if a == Self.seeder || b == Self.seeder {
            let peer = a == Self.seeder ? b : a
            planner.peerConnected(key(peer))
            nodes[peer].reportedPieceAt = max(nodes[peer].reportedPieceAt, now)
        }
        sendBitfield(from: a, to: b)
        sendBitfield(from: b, to: a)
    }

    private func openDirection(from uploader: Int, to downloader: Int) -> Int {
        var path = [nodes[uploader].upLink]
        let fromRack = nodes[uploader].rack
        let toRack = nodes[downloader].rack
        if fromRack != toRack {
            if fromRack >= 0 { path.append(rackLinks[fromRack].up) }
            let fromDatacenter = nodes[uploader].datacenter
            let toDatacenter = nodes[downloader].datacenter
            if fromDatacenter != toDatacenter, fromDatacenter >= 0, toDatacenter >= 0 {
                path.append(datacenterLinks[fromDatacenter].up)
                path.append(datacenterLinks[toDatacenter].down)
            }
            if toRack >= 0 { path.append(rackLinks[toRack].down) }
        }
        path.append(nodes[downloader].downLink)
        let direction = Direction(
            uploader: uploader, downloader: downloader, path: path, chokeStateSince: now,
            liveness: PeerLiveness(settings: scenario.swarm.liveness, isOwnKind: true, now: .seconds(now)),
            pipeline: PipelineDepth(scenario.swarm.pipeline))
        directions.append(direction)
        isBusy.append(false)
        return directions.count - 1
    }

    /// BEP 3 bitfield (or BEP 6 have-all) from `from` to `to`; the super-seeder sends
    /// nothing and advertises a window instead.
    private func sendBitfield(from: Int, to: Int) {
        if from == Self.seeder {
            advertise(to: to)
            return
        }
        let have = nodes[from].picker.verifiedPieces
        if to == Self.seeder {
            try? planner.peerHasBitfield(key(from), have)
            advertise(to: from)
            return
        }
        if have.isFull {
            nodes[to].picker.peerHasAll(key(from))
        } else if !have.isEmpty {
            try? nodes[to].picker.peerHasBitfield(key(from), have)
        }
        updateInterest(of: to, in: from)
    }

    /// Closes the connection between `a` and `b` at both ends: requests to either reopen.
    func disconnect(_ a: Int, _ b: Int) {
        guard let ab = nodes[a].outbound[b], let ba = nodes[b].outbound[a] else { return }
        for (uploader, downloader, direction) in [(a, b, ab), (b, a, ba)] {
            directions[direction].isOpen = false
            directions[direction].queue = []
            directions[direction].head = 0
            nodes[uploader].outbound[downloader] = nil
            nodes[downloader].inbound[uploader] = nil
            nodes[downloader].picker.peerDisconnected(key(uploader))
            nodes[uploader].chokerDue = true
        }
        nodes[a].neighbors.removeAll { $0 == b }
        nodes[b].neighbors.removeAll { $0 == a }
        if a == Self.seeder || b == Self.seeder {
            planner.peerDisconnected(key(a == Self.seeder ? b : a))
            advertiseToAll()
        }
        // The blocks asked of the other side go to the remaining peers.
        for node in [a, b] where nodes[node].state == .running {
            for uploader in nodes[node].neighbors { requestMore(node, from: uploader) }
        }
    }

    /// Sends `interested` or `not interested` when that changed; the uploader's choker runs.
    func updateInterest(of downloader: Int, in uploader: Int) {
        guard let direction = nodes[uploader].outbound[downloader] else { return }
        let wanted = nodes[downloader].completedAt == nil && downloader != Self.seeder
            && nodes[downloader].picker.wantsPieces(from: key(uploader))
        guard wanted != directions[direction].interested else { return }
        directions[direction].interested = wanted
        nodes[uploader].chokerDue = true
    }

    /// Runs the choker of every node whose peers' interest changed (or that rotates on a tick).
    func runDueChokers() {
        for node in nodes.indices where nodes[node].chokerDue {
            nodes[node].chokerDue = false
            guard nodes[node].state == .running else { continue }
            runChoker(node)
        }
    }

    func runChoker(_ uploader: Int) {
        let choker = Choker(maxUnchoked: scenario.swarm.maxUnchoked)
        let outbound = nodes[uploader].outbound
        let snapshot = nodes[uploader].neighbors.map { downloader in
            let direction = directions[outbound[downloader]!]
            return ChokerPeer(
                key: key(downloader), isInterested: direction.interested, isUnchoked: !direction.choked,
                since: .seconds(direction.chokeStateSince), bytesSent: direction.bytes,
                isSeed: nodes[downloader].completedAt != nil)
        }
        let decision = choker.decide(snapshot, now: .seconds(now))
        for peer in decision.toChoke {
            let downloader = Int(peer.rawValue)
            let direction = outbound[downloader]!
            directions[direction].choked = true
            directions[direction].chokeStateSince = now
            directions[direction].queue = []
            directions[direction].head = 0
            directions[direction].headSent = 0
            nodes[downloader].picker.peerChoked(key(uploader))
        }
        for peer in decision.toUnchoke {
            let downloader = Int(peer.rawValue)
            let direction = outbound[downloader]!
            directions[direction].choked = false
            directions[direction].chokeStateSince = now
            if !directions[direction].liveness.isSnubbed {
                nodes[downloader].picker.peerUnchoked(key(uploader))
                requestMore(downloader, from: uploader)
            }
        }
    }
}
