import TorrentMetainfo
@testable import Tracker
import PeerWire

/// A small deterministic generator (SplitMix64) so random choices in tests
/// repeat from run to run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

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
