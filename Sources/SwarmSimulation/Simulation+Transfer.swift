import Swarm

/// Requests, bytes on the links, pieces checked and announced, and the super-seeder's window.
extension Simulation {
    /// Tops up the downloader's requests to `uploader` to its pipeline depth, as
    /// `TorrentSession.requestMore` does. The uploader queues what it may serve; a
    /// super-seeder rejects what its planner refuses (BEP 6), and the downloader asks for
    /// something else.
    func requestMore(_ downloader: Int, from uploader: Int) {
        guard downloader != Self.seeder, nodes[downloader].state == .running, nodes[downloader].completedAt == nil,
            let index = nodes[uploader].outbound[downloader]
        else { return }
        guard !directions[index].choked, !directions[index].liveness.isSnubbed else { return }
        let waiting = !nodes[downloader].picker.outstandingRequests(of: key(uploader)).isEmpty
        let depth = max(1, (directions[index].pipeline.blocks * PieceLayout.wireBlockLength + layout.blockLength / 2) / layout.blockLength)
        let blocks = nodes[downloader].picker.nextRequests(for: key(uploader), maxOutstanding: depth, using: &random)
        guard !blocks.isEmpty else { return }
        if !waiting { directions[index].liveness.requestsStarted(at: .seconds(now)) }
        if let reverse = nodes[downloader].outbound[uploader] {
            directions[reverse].liveness.requestReceived(at: .seconds(now))
        }
        var queued = 0
        var refused = false
        for block in blocks {
            if uploader == Self.seeder && !planner.mayServe(block.piece, to: key(downloader)) {
                planner.requestRefused(block.piece, by: key(downloader))
                nodes[downloader].picker.requestReleased(block, from: key(uploader))
                nodes[downloader].picker.peerRefused(block.piece, from: key(uploader))
                refused = true
                continue
            }
            if directions[index].queued == 0 && queued == 0 {
                directions[index].readyAt = max(directions[index].readyAt, now + 2 * scenario.latency)
            }
            directions[index].queue.append(block)
            queued += 1
        }
        if queued > 0 && !isBusy[index] {
            isBusy[index] = true
            busy.append(index)
        }
        if refused {
            // Each refusal takes a piece off what the seeder shows this peer: this ends.
            updateInterest(of: downloader, in: uploader)
            requestMore(downloader, from: uploader)
        }
    }

    /// One step: share the links among the directions with queued blocks, then move bytes.
    func transfer(for step: Double) {
        var active: [Int] = []
        var links: [Int32] = []
        var starts: [Int32] = []
        var kept: [Int] = []
        for index in busy {
            // Field by field: copying a whole direction would copy its queue's reference counts.
            guard directions[index].isOpen, directions[index].queued > 0, !directions[index].choked else {
                isBusy[index] = false
                continue
            }
            kept.append(index)
            guard nodes[directions[index].uploader].state == .running, nodes[directions[index].downloader].state == .running,
                directions[index].readyAt < now + step, directions[index].stalledUntil <= now
            else { continue }
            active.append(index)
        }
        busy = kept
        // The links each active direction crosses, flow by flow, as `LinkSharing` and
        // `LinkTimeouts` take them.
        func collectPaths() {
            links.removeAll(keepingCapacity: true)
            starts.removeAll(keepingCapacity: true)
            starts.append(0)
            for index in active {
                links.append(contentsOf: directions[index].path)
                starts.append(Int32(links.count))
            }
        }
        collectPaths()
        if scenario.queueDelay != nil {
            let stalled = timeouts.excess(links: links, start: starts, using: &random)
            if !stalled.isEmpty {
                var isStalled = Array(repeating: false, count: active.count)
                for flow in stalled {
                    let index = active[flow]
                    directions[index].stalledUntil = now + LinkTimeouts.timeout(after: directions[index].timeouts)
                    directions[index].timeouts += 1
                    isStalled[flow] = true
                }
                active = active.indices.filter { !isStalled[$0] }.map { active[$0] }
                collectPaths()
            }
        }
        for index in active { directions[index].timeouts = 0 }
        counters.flowSteps += active.count
        var rates: [Double] = []
        sharing.rates(links: links, start: starts, into: &rates)
        for (flow, index) in active.enumerated() {
            let begin = max(now, directions[index].readyAt)
            move(bytes: rates[flow] * (now + step - begin), over: index, from: begin, rate: rates[flow])
        }
    }

    /// Sends up to `bytes` of the direction's queue, block by block, starting at `begin`.
    private func move(bytes: Double, over index: Int, from begin: Double, rate: Double) {
        var budget = bytes
        var spent = 0.0
        while budget > 0, directions[index].isOpen, !directions[index].choked, directions[index].queued > 0 {
            let block = directions[index].queue[directions[index].head]
            let need = Double(block.length - directions[index].headSent)
            guard budget >= need else {
                directions[index].headSent += Int(budget)
                return
            }
            budget -= need
            spent += need
            directions[index].head += 1
            directions[index].headSent = 0
            if directions[index].head > 64 && directions[index].head * 2 > directions[index].queue.count {
                directions[index].queue.removeFirst(directions[index].head)
                directions[index].head = 0
            }
            deliver(block, over: index, at: begin + spent / rate)
        }
    }

