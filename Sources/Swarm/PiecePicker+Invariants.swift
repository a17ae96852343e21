extension PiecePicker {
    /// Checks every invariant in INVARIANTS.md against the whole state and
    /// describes each one broken (empty when all hold). O(pieces × peers):
    /// for tests and debugging, not for the transfer path.
    func invariantViolations() -> [String] {
        var problems: [String] = []
        var holdersSeen: [BlockSpec: Set<PeerKey>] = [:]
        var missing = 0

        for piece in 0..<layout.pieceCount {
            let state = states[piece]
            if (state == .verified) != verified.contains(piece) {
                problems.append("piece \(piece) is \(state) but verified=\(verified.contains(piece))")
            }
            if (state == .missing) != buckets.contains(piece) {
                problems.append("piece \(piece) is \(state) but bucketed=\(buckets.contains(piece))")
            }
            if (state == .partial) != openPieces.contains(piece) {
                problems.append("piece \(piece) is \(state) but open-listed=\(openPieces.contains(piece))")
            }
            if state == .missing { missing += 1 }
            let isActive = [.partial, .requested, .downloaded].contains(state)
            guard let blocks = active[piece] else {
                if isActive { problems.append("piece \(piece) is \(state) without block state") }
                continue
            }
            if !isActive { problems.append("piece \(piece) is \(state) but has block state") }
            let open = blocks.slots.filter { $0 == .open }.count
            let received = blocks.slots.filter { $0 == .received }.count
            let expected: PieceState =
                received == blocks.slots.count ? .downloaded : open > 0 ? .partial : .requested
            if open != blocks.openCount || received != blocks.receivedCount {
                problems.append("piece \(piece) block counts are stale")
            }
            if open == blocks.slots.count || expected != state {
                problems.append("piece \(piece) is \(state) but its blocks say \(expected)")
            }
            for (index, slot) in blocks.slots.enumerated() {
                guard case .requested(let holders) = slot else { continue }
                let block = layout.block(index, inPiece: piece)
                let distinct = Set(holders)
                if distinct.count != holders.count || holders.isEmpty {
                    problems.append("\(block) has holders \(holders)")
                }
                if holders.count > 1 + maximumDuplicateRequests || (holders.count > 1 && !enteredEndgame) {
                    problems.append("\(block) is requested from \(holders.count) peers")
                }
                holdersSeen[block] = distinct
            }
        }
        if missing != missingCount {
            problems.append("missing count \(missingCount), actually \(missing)")
        }

        var seeds = 0
        var nonSeedAvailability = Array(repeating: 0, count: layout.pieceCount)
        var requestsSeen: [BlockSpec: Set<PeerKey>] = [:]
        for (peer, record) in peers {
            if record.isSeed {
                seeds += 1
                if !record.have.isFull { problems.append("\(peer) counted as seed without every piece") }
            } else {
                if record.have.isFull { problems.append("\(peer) has every piece but is not counted as a seed") }
                for piece in record.have { nonSeedAvailability[piece] += 1 }
            }
            for block in record.requests {
                requestsSeen[block, default: []].insert(peer)
                if !record.have.contains(block.piece) {
                    problems.append("\(block) is requested from \(peer), which does not have the piece")
                }
            }
        }
        if seeds != seedCount { problems.append("seed count \(seedCount), actually \(seeds)") }
        for piece in 0..<layout.pieceCount where Int(buckets.availability[piece]) != nonSeedAvailability[piece] {
            problems.append("piece \(piece) availability \(buckets.availability[piece]), actually \(nonSeedAvailability[piece])")
        }
        if requestsSeen != holdersSeen {
            problems.append("peers' request lists and block holders disagree")
        }
        problems += rackViolations()
        return problems
    }

    /// Rule 29's counters against the peers' bitfields.
    private func rackViolations() -> [String] {
        guard rackShare != nil else {
            let placed = peers.filter { $0.value.place != .unplaced }.map(\.key)
            return placed.isEmpty ? [] : ["peers \(placed.sorted()) are placed without a rack share"]
        }
        var problems: [String] = []
        var counted = Array(repeating: Int32(0), count: layout.pieceCount)
        var seeds = 0
        var owners = Array(repeating: Int32(0), count: rackOwners.count)
        for record in peers.values where record.countsInRack {
            if case .rackMate(let index) = record.place { owners[index] += 1 }
            if record.isSeed {
                seeds += 1
            } else {
                for piece in record.have { counted[piece] += 1 }
            }
        }
        if seeds != rackSeeds { problems.append("rack seed count \(rackSeeds), actually \(seeds)") }
        if counted != rackAvailability { problems.append("rack availability is stale") }
        if owners != rackOwners { problems.append("rack owners \(rackOwners), actually \(owners)") }
        let wanted = (0..<layout.pieceCount).filter { counted[$0] > 0 && !verified.contains($0) }.count
        if wanted != rackWanted { problems.append("rack wanted count \(rackWanted), actually \(wanted)") }
        return problems
    }
}
