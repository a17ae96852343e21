import Crypto

/// Hashes a payload as it streams past: the SHA-1 of every piece and the
/// SHA-256 of the whole. It buffers nothing; each digest is updated in place,
/// so memory stays constant whatever the payload size.
public struct PieceHasher {
    public let pieceLength: Int

    private var pieceHash = Insecure.SHA1()
    private var bytesInPiece = 0
    private var payloadHash = SHA256()
    private var length: Int64 = 0
    private var pieceHashes: [UInt8] = []
    private var isFinished = false

    public init(pieceLength: Int) {
        precondition(pieceLength > 0, "piece length \(pieceLength) is not positive")
        self.pieceLength = pieceLength
    }

    /// Feeds the next bytes of the payload; chunk boundaries do not matter.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!isFinished, "PieceHasher.update called after finish()")
        guard !bytes.isEmpty else { return }
        payloadHash.update(bufferPointer: bytes)
        length += Int64(bytes.count)
        var rest = bytes[...]
        while !rest.isEmpty {
            let take = min(rest.count, pieceLength - bytesInPiece)
            pieceHash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
            bytesInPiece += take
            rest = rest.dropFirst(take)
            if bytesInPiece == pieceLength {
                closePiece()
            }
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Closes the last, possibly short, piece and returns the result.
    /// The hasher cannot be used afterwards.
    public mutating func finish() -> HashedPayload {
        precondition(!isFinished, "PieceHasher.finish called twice")
        if bytesInPiece > 0 {
            closePiece()
        }
        isFinished = true
        return HashedPayload(
            length: length,
            pieceLength: pieceLength,
            pieceHashes: pieceHashes,
            sha256: Array(payloadHash.finalize())
        )
    }

    private mutating func closePiece() {
        pieceHashes.append(contentsOf: pieceHash.finalize())
        pieceHash = Insecure.SHA1()
        bytesInPiece = 0
    }
}