    /// A block reached the downloader: the picker records it, the seeder's planner learns of
    /// whole pieces sent, a whole piece goes to be checked, and the pipeline is topped up.
    private func deliver(_ block: BlockSpec, over index: Int, at time: Double) {
        let uploader = directions[index].uploader
        let downloader = directions[index].downloader
        let length = Int64(block.length)
        directions[index].bytes += length
        directions[index].pipeline.received(block.length, at: .seconds(time))
        directions[index].liveness.blockReceived(at: .seconds(time))
        directions[index].liveness.received(at: .seconds(time))
        nodes[uploader].uploaded += length
        nodes[downloader].downloaded += length
        let toRack = nodes[downloader].rack
        if toRack >= 0 && nodes[uploader].rack != toRack {
            counters.crossRackBytes += length
            counters.bytesIntoRack[toRack] += length
        }
        if nodes[downloader].datacenter >= 0 && nodes[uploader].datacenter >= 0
            && nodes[uploader].datacenter != nodes[downloader].datacenter
        {
            counters.crossDatacenterBytes += length
        }
        if uploader == Self.seeder {
            let sent = directions[index].sentOfPiece[block.piece, default: 0] + block.length
            if sent >= layout.length(ofPiece: block.piece) {
                directions[index].sentOfPiece[block.piece] = nil
                planner.pieceSent(block.piece, to: key(downloader))
                advertise(to: downloader)
                if planner.allPiecesSentOnce && !everyoneShownAll {
                    everyoneShownAll = true
                    advertiseToAll()
                }
            } else {
                directions[index].sentOfPiece[block.piece] = sent
            }
        }
        guard let receipt = try? nodes[downloader].picker.blockReceived(block, from: key(uploader)) else { return }
        for other in receipt.cancels {
            if let cancelled = nodes[Int(other.rawValue)].outbound[downloader] { cancel(block, in: cancelled) }
        }
        if receipt.outcome == .accepted {
            if receipt.pieceComplete {
                let length = Double(layout.length(ofPiece: block.piece))
                let start = max(time, nodes[downloader].hashFreeAt)
                let done = start + (scenario.hashRate.map { length / $0 } ?? 0)
                nodes[downloader].hashFreeAt = done
                events.schedule(.verified(node: downloader, piece: block.piece), at: done)
            }
        } else {
            nodes[downloader].duplicate += length
        }
        requestMore(downloader, from: uploader)
    }

    /// BEP 3 cancel: a queued block not yet being sent is dropped.
    private func cancel(_ block: BlockSpec, in index: Int) {
        let head = directions[index].head
        guard let position = directions[index].queue[head...].firstIndex(of: block) else { return }
        guard position != head || directions[index].headSent == 0 else { return }
        directions[index].queue.remove(at: position)
    }

    /// The piece passed its check at `node`: every peer is told (`have`), becomes interested
    /// if it lacks the piece, and asks for it if unchoked.
    func verified(_ piece: Int, at node: Int, time: Double) {
        guard nodes[node].picker.state(of: piece) == .downloaded else { return }
        nodes[node].picker.pieceVerified(piece)
        nodes[node].reportedPieceAt = time
        for neighbor in nodes[node].neighbors {
            guard nodes[neighbor].state == .running || nodes[neighbor].state == .frozen else { continue }
            if neighbor == Self.seeder {
                try? planner.peerHas(key(node), piece: piece)
                advertise(to: node)
                continue
            }
            guard nodes[neighbor].completedAt == nil else { continue }
            try? nodes[neighbor].picker.peerHas(key(node), piece: piece)
            let direction = nodes[node].outbound[neighbor]!
            if !directions[direction].interested && nodes[neighbor].picker.state(of: piece) != .verified {
                updateInterest(of: neighbor, in: node)
            }
            // Asked again only when the piece gives it something new to ask for: had the
            // neighbor room for more from this node before, nothing else it holds was wanted.
            if !directions[direction].choked && Self.mayAsk(for: piece, in: nodes[neighbor].picker) {
                requestMore(neighbor, from: node)
            }
        }
        guard nodes[node].picker.isComplete else { return }
        nodes[node].completedAt = time
        settle(node)
        for uploader in nodes[node].neighbors { updateInterest(of: node, in: uploader) }
        announce(node, event: .completed)
    }

    /// Whether a `have` of `piece` can lead the picker to new requests: the piece is not
    /// started or has open blocks, or (in endgame) may be asked of one more peer.
    static func mayAsk(for piece: Int, in picker: PiecePicker) -> Bool {
        switch picker.state(of: piece) {
        case .missing, .partial: true
        case .requested: picker.isEndgame
        case .downloaded, .verified: false
        }
    }

    /// The super-seeder shows `peer` the pieces its planner now lets it fetch.
    func advertise(to peer: Int) {
        guard let index = nodes[Self.seeder].outbound[peer], nodes[peer].completedAt == nil else { return }
        let pieces = planner.piecesToAdvertise(to: key(peer))
        guard !pieces.isEmpty else { return }
        if let reverse = nodes[peer].outbound[Self.seeder] {
            directions[reverse].liveness.advertised(at: .seconds(now))
        }
        for piece in pieces {
            try? nodes[peer].picker.peerHas(key(Self.seeder), piece: piece)
        }
        updateInterest(of: peer, in: Self.seeder)
        if !directions[index].choked { requestMore(peer, from: Self.seeder) }
    }

    func advertiseToAll() {
        for peer in nodes[Self.seeder].neighbors { advertise(to: peer) }
    }
}
