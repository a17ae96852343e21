extension PiecePicker {
    /// Blocks to request from `peer` now, keeping its outstanding requests at
    /// or below `maxOutstanding` (its pipeline depth, see `PipelineDepth`).
    ///
    /// Order: open blocks of priority pieces (`setPriorityPieces`), then of
    /// other pieces already started (finish what is started,
    /// so pieces complete and spread sooner), then new pieces rarest first
    /// with ties broken by `generator`, then — in endgame only, and only while
    /// the peer has fewer than `endgameQueueLimit` requests out — blocks
    /// already requested from others, each from at most
    /// `maximumDuplicateRequests` extra peers. The blocks are recorded as
    /// requested from `peer`; send them all.
    public mutating func nextRequests(
        for peer: PeerKey,
        maxOutstanding: Int,
        using generator: inout some RandomNumberGenerator
    ) -> [BlockSpec] {
        let current = record(peer)
        var budget = maxOutstanding - current.requests.count
        guard !current.isChoking, budget > 0 else { return [] }
        var picked: [BlockSpec] = []
        // Outside our rack, only what this host is to bring in (see `RackShare`).
        let outside = outsideRule(for: current)
        let mayAsk = { (piece: Int) in current.have.contains(piece) && outside?.allows(piece) != false }

        if !priorityPieces.isEmpty {
            priorityPieces.removeAll { states[$0] == .verified }
            for piece in priorityPieces where budget > 0 && mayAsk(piece) {
                if states[piece] == .missing {
                    active[piece] = ActivePiece(blockCount: layout.blockCount(inPiece: piece))
                }
                requestOpenBlocks(of: piece, from: peer, budget: &budget, into: &picked)
            }
        }
        for piece in openPieces.elements where budget > 0 && mayAsk(piece) {
            requestOpenBlocks(of: piece, from: peer, budget: &budget, into: &picked)
        }
        if budget > 0 {
            let pieces = rarestPieces(isSeed: current.isSeed, blockBudget: budget, where: mayAsk, using: &generator)
            for piece in pieces {
                active[piece] = ActivePiece(blockCount: layout.blockCount(inPiece: piece))
                requestOpenBlocks(of: piece, from: peer, budget: &budget, into: &picked)
                if budget == 0 { break }
            }
        }
        if budget > 0 && isEndgame {
            var duplicateBudget = min(budget, endgameQueueLimit - current.requests.count - picked.count)
            if duplicateBudget > 0 {
                requestDuplicates(from: peer, where: mayAsk, budget: &duplicateBudget, into: &picked)
            }
        }
        peers[peer]!.requests.formUnion(picked)
        return picked
    }

    private mutating func requestOpenBlocks(
        of piece: Int,
        from peer: PeerKey,
        budget: inout Int,
        into picked: inout [BlockSpec]
    ) {
        guard var blocks = active.removeValue(forKey: piece) else { return }
        for index in blocks.slots.indices where budget > 0 && blocks.slots[index] == .open {
            blocks.request(index, from: peer)
            picked.append(layout.block(index, inPiece: piece))
            budget -= 1
        }
        active[piece] = blocks
        refresh(piece)
    }

    /// Missing pieces `mayAsk` accepts, rarest first, enough to fill
    /// `blockBudget` blocks. Within one availability the walk starts at a
    /// random place, so peers asking at the same moment start different pieces.
    private func rarestPieces(
        isSeed: Bool,
        blockBudget: Int,
        where mayAsk: (Int) -> Bool,
        using generator: inout some RandomNumberGenerator
    ) -> [Int] {
        var pieces: [Int] = []
        var blocks = 0
        // Bucket 0 holds pieces only seeds have: only a seed can have any of them.
        let firstLevel = isSeed ? 0 : 1
        for level in buckets.buckets.indices.dropFirst(firstLevel) {
            let bucket = buckets.buckets[level]
            guard !bucket.isEmpty else { continue }
            let start = Int.random(in: 0..<bucket.count, using: &generator)
            for step in 0..<bucket.count {
                let piece = Int(bucket[(start + step) % bucket.count])
                guard mayAsk(piece) else { continue }
                pieces.append(piece)
                blocks += layout.blockCount(inPiece: piece)
                if blocks >= blockBudget { return pieces }
            }
        }
        return pieces
    }

    /// Endgame: ask `peer` for blocks others hold, fewest holders first.
    private mutating func requestDuplicates(
        from peer: PeerKey,
        where mayAsk: (Int) -> Bool,
        budget: inout Int,
        into picked: inout [BlockSpec]
    ) {
        let candidates = active.keys.filter { states[$0] == .requested && mayAsk($0) }.sorted()
        guard maximumDuplicateRequests > 0, !candidates.isEmpty else { return }
        for holderCount in 1...maximumDuplicateRequests {
            for piece in candidates {
                var blocks = active.removeValue(forKey: piece)!
                for index in blocks.slots.indices where budget > 0 {
                    guard case .requested(let holders) = blocks.slots[index],
                        holders.count == holderCount, !holders.contains(peer)
                    else { continue }
                    blocks.request(index, from: peer)
                    picked.append(layout.block(index, inPiece: piece))
                    budget -= 1
                    enteredEndgame = true
                }
                active[piece] = blocks
                if budget == 0 { return }
            }
        }
    }
}

extension PiecePicker {
    /// Strict priority: these pieces are requested before any other, in
    /// this order, from peers that have them (e.g. the start of an archive,
    /// so extraction can begin early). Rarest first resumes for everything
    /// else. Replaces any earlier list; verified pieces drop out of it.
    public mutating func setPriorityPieces(_ pieces: [Int]) throws(SwarmError) {
        var seen: Set<Int> = []
        var list: [Int] = []
        for piece in pieces {
            try layout.checkPiece(piece)
            if seen.insert(piece).inserted && states[piece] != .verified {
                list.append(piece)
            }
        }
        priorityPieces = list
    }
}
