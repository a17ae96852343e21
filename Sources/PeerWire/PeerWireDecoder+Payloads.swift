import NIOCore

extension PeerWireDecoder {
    /// Parses the payload after the type byte; `payload` holds exactly the
    /// message's remaining bytes, and fixed lengths were checked already.
    func parsePayload(of id: PeerMessageID, from payload: inout ByteBuffer) throws(PeerWireError) -> PeerMessage {
        switch id {
        // BEP 3: "'choke', 'unchoke', 'interested', and 'not interested' have no payload."
        case .choke: return .choke
        case .unchoke: return .unchoke
        case .interested: return .interested
        case .notInterested: return .notInterested
        // BEP 3: "The 'have' message's payload is a single number, the index
        // which that downloader just completed and checked the hash of."
        case .have: return .have(try readPieceIndex(from: &payload))
        // BEP 3: "Its payload is a bitfield with each index that downloader has
        // sent set to one and the rest set to zero."
        case .bitfield:
            let bytes = payload.readableBytesView
            return .bitfield(try Bitfield(pieceCount: limits.pieceCount, wireBytes: bytes))
        // BEP 3: "'request' messages contain an index, begin, and length."
        case .request: return .request(try readBlockRequest(from: &payload, in: id))
        // BEP 3: "'cancel' messages have the same payload as request messages."
        case .cancel: return .cancel(try readBlockRequest(from: &payload, in: id))
        // BEP 3: "'piece' messages contain an index, begin, and piece."
        case .piece: return try readPiece(from: &payload)
        // BEP 5: "It begins with byte 0x09 and has a two byte payload containing
        // the UDP port of the DHT node in network byte order."
        case .port: return .port(payload.readInteger(as: UInt16.self)!)
        // BEP 6: Suggest Piece, Allowed Fast: "<len=0x0005><op=...><index>".
        case .suggestPiece: return .suggestPiece(try readPieceIndex(from: &payload))
        case .allowedFast: return .allowedFast(try readPieceIndex(from: &payload))
        // BEP 6: Have All and Have None: "<len=0x0001><op=...>".
        case .haveAll: return .haveAll
        case .haveNone: return .haveNone
        // BEP 6: Reject Request: "<len=0x000D><op=0x10><index><begin><length>".
        case .rejectRequest: return .rejectRequest(try readBlockRequest(from: &payload, in: id))
        // Fixed lengths, checked already.
        case .authChallenge: return .authChallenge(Array(payload.readableBytesView))
        case .authProof: return .authProof(Array(payload.readableBytesView))
        }
    }

    private func readPieceIndex(from payload: inout ByteBuffer) throws(PeerWireError) -> PieceIndex {
        let raw = payload.readInteger(as: UInt32.self)!
        return try PieceIndex(validating: Int(raw), pieceCount: limits.pieceCount)
    }

    /// BEP 3: "All current implementations use 2^14 (16 kiB), and close
    /// connections which request an amount greater than that."
    private func readBlockRequest(from payload: inout ByteBuffer, in id: PeerMessageID) throws(PeerWireError) -> BlockRequest {
        let piece = try readPieceIndex(from: &payload)
        let offset = Int(payload.readInteger(as: UInt32.self)!)
        let length = Int(payload.readInteger(as: UInt32.self)!)
        try checkBlockLength(length, in: id)
        try checkBlockRange(piece: piece, offset: offset, length: length, in: id)
        return BlockRequest(piece: piece, offset: offset, length: length)
    }

    private func readPiece(from payload: inout ByteBuffer) throws(PeerWireError) -> PeerMessage {
        let headerLength = limits.pieceHeaderLength - 1
        guard payload.readableBytes >= headerLength else {
            throw PeerWireError(
                .invalidMessageLength,
                "piece message has length \(payload.readableBytes + 1), shorter than its \(limits.pieceHeaderLength)-byte header"
            )
        }
        let piece = try readPieceIndex(from: &payload)
        let offset = Int(payload.readInteger(as: UInt32.self)!)
        try checkBlockLength(payload.readableBytes, in: .piece)
        try checkBlockRange(piece: piece, offset: offset, length: payload.readableBytes, in: .piece)
        // A slice shares storage with the inbound buffer: no copy of the block.
        let block = payload.readSlice(length: payload.readableBytes)!
        return .piece(piece, offset: offset, block: block)
    }

    /// A block must lie inside its piece; the last piece is usually short.
    private func checkBlockRange(piece: PieceIndex, offset: Int, length: Int, in id: PeerMessageID) throws(PeerWireError) {
        guard let pieceLength = limits.length(of: piece), offset + length > pieceLength else { return }
        throw PeerWireError(
            .blockOutOfRange,
            "\(id.name) for piece \(piece) offset \(offset) length \(length) runs past the end of the piece (\(pieceLength) bytes)"
        )
    }

    private func checkBlockLength(_ length: Int, in id: PeerMessageID) throws(PeerWireError) {
        guard length > 0 else {
            throw PeerWireError(.invalidBlockLength, "\(id.name) length is 0; a block holds at least one byte")
        }
        guard length <= limits.maxBlockLength else {
            throw PeerWireError(
                .invalidBlockLength,
                "\(id.name) length \(length) exceeds the \(limits.maxBlockLength)-byte block limit"
            )
        }
    }
}
