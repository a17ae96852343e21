import TorrentMetainfo

/// What the controller asks: who is in a swarm and who has finished.
/// Call `expire(now:)` first for an up-to-date view of live peers.
extension TrackerState {
    /// Live peers of a torrent, sorted by peer id; empty when not registered.
    public func peers(of infoHash: InfoHash) -> [Peer] {
        (swarms[infoHash]?.peers.byID.values.map { $0 } ?? [])
            .sorted { $0.peerID.bytes.lexicographicallyPrecedes($1.peerID.bytes) }
    }

    public func peerCount(of infoHash: InfoHash) -> Int {
        swarms[infoHash]?.peers.count ?? 0
    }

    /// Every peer that has finished, live or not, in order of completion.
    public func completedPeers(of infoHash: InfoHash) -> [Completion] {
        (swarms[infoHash]?.completions.values.map { $0 } ?? []).sorted {
            $0.at != $1.at ? $0.at < $1.at : $0.peerID.bytes.lexicographicallyPrecedes($1.peerID.bytes)
        }
    }

    public func completedCount(of infoHash: InfoHash) -> Int {
        swarms[infoHash]?.completions.count ?? 0
    }

    /// The peers of `expected` that have not finished yet; empty means done.
    public func missingCompletions(of infoHash: InfoHash, expected: Set<PeerID>) -> Set<PeerID> {
        let completed = Set(swarms[infoHash]?.completions.keys.map { $0 } ?? [])
        return expected.subtracting(completed)
    }

    /// Whether every peer in `expected` has finished.
    public func allComplete(of infoHash: InfoHash, expected: Set<PeerID>) -> Bool {
        missingCompletions(of: infoHash, expected: expected).isEmpty
    }

    /// The addresses of `expected` from which no peer has finished yet, for a
    /// controller that knows its hosts by address rather than by peer id.
    public func missingCompletions(of infoHash: InfoHash, expectedAddresses: Set<IPAddress>) -> Set<IPAddress> {
        let completed = Set(swarms[infoHash]?.completions.values.map(\.endpoint.address) ?? [])
        return expectedAddresses.subtracting(completed)
    }
}
