import TorrentMetainfo

/// The first 68 bytes each side sends (BEP 3): protocol name, reserved bits,
/// info-hash and peer id.
public struct Handshake: Hashable, Sendable {
    /// BEP 3: "The handshake starts with character nineteen (decimal) followed
    /// by the string 'BitTorrent protocol'."
    public static let protocolName: [UInt8] = Array("BitTorrent protocol".utf8)

    /// Bytes on the wire: length byte, protocol name, 8 reserved, 20 info-hash, 20 peer id.
    public static let byteCount = 1 + 19 + 8 + InfoHash.byteCount + PeerID.byteCount

    public var infoHash: InfoHash
    public var peerID: PeerID
    /// BEP 3: "After the fixed headers come eight reserved bytes", used by
    /// extensions to advertise themselves (see the `supports…` properties).
    public var reserved: [UInt8] {
        didSet {
            precondition(reserved.count == 8, "the handshake has 8 reserved bytes, got \(reserved.count)")
        }
    }

    public init(infoHash: InfoHash, peerID: PeerID, reserved: [UInt8] = Array(repeating: 0, count: 8)) {
        precondition(reserved.count == 8, "the handshake has 8 reserved bytes, got \(reserved.count)")
        self.infoHash = infoHash
        self.peerID = peerID
        self.reserved = reserved
    }
}
