import TorrentMetainfo
@testable import Tracker
import PeerWire
import TestSupport

/// A tracker state serving one torrent, a seeded generator, and a clock
/// origin: announces in tests read as one short line each.
struct StateHarness {
    static let torrent = Fixtures.infoHash(0xF0)

    var state: TrackerState
    var generator: SplitMix64
    let t0 = ContinuousClock.now

    init(_ configuration: TrackerState.Configuration = .init(), seed: UInt64 = 1) {
        state = TrackerState(configuration: configuration)
        state.register(Self.torrent)
        generator = SplitMix64(seed: seed)
    }

    @discardableResult
    mutating func announce(
        _ peer: Character,
        from address: String = "10.0.0.1",
        port: UInt16 = 6881,
        left: Int64 = 1000,
        event: AnnounceRequest.Event = .none,
        numwant: Int? = nil,
        at offset: Duration = .zero,
        torrent: InfoHash = StateHarness.torrent
    ) -> AnnounceResult {
        announce(
            Fixtures.request(torrent, peer: peer, port: port, left: left, event: event, numwant: numwant),
            from: address, at: offset)
    }

    @discardableResult
    mutating func announce(_ request: AnnounceRequest, from address: String, at offset: Duration = .zero) -> AnnounceResult {
        state.announce(request, from: Fixtures.address(address), now: t0 + offset, using: &generator)
    }

    var livePeers: [PeerID] {
        state.peers(of: Self.torrent).map(\.peerID)
    }

    var completedPeers: [PeerID] {
        state.completedPeers(of: Self.torrent).map(\.peerID)
    }
}

extension Fixtures {
    static func peerIDs(_ letters: String) -> [PeerID] {
        letters.map { peerID($0) }
    }
}
