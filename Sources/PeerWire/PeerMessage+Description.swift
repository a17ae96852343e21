extension PeerMessage: CustomStringConvertible {
    /// One short line for logs; a piece shows its size, never its bytes.
    public var description: String {
        switch self {
        case .keepAlive: "keep-alive"
        case .choke: "choke"
        case .unchoke: "unchoke"
        case .interested: "interested"
        case .notInterested: "not interested"
        case .have(let piece): "have \(piece)"
        case .bitfield(let bitfield): "bitfield (\(bitfield.count) of \(bitfield.pieceCount) pieces)"
        case .request(let request): "request \(request)"
        case .piece(let piece, let offset, let block): "piece \(piece) offset \(offset) length \(block.readableBytes)"
        case .cancel(let request): "cancel \(request)"
        case .port(let port): "port \(port)"
        case .suggestPiece(let piece): "suggest piece \(piece)"
        case .haveAll: "have all"
        case .haveNone: "have none"
        case .rejectRequest(let request): "reject \(request)"
        case .allowedFast(let piece): "allowed fast \(piece)"
        case .authChallenge: "authentication challenge"
        case .authProof: "authentication proof"
        case .unknown(let id): "unknown message type \(id)"
        }
    }
}

extension PeerWireEvent: CustomStringConvertible {
    public var description: String {
        switch self {
        case .handshake(let handshake):
            "handshake for \(handshake.infoHash) from \(handshake.peerID)"
                + (handshake.supportsFastExtension ? " (fast extension)" : "")
                + (handshake.supportsPeerAuthentication ? " (authentication)" : "")
        case .message(let message):
            message.description
        }
    }
}
