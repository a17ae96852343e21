import NIOCore

/// A message after the handshake (BEP 3, with BEP 5's `port` and BEP 6's Fast
/// extension messages).
public enum PeerMessage: Hashable, Sendable {
    /// BEP 3: "Messages of length zero are keepalives, and ignored."
    case keepAlive
    case choke
    case unchoke
    case interested
    case notInterested
    /// BEP 3: "The 'have' message's payload is a single number, the index which
    /// that downloader just completed and checked the hash of."
    case have(PieceIndex)
    /// BEP 3: "'bitfield' is only ever sent as the first message."
    case bitfield(Bitfield)
    case request(BlockRequest)
    /// A block of data; `block` is a slice of the inbound buffer, not a copy.
    case piece(PieceIndex, offset: Int, block: ByteBuffer)
    case cancel(BlockRequest)
    /// BEP 5: the sender's DHT port. Parsed so it can be ignored safely.
    case port(UInt16)
    /// BEP 6: a hint that the receiver should download this piece.
    case suggestPiece(PieceIndex)
    /// BEP 6: the sender has every piece (instead of a bitfield).
    case haveAll
    /// BEP 6: the sender has no piece (instead of a bitfield).
    case haveNone
    /// BEP 6, and BEP 3's "reject": the sender will not serve this request.
    case rejectRequest(BlockRequest)
    /// BEP 6: the receiver may request this piece even while choked.
    case allowedFast(PieceIndex)
    /// swarmdeploy's peer authentication, only once both handshakes set its bit (see
    /// `Handshake.supportsPeerAuthentication`): a fresh random challenge of
    /// `authChallengeLength` bytes, then the sender's proof (an HMAC-SHA256) that it holds the
    /// key, computed over the receiver's challenge.
    case authChallenge([UInt8])
    case authProof([UInt8])
    /// A message of an extension we do not speak; its payload was skipped.
    case unknown(id: UInt8)

    public static let authChallengeLength = 16
    public static let authProofLength = 32
}

/// The message type byte. BEP 3: "All non-keepalive messages start with a
/// single byte which gives their type."
enum PeerMessageID: UInt8 {
    case choke = 0
    case unchoke = 1
    case interested = 2
    case notInterested = 3
    case have = 4
    case bitfield = 5
    case request = 6
    case piece = 7
    case cancel = 8
    case port = 9
    case suggestPiece = 0x0D
    case haveAll = 0x0E
    case haveNone = 0x0F
    case rejectRequest = 0x10
    case allowedFast = 0x11
    // Ours, from a range no BEP assigns, and understood only when negotiated.
    case authChallenge = 0xF0
    case authProof = 0xF1
}

extension PeerMessageID {
    /// The exact length (type byte included) of fixed-size messages; nil for
    /// bitfield and piece, whose length varies.
    var fixedLength: Int? {
        switch self {
        case .choke, .unchoke, .interested, .notInterested, .haveAll, .haveNone: 1
        case .have, .suggestPiece, .allowedFast: 5
        case .request, .cancel, .rejectRequest: 13
        case .port: 3
        case .authChallenge: 1 + PeerMessage.authChallengeLength
        case .authProof: 1 + PeerMessage.authProofLength
        case .bitfield, .piece: nil
        }
    }

    /// Messages BEP 6 allows only once both handshakes enabled it.
    var requiresFastExtension: Bool {
        switch self {
        case .suggestPiece, .haveAll, .haveNone, .allowedFast: true
        default: false
        }
    }

    /// Messages that exist only when both handshakes enabled peer authentication; otherwise
    /// their type bytes are some other client's extension and are skipped as unknown.
    var requiresAuthentication: Bool {
        self == .authChallenge || self == .authProof
    }

    var name: String {
        switch self {
        case .choke: "choke"
        case .unchoke: "unchoke"
        case .interested: "interested"
        case .notInterested: "not interested"
        case .have: "have"
        case .bitfield: "bitfield"
        case .request: "request"
        case .piece: "piece"
        case .cancel: "cancel"
        case .port: "port"
        case .suggestPiece: "suggest piece"
        case .haveAll: "have all"
        case .haveNone: "have none"
        case .rejectRequest: "reject request"
        case .allowedFast: "allowed fast"
        case .authChallenge: "authentication challenge"
        case .authProof: "authentication proof"
        }
    }
}
