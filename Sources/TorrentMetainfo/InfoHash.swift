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
        let digits = Array(hex.utf8)
        guard digits.count == Self.byteCount * 2 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Hex.value(ofDigit: digits[index]), let low = Hex.value(ofDigit: digits[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// 40 lowercase hexadecimal digits, as clients and magnet links show it.
    public var hex: String { Hex.encode(bytes) }
}

extension InfoHash: CustomStringConvertible {
    public var description: String { hex }
}
