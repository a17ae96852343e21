import TorrentMetainfo

/// Everything that goes wrong in the tracker module: a malformed announce,
/// a refused announce, or a tracker that cannot be reached or answers badly.
///
/// Callers compare `kind`; `description` is the message for people and, on
/// the server side, the bencoded `failure reason` sent back to the client.
public struct TrackerError: Error, Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A required announce parameter is absent from the query.
        case missingParameter(String)
        /// An announce parameter is present but unusable.
        case invalidParameter(String, reason: String)
        /// An announce parameter appears more than once.
        case duplicateParameter(String)
        /// The query itself is malformed (bad percent escape, too long).
        case malformedQuery(String)
        /// The tracker does not serve this torrent.
        case unknownTorrent(InfoHash)
        /// The swarm already holds as many peers as the tracker accepts.
        case swarmFull(InfoHash, limit: Int)
        /// The peer id is registered from another address, which keeps it.
        case peerIDElsewhere(String)
        /// The request did not carry the deploy's secret.
        case wrongSecret
        /// The tracker answered with a `failure reason`.
        case trackerFailure(url: String, reason: String)
        /// The tracker's answer is not a valid announce response.
        case invalidResponse(url: String, reason: String)
        /// The tracker answered with an HTTP status other than 200, and the
        /// `failure reason` of its body when it sent one.
        case httpStatus(url: String, code: Int, reason: String?)
        /// The tracker did not answer in time.
        case timeout(url: String, seconds: Double)
        /// The connection could not be made or broke.
        case connectionFailed(url: String, reason: String)
        /// The announcing task was cancelled before the tracker answered.
        case cancelled(url: String)
        /// The announce URL is not one this client can use.
        case unsupportedURL(String, reason: String)
        /// Every tracker of every tier failed; one line per attempt.
        case allTrackersFailed([String])
        /// The server could not be started.
        case serverStartFailed(host: String, port: Int, reason: String)
    }

    public let kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
    }
}

extension TrackerError: CustomStringConvertible {
    public var description: String {
        switch kind {
        case .missingParameter(let name):
            "announce is missing the '\(name)' parameter; BEP 3 requires it"
        case .invalidParameter(let name, let reason):
            "announce parameter '\(name)' is invalid: \(reason)"
        case .duplicateParameter(let name):
            "announce parameter '\(name)' appears more than once; send it once"
        case .malformedQuery(let reason):
            "announce query is malformed: \(reason)"
        case .unknownTorrent(let infoHash):
            "torrent \(infoHash.hex) is not served by this tracker; check the .torrent matches this deploy"
        case .swarmFull(let infoHash, let limit):
            "torrent \(infoHash.hex) already has \(limit) peers, the tracker's limit; retry later"
        case .peerIDElsewhere(let peerID):
            "peer id \(peerID) is announced from another address, which holds it until it stops or expires"
        case .wrongSecret:
            "announce URL lacks this deploy's secret; use the announce URL from the deploy's .torrent"
        case .trackerFailure(let url, let reason):
            "tracker \(url) refused the announce: \(reason)"
        case .invalidResponse(let url, let reason):
            "tracker \(url) sent an invalid announce response: \(reason)"
        case .httpStatus(let url, let code, let reason):
            "tracker \(url) answered HTTP \(code)\(reason.map { " (\($0))" } ?? ""), expected 200; check the announce URL"
        case .timeout(let url, let seconds):
            "tracker \(url) did not answer within \(seconds) s; check it is running and reachable"
        case .connectionFailed(let url, let reason):
            "cannot reach tracker \(url): \(reason)"
        case .cancelled(let url):
            "announce to \(url) was cancelled before the tracker answered"
        case .unsupportedURL(let url, let reason):
            "cannot announce to '\(url)': \(reason)"
        case .allTrackersFailed(let attempts):
            "every tracker failed:\n" + attempts.map { "  " + $0 }.joined(separator: "\n")
        case .serverStartFailed(let host, let port, let reason):
            "cannot start the tracker on \(host):\(port): \(reason)"
        }
    }
}
