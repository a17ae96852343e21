import Crypto
import TorrentMetainfo

/// Checks stored pieces against the torrent: a piece's SHA-1 when its last block arrives,
/// and the whole payload's SHA-256 before a peer declares itself complete.
public enum PayloadVerifier {
    /// Whether piece `index` in `storage` matches its SHA-1 in `metainfo`.
    public static func verifyPiece(_ index: Int, of metainfo: Metainfo, in storage: some PieceStorage) throws -> Bool {
        let bytes = try storage.read(
            at: Int64(index) * Int64(metainfo.pieceLength), count: metainfo.expectedLength(ofPiece: index)
        )
        return Insecure.SHA1.hash(data: bytes).elementsEqual(metainfo.pieceHash(at: index))
    }

    /// The SHA-256 of the whole stored payload, read in chunks so memory stays flat.
    public static func sha256(of storage: some PieceStorage, chunkSize: Int = 4 << 20) throws -> [UInt8] {
        var hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var offset: Int64 = 0
        while offset < storage.length {
            let count = Int(min(Int64(chunkSize), storage.length - offset))
            try chunk.withUnsafeMutableBytes { (buffer) in
                try storage.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]))
            }
            chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            offset += Int64(count)
        }
        return Array(hasher.finalize())
    }
}

/// A SHA-256 over the payload, fed in order by one job at a time on the disk threads (the
/// session never runs two at once, which is what makes the unsynchronised state safe).
final class PayloadDigest: @unchecked Sendable {
    private var hasher = SHA256()
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    /// Reads `range` of the payload from `storage` and hashes it.
    func update(from storage: some PieceStorage, range: Range<Int64>) throws {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let count = Int(min(Int64(buffer.count), range.upperBound - offset))
            try buffer.withUnsafeMutableBytes { all in
                try storage.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: all[..<count]))
            }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            offset += Int64(count)
        }
    }

    func finish() -> [UInt8] {
        Array(hasher.finalize())
    }
}
