/// The BitTorrent v1 info-hash: the SHA-1 of the bencoded `info` dictionary
/// (BEP 3). It names a torrent to trackers and peers.
public struct InfoHash: Hashable, Sendable {
    public static let byteCount = 20

    /// The 20 raw digest bytes.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "an info-hash is \(Self.byteCount) bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    /// Parses 40 hexadecimal digits (either case); nil for anything else.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// 40 lowercase hexadecimal digits, as clients and magnet links show it.
    public var hex: String { Hex.encode(bytes) }
}

extension InfoHash: CustomStringConvertible {
    public var description: String { hex }
}
