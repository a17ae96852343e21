/// Why a peer connection must be dropped: the remote sent bytes that break
/// BEP 3 (or BEP 6), or more than we agreed to hold for it.
///
/// Callers compare `kind`; `description` says what was wrong and where, for logs.
public struct PeerWireError: Error, Hashable, Sendable {
    /// The class of failure, stable for comparison.
    public var kind: Kind
    /// What exactly was wrong, in words.
    public var diagnostics: String
    /// Offset in the inbound byte stream where the offending handshake or
    /// message starts, when the error came from decoding.
    public var streamOffset: Int?

    init(_ kind: Kind, _ diagnostics: String, streamOffset: Int? = nil) {
        self.kind = kind
        self.diagnostics = diagnostics
        self.streamOffset = streamOffset
    }

    /// An opaque error class; new kinds can be added without breaking callers.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidHandshake
            case infoHashMismatch
            case messageTooLong
            case invalidMessageLength
            case invalidBitfield
            case invalidBlockLength
            case blockOutOfRange
            case pieceIndexOutOfRange
            case unexpectedMessage
            case tooManyOutstandingRequests
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The handshake's length byte or protocol string is not BitTorrent's.
        public static let invalidHandshake = Kind(.invalidHandshake)
        /// The handshake names another torrent than the one expected.
        public static let infoHashMismatch = Kind(.infoHashMismatch)
        /// A length prefix exceeds the configured maximum message length.
        public static let messageTooLong = Kind(.messageTooLong)
        /// A fixed-size message arrived with another length.
        public static let invalidMessageLength = Kind(.invalidMessageLength)
        /// A bitfield has the wrong byte count or spare bits set.
        public static let invalidBitfield = Kind(.invalidBitfield)
        /// A request, cancel, reject or piece block is empty or over the block limit.
        public static let invalidBlockLength = Kind(.invalidBlockLength)
        /// A block does not lie inside its piece.
        public static let blockOutOfRange = Kind(.blockOutOfRange)
        /// A piece index is not below the torrent's piece count.
        public static let pieceIndexOutOfRange = Kind(.pieceIndexOutOfRange)
        /// A message arrived where the protocol forbids it: a late bitfield, or a
        /// Fast extension message on a connection that did not negotiate it.
        public static let unexpectedMessage = Kind(.unexpectedMessage)
        /// The remote peer has more unanswered requests than we hold for one peer.
        public static let tooManyOutstandingRequests = Kind(.tooManyOutstandingRequests)

        public var description: String {
            switch base {
            case .invalidHandshake: "invalid handshake"
            case .infoHashMismatch: "info-hash mismatch"
            case .messageTooLong: "message too long"
            case .invalidMessageLength: "invalid message length"
            case .invalidBitfield: "invalid bitfield"
            case .invalidBlockLength: "invalid block length"
            case .blockOutOfRange: "block out of range"
            case .pieceIndexOutOfRange: "piece index out of range"
            case .unexpectedMessage: "unexpected message"
            case .tooManyOutstandingRequests: "too many outstanding requests"
            }
        }
    }
}

extension PeerWireError: CustomStringConvertible {
    public var description: String {
        var text = "peer protocol error (\(kind)): \(diagnostics)"
        if let streamOffset {
            text += " (at byte \(streamOffset) of the peer's stream)"
        }
        return text + "; the peer is misbehaving or not a BitTorrent peer, drop the connection"
    }
}

extension PeerWireError {
    func at(streamOffset: Int) -> PeerWireError {
        var copy = self
        copy.streamOffset = streamOffset
        return copy
    }
}
