/// Why the swarm logic refused an input. Everything here comes from a remote
/// peer or a torrent, so the caller usually drops the peer (or refuses the
/// torrent) and carries on.
public enum SwarmError: Error, Hashable, Sendable {
    /// The payload length and piece length do not describe a usable layout.
    case invalidLayout(totalLength: Int64, pieceLength: Int, reason: String)
    /// A piece index from a peer is outside the torrent.
    case pieceIndexOutOfRange(Int, pieceCount: Int)
    /// A peer's bitfield does not have one bit per piece.
    case bitfieldSizeMismatch(Int, pieceCount: Int)
    /// A block does not start on a block boundary or has the wrong length.
    case invalidBlock(BlockSpec, reason: String)
}

extension SwarmError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidLayout(let totalLength, let pieceLength, let reason):
            "a payload of \(totalLength) bytes in pieces of \(pieceLength) bytes cannot be shared: \(reason); check the torrent's \"length\" and \"piece length\""
        case .pieceIndexOutOfRange(let index, let pieceCount):
            "peer named piece \(index), but the torrent has \(pieceCount) pieces (0..<\(pieceCount)); the peer is broken or hostile, disconnect it"
        case .bitfieldSizeMismatch(let size, let pieceCount):
            "peer sent a bitfield of \(size) pieces, but the torrent has \(pieceCount); the peer is broken or hostile, disconnect it"
        case .invalidBlock(let block, let reason):
            "peer sent or asked for \(block), which is not a block of this torrent: \(reason); disconnect the peer"
        }
    }
}
