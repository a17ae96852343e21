import NIOCore
import PeerWire
import TorrentMetainfo

/// What the session knows about one connected peer. Lives on the session's event loop.
final class PeerConnection {
    let key: PeerKey
    let channel: Channel
    let remoteID: PeerID
    /// "ip:port" of the remote end.
    let address: String
    /// BEP 6 is on (both handshakes set its bit): requests we do not serve are rejected,
    /// also those a choke drops.
    let fastExtension: Bool

    /// BEP 3: "Connections start out choked and not interested."
    var amChoking = true
    var amInterested = false
    var peerChoking = true
    var peerInterested = false
    /// Whether the peer has every piece (a seed does not need our data).
    var peerIsSeed = false
    /// When the choke state last changed, for the choker's rotation.
    var chokeStateSince: Duration = .zero

    /// Requests the peer made of us, served in order while the channel is writable.
    var inbound = InboundRequestQueue()
    /// Bytes of each piece sent to this peer, so the super-seeder learns when a piece has fully left.
    var sentOfPiece: [Int: Int] = [:]
    /// A read from disk is on its way to this peer; serve one block at a time from disk.
    var servingFromDisk = false

    /// Requests to keep outstanding with this peer, from the rate it delivers.
    var pipeline: PipelineDepth
    var bytesDownloaded: Int64 = 0
    var bytesUploaded: Int64 = 0
    /// How many of the session's verified pieces (`TorrentSession.verifiedOrder`) this peer was told of.
    var announced = 0
    /// Written messages wait for the session's end-of-turn flush (see `TorrentSession.flushSoon`).
    var flushPending = false
    /// Something was written since the last flush: only then does the flush count as sending
    /// (a turn that only read from the peer writes nothing, and the keep-alive must still go).
    var wroteSinceFlush = false
    /// Idle, stalled, snubbed (see `TorrentSession.tick`).
    var liveness: PeerLiveness
    /// When the peer last announced a piece (or connected): a super-seeder's tail serves a peer
    /// that goes without one too long (see `SuperSeedPlanner.peerStarved`).
    var reportedPieceAt: Duration = .zero

    init(
        key: PeerKey, channel: Channel, remoteID: PeerID, host: String, port: Int, fastExtension: Bool,
        pipeline: PipelineDepth.Settings, liveness: PeerLiveness
    ) {
        self.liveness = liveness
        self.fastExtension = fastExtension
        self.key = key
        self.pipeline = PipelineDepth(pipeline)
        self.channel = channel
        self.remoteID = remoteID
        self.address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    func send(_ message: PeerMessage) {
        channel.write(PeerWireEvent.message(message), promise: nil)
        wroteSinceFlush = true
    }

    /// Hands what was written to the socket now. The session calls it once per event-loop
    /// turn; elsewhere use `TorrentSession.flushSoon`.
    func flush() {
        channel.flush()
    }
}
