import TorrentMetainfo
@testable import Tracker
import PeerWire

enum Fixtures {
    /// An info-hash whose bytes are `first, first+1, ...` (wrapping), so
    /// tests cover bytes that need escaping.
    static func infoHash(_ first: UInt8) -> InfoHash {
        InfoHash(bytes: (0..<20).map { first &+ UInt8($0) })
    }

    /// A peer id of 20 copies of `letter`.
    static func peerID(_ letter: Character) -> PeerID {
        PeerID(bytes: Array(repeating: letter.asciiValue!, count: 20))
    }

    static func address(_ text: String) -> IPAddress {
        IPAddress(text)!
    }

    static func request(
        _ infoHash: InfoHash,
        peer: Character,
        port: UInt16 = 6881,
        left: Int64 = 1000,
        event: AnnounceRequest.Event = .none,
        numwant: Int? = nil,
        compact: Bool = true
    ) -> AnnounceRequest {
        AnnounceRequest(
            infoHash: infoHash, peerID: peerID(peer), port: port, left: left,
            compact: compact, event: event, numwant: numwant)
    }
}
