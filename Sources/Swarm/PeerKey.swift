/// Identifies one peer connection inside the swarm logic.
///
/// Opaque on purpose: the connection layer picks the values (a counter, a
/// channel id), and the decision types only compare and hash them. Two
/// connections to the same host get two keys.
public struct PeerKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: PeerKey, rhs: PeerKey) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String {
        "peer#\(rawValue)"
    }
}
