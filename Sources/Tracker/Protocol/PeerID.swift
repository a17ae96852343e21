import TorrentMetainfo

/// The 20-byte peer id a client picks for itself (BEP 3: "A string of
/// length 20 which this downloader uses as its id"). Raw bytes, not text.
public struct PeerID: Hashable, Sendable {
    public static let byteCount = 20

    public let bytes: [UInt8]

    /// Nil unless `bytes` holds exactly 20 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// A random id starting with `prefix` (Azureus style, e.g. "-SD0001-").
    public static func random(
        prefix: String = "-SD0001-",
        using generator: inout some RandomNumberGenerator
    ) -> PeerID {
        var bytes = Array(prefix.utf8.prefix(byteCount))
        while bytes.count < byteCount {
            bytes.append(UInt8.random(in: 0...255, using: &generator))
        }
        return PeerID(bytes: bytes)!
    }

    public static func random(prefix: String = "-SD0001-") -> PeerID {
        var generator = SystemRandomNumberGenerator()
        return random(prefix: prefix, using: &generator)
    }
}

extension PeerID: CustomStringConvertible {
    public var description: String { Hex.encode(bytes) }
}
