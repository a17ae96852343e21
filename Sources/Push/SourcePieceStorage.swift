import Archive
import Swarm
import Synchronization
import TorrentMetainfo

/// The seeder's payload read straight from the source tree (see `TreeArchive`): no tarball
/// in memory or on disk. Every piece is read whole and checked against its SHA-1 before any
/// of it is served, so a file changed since it was hashed is caught even when its size and
/// time stayed the same, and the error names the files in that piece. Recently read pieces
/// stay in memory up to a budget, so serving a piece block by block reads it once.
final class SourcePieceStorage: PieceStorage {
    private let archive: TreeArchive
    private let metainfo: Metainfo
    private let cache: Mutex<RecentPieces<[UInt8]>>

    init(archive: TreeArchive, metainfo: Metainfo, cacheBudget: Int = 32 << 20) {
        self.archive = archive
        self.metainfo = metainfo
        // Room for two pieces at least: a peer's requests walk through a piece block by block.
        cache = Mutex(RecentPieces(budget: max(cacheBudget, 2 * metainfo.pieceLength)))
    }

    var length: Int64 { archive.length }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        try checkRange(offset, buffer.count)
        let pieceLength = Int64(metainfo.pieceLength)
        var done = 0
        while done < buffer.count {
            let position = offset + Int64(done)
            let piece = Int(position / pieceLength)
            let bytes = try verifiedPiece(piece)
            let within = Int(position - Int64(piece) * pieceLength)
            let count = min(buffer.count - done, bytes.count - within)
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: buffer[done..<(done + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[within..<(within + count)]))
            }
            done += count
        }
    }

    func write(at offset: Int64, _ bytes: UnsafeRawBufferPointer) throws {
        throw StorageError(.readOnly, "the payload read from the source tree is read-only")
    }

    func synchronize() throws {}

    private func verifiedPiece(_ piece: Int) throws -> [UInt8] {
        if let bytes = cache.withLock({ $0.piece(piece) }) { return bytes }
        let start = Int64(piece) * Int64(metainfo.pieceLength)
        let count = Int(min(Int64(metainfo.pieceLength), length - start))
        var bytes = [UInt8](repeating: 0, count: count)
        do {
            try bytes.withUnsafeMutableBytes { try archive.read(at: start, into: $0) }
        } catch let error as ArchiveError {
            throw StorageError(.io, "the source changed during the push: \(error)")
        }
        guard bytes.withUnsafeBytes({ metainfo.pieceMatches(piece, $0) }) else {
            let files = archive.files(overlapping: start, count: count).map { archive.manifest.root + "/" + $0 }
            throw StorageError(
                .io, "the source changed during the push: piece \(piece) no longer matches its hash "
                    + "(\(files.isEmpty ? "no file's bytes, only headers" : files.joined(separator: ", "))); "
                    + "make sure nothing writes to the tree during a push and retry")
        }
        cache.withLock { $0.insert(piece, bytes) }
        return bytes
    }
}
