import NIOCore

extension ByteBuffer {
    /// Writes the 68-byte handshake.
    ///
    /// BEP 3: "The handshake starts with character nineteen (decimal) followed
    /// by the string 'BitTorrent protocol'. [...] After the fixed headers come
    /// eight reserved bytes [...] Next comes the 20 byte truncated infohash. [...] After
    /// the download hash comes the 20-byte peer id".
    @discardableResult
    public mutating func writeHandshake(_ handshake: Handshake) -> Int {
        writeInteger(UInt8(Handshake.protocolName.count))
            + writeBytes(Handshake.protocolName)
            + writeBytes(handshake.reserved)
            + writeBytes(handshake.infoHash.bytes)
            + writeBytes(handshake.peerID.bytes)
    }

    /// Writes one message with its length prefix, copying a piece's block.
    /// `PeerWireEncodingHandler` avoids that copy.
    ///
    /// BEP 3: "All later integers sent in the protocol are encoded as four
    /// bytes big-endian." and "next comes an alternating stream of length
    /// prefixes and messages."
    @discardableResult
    public mutating func writePeerMessage(_ message: PeerMessage) -> Int {
        switch message {
        // BEP 3: "Messages of length zero are keepalives".
        case .keepAlive:
            return writeInteger(UInt32(0))
        case .choke: return writeBare(.choke)
        case .unchoke: return writeBare(.unchoke)
        case .interested: return writeBare(.interested)
        case .notInterested: return writeBare(.notInterested)
        case .haveAll: return writeBare(.haveAll)
        case .haveNone: return writeBare(.haveNone)
        // BEP 3: "The 'have' message's payload is a single number".
        case .have(let piece): return writeIndexed(.have, piece)
        case .suggestPiece(let piece): return writeIndexed(.suggestPiece, piece)
        case .allowedFast(let piece): return writeIndexed(.allowedFast, piece)
        // BEP 3: "The first byte of the bitfield corresponds to indices 0 - 7
        // from high bit to low bit".
        case .bitfield(let bitfield):
            return writeInteger(UInt32(1 + bitfield.bytes.count))
                + writeInteger(PeerMessageID.bitfield.rawValue)
                + writeBytes(bitfield.bytes)
        // BEP 3: "'request' messages contain an index, begin, and length."
        case .request(let request): return writeBlockRequest(.request, request)
        case .cancel(let request): return writeBlockRequest(.cancel, request)
        case .rejectRequest(let request): return writeBlockRequest(.rejectRequest, request)
        // BEP 3: "'piece' messages contain an index, begin, and piece."
        case .piece(let piece, let offset, var block):
            return writePieceHeader(piece: piece, offset: offset, blockLength: block.readableBytes)
                + writeBuffer(&block)
        // BEP 5: "It begins with byte 0x09 and has a two byte payload containing
        // the UDP port of the DHT node in network byte order."
        case .port(let port):
            return writeInteger(UInt32(3)) + writeInteger(PeerMessageID.port.rawValue) + writeInteger(port)
        case .authChallenge(let bytes): return writeBytesMessage(.authChallenge, bytes)
        case .authProof(let bytes): return writeBytesMessage(.authProof, bytes)
        case .unknown(let id):
            // We only know the type of a skipped message, not its payload.
            return writeInteger(UInt32(1)) + writeInteger(id)
        }
    }

    /// Writes a handshake or a message.
    @discardableResult
    public mutating func writePeerWireEvent(_ event: PeerWireEvent) -> Int {
        switch event {
        case .handshake(let handshake): writeHandshake(handshake)
        case .message(let message): writePeerMessage(message)
        }
    }

    /// Writes the 13 bytes before a piece's block: length prefix, type, index, begin.
    @discardableResult
    public mutating func writePieceHeader(piece: PieceIndex, offset: Int, blockLength: Int) -> Int {
        writeInteger(UInt32(9 + blockLength))
            + writeInteger(PeerMessageID.piece.rawValue)
            + writeInteger(UInt32(piece.rawValue))
            + writeInteger(UInt32(offset))
    }

    private mutating func writeBare(_ id: PeerMessageID) -> Int {
        writeInteger(UInt32(1)) + writeInteger(id.rawValue)
    }

    private mutating func writeBytesMessage(_ id: PeerMessageID, _ bytes: [UInt8]) -> Int {
        writeInteger(UInt32(1 + bytes.count)) + writeInteger(id.rawValue) + writeBytes(bytes)
    }

    private mutating func writeIndexed(_ id: PeerMessageID, _ piece: PieceIndex) -> Int {
        writeInteger(UInt32(5)) + writeInteger(id.rawValue) + writeInteger(UInt32(piece.rawValue))
    }

    private mutating func writeBlockRequest(_ id: PeerMessageID, _ request: BlockRequest) -> Int {
        writeInteger(UInt32(13))
            + writeInteger(id.rawValue)
            + writeInteger(UInt32(request.piece.rawValue))
            + writeInteger(UInt32(request.offset))
            + writeInteger(UInt32(request.length))
    }
}
