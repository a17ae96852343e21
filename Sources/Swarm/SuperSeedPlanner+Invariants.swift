extension SuperSeedPlanner {
    /// Describes every broken invariant (empty when all hold); for tests.
    func invariantViolations() -> [String] {
        var problems: [String] = []
        for piece in 0..<pieceCount {
            let inPool = pool.contains(piece)
            let owner = assignee[piece]
            if released.contains(piece) {
                if inPool || owner != nil { problems.append("released piece \(piece) is still pooled or assigned") }
            } else {
                if inPool == (owner != nil) { problems.append("unreleased piece \(piece): pooled=\(inPool) owner=\(String(describing: owner))") }
                if sendCount[piece] != sendsLost[piece] { problems.append("piece \(piece) sent but not released") }
            }
            if !allPiecesSentOnce && sendCount[piece] > sendsLost[piece] + 1 {
                problems.append("piece \(piece) sent \(sendCount[piece]) times before every piece was sent once")
            }
            if let owner {
                if peers[owner]?.window.contains(piece) != true { problems.append("piece \(piece) owner \(owner) lacks it in its window") }
                if servableTo[piece] != owner { problems.append("piece \(piece) assigned to \(owner) but servable to another") }
            }
            if let target = servableTo[piece] {
                if sendCount[piece] != sendsLost[piece] { problems.append("sent piece \(piece) is still servable to \(target)") }
                if peers[target] != nil && peers[target]?.advertised.contains(piece) != true {
                    problems.append("piece \(piece) servable to \(target), which was never shown it")
                }
            }
        }
        for piece in orphans where !released.contains(piece) || isHeld(piece) {
            problems.append("orphan piece \(piece) is unreleased or held by a connected peer")
        }
        for (peer, plan) in peers {
            if plan.window.count > windowSize { problems.append("\(peer) window \(plan.window.count) > \(windowSize)") }
            for piece in plan.window where assignee[piece] != peer {
                problems.append("\(peer) window holds piece \(piece) owned by \(String(describing: assignee[piece]))")
            }
        }
        return problems
    }
}
