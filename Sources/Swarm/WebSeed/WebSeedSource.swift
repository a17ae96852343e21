import NIOCore
import NIOSSL

/// One web seed as this node's source of pieces: its connection, the request in flight and
/// how the seed has failed so far. Lives on the session's event loop; the session drives it
/// (`TorrentSession+WebSeed`).
final class WebSeedSource {
    /// The seed's key in the piece picker, as if it were a peer.
    let key: PeerKey
    /// Where requests go; a redirect changes it for the rest of the download.
    var seed: WebSeed
    let planner: WebSeedPlanner
    var channel: Channel?
    /// For an https:// seed: the TLS client context, made once.
    var tls: NIOSSLContext?
    /// Pieces of the request in flight; nil between requests.
    var run: Range<Int>?
    /// The byte expected next, the end of the requested range, and the end of the range the
    /// response announced (`Content-Range`), which may be shorter.
    var nextByte: Int64 = 0
    var runEnd: Int64 = 0
    var responseEnd: Int64 = 0
    /// The response's head arrived and its body is the requested range.
    var acceptingBody = false
    /// The current piece's bytes so far.
    var piece: ByteBuffer?
    /// The last sign of life of the request in flight, for its timeout.
    var lastActivity: Duration = .zero
    /// Requests that failed in a row (reset by a delivered piece), and when to try again.
    var failures = 0
    var retryAt: Duration = .zero
    var redirects = 0
    /// Which of `seed.addresses` to connect to next.
    var addressIndex = 0
    /// Given up on: the swarm goes on without it.
    var dropped = false
    /// Payload bytes received from it.
    var bytesReceived: Int64 = 0

    init(key: PeerKey, seed: WebSeed, planner: WebSeedPlanner) {
        self.key = key
        self.seed = seed
        self.planner = planner
    }
}

/// Which share of the pieces a host fetches from web seeds (see `WebSeedPlanner`): host
/// `rank` of `hosts`.
public struct WebSeedShare: Sendable, Hashable {
    public var rank: Int
    public var hosts: Int

    public init(rank: Int, hosts: Int) {
        precondition(hosts > 0 && (0..<hosts).contains(rank), "rank \(rank) is not one of \(hosts) hosts")
        self.rank = rank
        self.hosts = hosts
    }
}
