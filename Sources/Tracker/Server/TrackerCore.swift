import TorrentMetainfo

/// The one owner of the server's `TrackerState`. The clock and the random
/// source are read here, so the state itself stays pure.
actor TrackerCore {
    private var state: TrackerState
    private var generator = SystemRandomNumberGenerator()

    init(state: TrackerState) {
        self.state = state
    }

    func announce(_ request: AnnounceRequest, from address: IPAddress) -> AnnounceResult {
        state.announce(request, from: address, now: .now, using: &generator)
    }

    func register(_ infoHash: InfoHash) {
        state.register(infoHash)
    }

    func unregister(_ infoHash: InfoHash) {
        state.unregister(infoHash)
    }

    /// Runs a query against the state after expiring silent peers.
    func read<Result: Sendable>(_ body: @Sendable (TrackerState) -> Result) -> Result {
        state.expire(now: .now)
        return body(state)
    }
}
