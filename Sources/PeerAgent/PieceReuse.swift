import Archive
import Crypto
import Glibc
import Swarm
import TorrentMetainfo

/// Builds the pieces of a new release that a host can make from the tree it already holds,
/// so the swarm sends only the rest.
///
/// The job carries the new archive's index (its entries and padded headers): with it the host
/// lays out the new archive itself, takes header bytes from the index and file bytes from the
/// file of the same path in its tree, and keeps each piece whose SHA-1 matches the torrent's.
/// A locally changed file makes a wrong piece, which is dropped and downloaded like any
/// other: nothing built here is trusted without the torrent's word for it. Pieces that lie
/// in piece-aligned files (see `ArchiveManifest.aligningFiles`) stay the same whatever else
/// changed, and the `PieceHashCache` skips hashing those whose files are untouched since the
/// last push installed them.
enum PieceReuse {
    struct Outcome: Equatable {
        var pieces: PieceSet
        /// Bytes of the pieces built.
        var bytes: Int64
        /// Bytes read and hashed to find them (the rest were known from the cache).
        var hashedBytes: Int64
    }

    /// Writes into `storage` every piece of `metainfo` that `manifest` (the new release's
    /// index, rooted at the host's tree in use) can be built into, and returns which.
    static func fill(
        _ storage: some PieceStorage, metainfo: Metainfo, from manifest: ArchiveManifest, cache: PieceHashCache
    ) throws -> Outcome {
        var outcome = Outcome(pieces: PieceSet(pieceCount: metainfo.pieceCount), bytes: 0, hashedBytes: 0)
        guard manifest.tarLength == metainfo.length else { return outcome }
        let archive = TreeArchive(manifest, openFileLimit: 64, checksFiles: false)
        var recipes = PieceRecipes(archive: archive)
        var buffer = [UInt8](repeating: 0, count: metainfo.pieceLength)
        for piece in 0..<metainfo.pieceCount {
            let offset = Int64(piece) * Int64(metainfo.pieceLength)
            let count = metainfo.expectedLength(ofPiece: piece)
            guard let key = try recipes.key(at: offset, count: count) else { continue }
            let expected = Array(metainfo.pieceHash(at: piece))
            let known = cache[key] == expected
            let built = buffer.withUnsafeMutableBytes { buffer -> Bool in
                let target = UnsafeMutableRawBufferPointer(rebasing: buffer[..<count])
                // A file that ends early or went away since its stat leaves the piece to the swarm.
                guard (try? archive.read(at: offset, into: target)) != nil else { return false }
                return known || Insecure.SHA1.hash(data: UnsafeRawBufferPointer(target)).elementsEqual(expected)
            }
            if !known { outcome.hashedBytes += Int64(count) }
            guard built else { continue }
            try buffer.withUnsafeBytes { try storage.write(at: offset, UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            _ = outcome.pieces.insert(piece)
            outcome.bytes += Int64(count)
        }
        return outcome
    }

    /// The cache for the tree at `manifest.root` once it holds this release, as installed:
    /// every piece's key with the files as they are now, and the hash the torrent gives it.
    /// Nothing is read but the files' status.
    static func cache(for manifest: ArchiveManifest, metainfo: Metainfo) throws -> PieceHashCache {
        var cache = PieceHashCache()
        guard manifest.tarLength == metainfo.length else { return cache }
        var recipes = PieceRecipes(archive: TreeArchive(manifest, checksFiles: false))
        for piece in 0..<metainfo.pieceCount {
            let offset = Int64(piece) * Int64(metainfo.pieceLength)
            guard let key = try recipes.key(at: offset, count: metainfo.expectedLength(ofPiece: piece)) else { continue }
            cache[key] = Array(metainfo.pieceHash(at: piece))
        }
        return cache
    }
}

/// Names exactly where a piece's bytes come from: its header bytes, and for each stretch of a
/// file the file's path, device, inode, size, modification and change times, and the
/// stretch. Equal keys mean equal bytes unless a file was rewritten in place within the same
/// nanosecond timestamps, which the change time (that no user can set) rules out.
struct PieceRecipes {
    let archive: TreeArchive
    /// Each file's status by entry, nil when it is not a regular file in the tree.
    private var identities: [Int: FileIdentity?] = [:]

    init(archive: TreeArchive) {
        self.archive = archive
    }

    /// The key of `offset..<offset + count`, nil when a file it needs is missing or too short.
    mutating func key(at offset: Int64, count: Int) throws -> [UInt8]? {
        var hasher = Insecure.SHA1()
        for part in try archive.parts(at: offset, count: count) {
            switch part {
            case .header(let entry, let range):
                hasher.update(data: [UInt8(ascii: "h")])
                let header = try archive.manifest.headerBlocks(ofEntry: entry)
                header.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[range])) }
            case .file(let entry, let fileOffset, let length):
                guard let identity = identity(of: entry), identity.size >= fileOffset + Int64(length) else { return nil }
                hasher.update(data: [UInt8(ascii: "f")] + Array(archive.manifest.entries[entry].path.utf8) + [0])
                withUnsafeBytes(of: identity) { hasher.update(bufferPointer: $0) }
                withUnsafeBytes(of: (fileOffset, Int64(length))) { hasher.update(bufferPointer: $0) }
            case .zeros(let length):
                hasher.update(data: [UInt8(ascii: "z")])
                withUnsafeBytes(of: Int64(length)) { hasher.update(bufferPointer: $0) }
            }
        }
        return Array(hasher.finalize())
    }

    private mutating func identity(of entry: Int) -> FileIdentity? {
        if let known = identities[entry] { return known }
        let identity = FileIdentity(path: archive.manifest.root + "/" + archive.manifest.entries[entry].path)
        identities[entry] = identity
        return identity
    }
}

/// A regular file's status as far as it says whether the bytes changed.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int64
    var modifiedNanoseconds: Int64
    var changedSeconds: Int64
    var changedNanoseconds: Int64

    /// The status of the file at `path` (a symlink is not followed), nil unless it is a regular file.
    init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        changedSeconds = Int64(info.st_ctim.tv_sec)
        changedNanoseconds = Int64(info.st_ctim.tv_nsec)
    }
}
