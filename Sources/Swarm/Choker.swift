/// Data-center choking: every host cooperates, so there is no tit-for-tat
/// and no optimistic unchoke. Every interested peer that is not a seed is
/// unchoked, up to `maxUnchoked`; the limit only protects the uplink from
/// being split so thin that nobody's pipeline fills.
///
/// Decisions are stable: an unchoked peer stays unchoked while it is
/// interested, because a choke throws away its pipeline of requests. When
/// more peers wait than there are slots, each round swaps at most
/// `rotationsPerRound` peers that held a slot for `minimumUnchokeTime`
/// (most data received first) for the peers waiting longest.
///
/// Run it whenever a peer's interest changes and on a timer (for rotation).
public struct Choker: Hashable, Sendable {
    public var maxUnchoked: Int
    public var rotationsPerRound: Int
    public var minimumUnchokeTime: Duration

    public init(maxUnchoked: Int = 64, rotationsPerRound: Int = 4, minimumUnchokeTime: Duration = .seconds(20)) {
        precondition(maxUnchoked >= 0 && rotationsPerRound >= 0, "choker limits cannot be negative")
        self.maxUnchoked = maxUnchoked
        self.rotationsPerRound = rotationsPerRound
        self.minimumUnchokeTime = minimumUnchokeTime
    }

    public func decide(_ peers: [ChokerPeer], now: Duration) -> ChokeDecision {
        let eligible = peers.filter { $0.isInterested && !$0.isSeed }
        // Longest served first: these give up their slot first.
        var kept = eligible.filter(\.isUnchoked).sorted { ($0.since, $0.key) < ($1.since, $1.key) }
        // Longest waiting first.
        var waiting = eligible.filter { !$0.isUnchoked }.sorted { ($0.since, $0.key) < ($1.since, $1.key) }[...]

        if kept.count > maxUnchoked {
            kept.removeFirst(kept.count - maxUnchoked)
        }
        var admitted = Array(waiting.prefix(maxUnchoked - kept.count))
        waiting = waiting.dropFirst(admitted.count)

        if !waiting.isEmpty {
            let rotatable = kept.filter { now - $0.since >= minimumUnchokeTime }
                .sorted { ($1.bytesSent, $0.since, $0.key) < ($0.bytesSent, $1.since, $1.key) }
            let swaps = min(rotationsPerRound, waiting.count, rotatable.count)
            let leaving = Set(rotatable.prefix(swaps).map(\.key))
            kept.removeAll { leaving.contains($0.key) }
            admitted += waiting.prefix(swaps)
        }

        let unchoked = Set(kept.map(\.key) + admitted.map(\.key))
        let toChoke = peers.filter { $0.isUnchoked && !unchoked.contains($0.key) }.map(\.key).sorted()
        return ChokeDecision(unchoked: unchoked, toUnchoke: admitted.map(\.key), toChoke: toChoke)
    }
}
