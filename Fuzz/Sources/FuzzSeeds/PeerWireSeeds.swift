import NIOCore
import PeerWire
import TorrentMetainfo

extension Seeds {
    /// Peer streams behind the 8 configuration bytes FuzzPeerWire reads first.
    func peerWire() throws {
        let infoHash = InfoHash(bytes: Array(repeating: 0xAB, count: InfoHash.byteCount))
        var handshake = Handshake(infoHash: infoHash, peerID: PeerID(bytes: Array("-SD0100-abcdefghijkl".utf8)))
        handshake.supportsFastExtension = true
        let messages: [PeerMessage] = [
            .bitfield(Bitfield.full(pieceCount: 10)), .have(PieceIndex(3)), .interested, .unchoke,
            .request(BlockRequest(piece: PieceIndex(1), offset: 0, length: 16_384)),
            .piece(PieceIndex(9), offset: 0, block: ByteBuffer(bytes: [1, 2, 3, 4])),
            .cancel(BlockRequest(piece: PieceIndex(2), offset: 16_384, length: 100)), .port(6881), .keepAlive,
            .suggestPiece(PieceIndex(4)), .allowedFast(PieceIndex(5)), .haveNone, .choke, .notInterested,
            .rejectRequest(BlockRequest(piece: PieceIndex(0), offset: 0, length: 16_384)),
        ]
        var stream = ByteBuffer()
        stream.writeHandshake(handshake)
        for message in messages { stream.writePeerMessage(message) }
        // An extension message of a type nobody here speaks, skipped unread.
        stream.writeBytes([0, 0, 0, 3, 20, 0, 0])
        let wire = Array(stream.readableBytesView)

        // Flags: 0x02 fast extension, 0x08 expected info-hash, 0x10 geometry; 10 pieces of 32 KiB.
        try write("FuzzPeerWire", "handshake-and-messages", [0x1A, 0, 9, 0x01, 0, 1, 2, 3] + wire)
        // Without a handshake: messages only (flag 0x01), pieces checked by count.
        try write("FuzzPeerWire", "messages-only", [0x03, 0, 9, 0, 0, 4, 5, 6] + Array(wire.dropFirst(Handshake.byteCount)))

        // Peer authentication: its reserved bit (byte 3, 0x01), a 16-byte challenge, a 32-byte proof.
        var reserved = handshake.reserved
        reserved[3] |= 0x01
        let authenticating = Handshake(infoHash: infoHash, peerID: handshake.peerID, reserved: reserved)
        var auth = ByteBuffer()
        auth.writeHandshake(authenticating)
        auth.writeBytes([0, 0, 0, 17, 0xF0] + [UInt8](repeating: 0x11, count: 16))
        auth.writeBytes([0, 0, 0, 33, 0xF1] + [UInt8](repeating: 0x22, count: 32))
        try write("FuzzPeerWire", "authentication", [0x0E, 0, 9, 0, 0, 7, 8, 9] + Array(auth.readableBytesView))
    }
}
