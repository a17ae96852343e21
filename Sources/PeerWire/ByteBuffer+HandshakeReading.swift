import NIOCore
import TorrentMetainfo

extension ByteBuffer {
    /// Reads the 68-byte handshake from the front of the buffer, or returns nil
    /// and consumes nothing while it is incomplete. Bytes that arrived are
    /// checked at once, so a stranger speaking another protocol, or a peer of
    /// another torrent, is refused before the rest is waited for.
    ///
    /// - Parameter expectedInfoHash: if given, a handshake for any other
    ///   torrent is an error.
    public mutating func readHandshake(expectedInfoHash: InfoHash? = nil) throws(PeerWireError) -> Handshake? {
        let available = readableBytesView
        // BEP 3: "The handshake starts with character nineteen (decimal)
        // followed by the string 'BitTorrent protocol'."
        if let length = available.first, Int(length) != Handshake.protocolName.count {
            throw PeerWireError(
                .invalidHandshake,
                "handshake starts with length byte \(length), expected 19 for \"BitTorrent protocol\""
            )
        }
        for (received, expected) in zip(available.dropFirst(), Handshake.protocolName) where received != expected {
            throw PeerWireError(.invalidHandshake, "handshake protocol string is not \"BitTorrent protocol\"")
        }
        // BEP 3: "Next comes the 20 byte truncated infohash. If both sides
        // don't send the same value, they sever the connection."
        let infoHashStart = 1 + Handshake.protocolName.count + 8
        if let expectedInfoHash, available.count >= infoHashStart + InfoHash.byteCount {
            let received = available.dropFirst(infoHashStart).prefix(InfoHash.byteCount)
            guard received.elementsEqual(expectedInfoHash.bytes) else {
                throw PeerWireError(
                    .infoHashMismatch,
                    "handshake is for torrent \(Hex.encode(Array(received))), not \(expectedInfoHash.hex); the peer was given another torrent"
                )
            }
        }
        guard readableBytes >= Handshake.byteCount else { return nil }

        moveReaderIndex(forwardBy: 1 + Handshake.protocolName.count)
        // BEP 3: "After the fixed headers come eight reserved bytes", then the
        // info-hash, then "the 20-byte peer id".
        let reserved = readBytes(length: 8)!
        let infoHash = InfoHash(bytes: readBytes(length: InfoHash.byteCount)!)
        let peerID = PeerID(bytes: readBytes(length: PeerID.byteCount)!)
        return Handshake(infoHash: infoHash, peerID: peerID, reserved: reserved)
    }
}
