/// What a torrent needs to know about its payload: its size, how it is cut
/// into pieces, the SHA-1 of every piece, and the SHA-256 of the whole.
public struct HashedPayload: Hashable, Sendable {
    public let length: Int64
    public let pieceLength: Int
    /// The 20-byte SHA-1 of each piece, concatenated in piece order (BEP 3 "pieces").
    public let pieceHashes: [UInt8]
    /// The SHA-256 of the whole payload (32 bytes).
    public let sha256: [UInt8]

    public init(length: Int64, pieceLength: Int, pieceHashes: [UInt8], sha256: [UInt8]) {
        precondition(length >= 0, "payload length \(length) is negative")
        precondition(pieceLength > 0, "piece length \(pieceLength) is not positive")
        precondition(pieceHashes.count % 20 == 0, "piece hashes are not whole 20-byte digests")
        precondition(
            Int64(pieceHashes.count / 20) == PieceGeometry.pieceCount(length: length, pieceLength: pieceLength),
            "\(pieceHashes.count / 20) piece hashes do not fit \(length) bytes in \(pieceLength)-byte pieces"
        )
        precondition(sha256.count == 32, "a SHA-256 digest is 32 bytes, got \(sha256.count)")
        self.length = length
        self.pieceLength = pieceLength
        self.pieceHashes = pieceHashes
        self.sha256 = sha256
    }

    public var pieceCount: Int {
        pieceHashes.count / 20
    }
}
