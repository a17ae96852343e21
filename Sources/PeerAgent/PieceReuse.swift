import Archive
import Crypto
import Glibc
import Swarm
import TorrentMetainfo

/// Builds the parts of a new release that a host can make from the tree it already holds, so
/// the swarm sends only the rest.
///
/// The job carries the new archive's index (its entries, padded headers and file digests):
/// with it the host lays out the new archive itself, takes header bytes from the index and
/// file bytes from the file of the same path in its tree.
/// - A piece built whole is kept when its SHA-1 matches the torrent's (or the cache knows it
///   matched last time, see `ReuseCache`): pieces in piece-aligned files (see
///   `ArchiveManifest.aligningFiles`) stay the same whatever else changed.
/// - Of any other piece, the blocks made only of header bytes, padding and files whose
///   contents match their digest in the index are built; the swarm sends the rest of the
///   piece, which is then checked whole like any other. So a piece of fifty small files of
///   which one changed costs its changed blocks, not the piece.
/// A locally changed file makes a wrong piece or a wrong digest: nothing built here is trusted
/// without the torrent's word for it.
enum PieceReuse {
    struct Outcome: Equatable {
        /// Pieces built whole.
        var pieces: PieceSet
        /// Blocks built of other pieces, by piece (block indices of `PieceGeometry.blockLength`).
        var blocks: [Int: [Int]] = [:]
        /// Bytes built, whole pieces and blocks.
        var bytes: Int64 = 0
        /// Bytes read and hashed to find them (pieces checked, files digested); the rest were
        /// known from the cache.
        var hashedBytes: Int64 = 0
    }

    /// Writes into `storage` every piece of `metainfo`, and every block of the others, that
    /// `index` (the new release's, rooted at the host's tree in use) can be built into, and
    /// returns which.
    static func fill(
        _ storage: some PieceStorage, metainfo: Metainfo, from index: ArchiveIndex, cache: ReuseCache
    ) throws -> Outcome {
        var outcome = Outcome(pieces: PieceSet(pieceCount: metainfo.pieceCount))
        guard index.manifest.tarLength == metainfo.length else { return outcome }
        let archive = TreeArchive(index.manifest, openFileLimit: 64, checksFiles: false)
        let layout = PieceLayout(metainfo.geometry)
        var recipes = PieceRecipes(archive: archive)
        var contents = HeldContents(index: index, cache: cache)
        var buffer = [UInt8](repeating: 0, count: metainfo.pieceLength)
        for piece in 0..<metainfo.pieceCount {
            let offset = Int64(piece) * Int64(metainfo.pieceLength)
            let count = metainfo.expectedLength(ofPiece: piece)
            // Whether `buffer` holds the whole piece as built from the tree (its check failed).
            var readWhole = false
            if let key = try recipes.key(at: offset, count: count) {
                let expected = Array(metainfo.pieceHash(at: piece))
                let known = cache.pieces[key] == expected
                readWhole = buffer.withUnsafeMutableBytes { buffer in
                    // A file that ends early or went away since its stat leaves the piece to the swarm.
                    (try? archive.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]))) != nil
                }
                if readWhole && !known { outcome.hashedBytes += Int64(count) }
                let built = readWhole && (known || buffer.withUnsafeBytes {
                    Insecure.SHA1.hash(data: UnsafeRawBufferPointer(rebasing: $0[..<count])).elementsEqual(expected)
                })
                if built {
                    try buffer.withUnsafeBytes { try storage.write(at: offset, UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                    _ = outcome.pieces.insert(piece)
                    outcome.bytes += Int64(count)
                    continue
                }
            }
            let blockCount = layout.blockCount(inPiece: piece)
            let blocks = try contents.heldBlocks(of: archive, at: offset, count: count, blockCount: blockCount, recipes: &recipes)
            // All of a piece that failed its check cannot be right: leave it to the swarm.
            guard !blocks.isEmpty, blocks.count < blockCount else { continue }
            var written: [Int] = []
            for run in blocks.contiguousRuns() {
                let start = run.lowerBound * PieceGeometry.blockLength
                let end = min(count, run.upperBound * PieceGeometry.blockLength)
                // The bytes are in `buffer` already when the whole piece was read.
                let read = readWhole || buffer.withUnsafeMutableBytes { buffer in
                    (try? archive.read(at: offset + Int64(start), into: UnsafeMutableRawBufferPointer(rebasing: buffer[start..<end]))) != nil
                }
                guard read else { continue }
                try buffer.withUnsafeBytes { try storage.write(at: offset + Int64(start), UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
                written += Array(run)
                outcome.bytes += Int64(end - start)
            }
            if !written.isEmpty { outcome.blocks[piece] = written }
        }
        outcome.hashedBytes += contents.hashedBytes
        return outcome
    }

    /// The cache for the tree at `index.manifest.root` once it holds this release, as
    /// installed: every piece's key with the files as they are now and the hash the torrent
    /// gives it, and every file's status with its digest from the index. Nothing is read but
    /// the files' status.
    static func cache(for index: ArchiveIndex, metainfo: Metainfo) throws -> ReuseCache {
        var cache = ReuseCache()
        guard index.manifest.tarLength == metainfo.length else { return cache }
        var recipes = PieceRecipes(archive: TreeArchive(index.manifest, checksFiles: false))
        for piece in 0..<metainfo.pieceCount {
            let offset = Int64(piece) * Int64(metainfo.pieceLength)
            guard let key = try recipes.key(at: offset, count: metainfo.expectedLength(ofPiece: piece)) else { continue }
            cache.pieces[key] = Array(metainfo.pieceHash(at: piece))
        }
        for (entry, digest) in index.digests {
            guard let identity = recipes.identity(of: entry), identity.size == index.manifest.entries[entry].size else { continue }
            cache.files[index.manifest.entries[entry].path] = ReuseCache.FileRecord(identity: identity, digest: digest)
        }
        return cache
    }
}

/// Which files of the new release the host's tree holds as they are in it: the file of the
/// same path whose contents match the entry's digest in the index. The digest of a file whose
/// status the cache recorded is the cache's; any other file of the right size is hashed once.
struct HeldContents {
    let index: ArchiveIndex
    let cache: ReuseCache
    private var held: [Int: Bool] = [:]
    /// Bytes of files hashed to find their digest.
    private(set) var hashedBytes: Int64 = 0

    init(index: ArchiveIndex, cache: ReuseCache) {
        self.index = index
        self.cache = cache
    }

    /// The blocks (of `PieceGeometry.blockLength`, `blockCount` of them) of `offset..<offset +
    /// count` whose bytes are all header bytes, padding or bytes of held files, in order.
    mutating func heldBlocks(
        of archive: TreeArchive, at offset: Int64, count: Int, blockCount: Int, recipes: inout PieceRecipes
    ) throws -> [Int] {
        let blockLength = PieceGeometry.blockLength
        var lacking = Set<Int>()
        var position = 0
        for part in try archive.parts(at: offset, count: count) {
            let length: Int
            switch part {
            case .header(_, let range): length = range.count
            case .zeros(let count): length = count
            case .file(let entry, _, let count):
                length = count
                if count > 0, !holds(entry, recipes: &recipes) {
                    lacking.formUnion((position / blockLength)...((position + count - 1) / blockLength))
                }
            }
            position += length
        }
        return (0..<blockCount).filter { !lacking.contains($0) }
    }

    private mutating func holds(_ entry: Int, recipes: inout PieceRecipes) -> Bool {
        if let known = held[entry] { return known }
        let answer = digestMatches(entry, recipes: &recipes)
        held[entry] = answer
        return answer
    }

    private mutating func digestMatches(_ entry: Int, recipes: inout PieceRecipes) -> Bool {
        let file = index.manifest.entries[entry]
        guard let digest = index.digests[entry], let identity = recipes.identity(of: entry), identity.size == file.size else {
            return false
        }
        if let record = cache.files[file.path], record.identity == identity { return record.digest == digest }
        hashedBytes += file.size
        return (try? FileDigest.ofFile(at: index.manifest.root + "/" + file.path)) == digest
    }
}

extension [Int] {
    /// Runs of consecutive numbers in a sorted array, as ranges.
    func contiguousRuns() -> [Range<Int>] {
        var runs: [Range<Int>] = []
        for value in self {
            if let last = runs.last, last.upperBound == value {
                runs[runs.count - 1] = last.lowerBound..<(value + 1)
            } else {
                runs.append(value..<(value + 1))
            }
        }
        return runs
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

    /// The status of entry `entry`'s file in the tree, looked up once.
    mutating func identity(of entry: Int) -> FileIdentity? {
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

    /// How many numbers `numbers` holds.
    static let numberCount = 7

    /// The status as numbers, in declaration order (for `ReuseCache`'s file).
    var numbers: [UInt64] {
        [device, inode, UInt64(bitPattern: size), UInt64(bitPattern: modifiedSeconds), UInt64(bitPattern: modifiedNanoseconds),
         UInt64(bitPattern: changedSeconds), UInt64(bitPattern: changedNanoseconds)]
    }

    /// The status `numbers` gives (`numberCount` of them).
    init(numbers: [UInt64]) {
        device = numbers[0]
        inode = numbers[1]
        size = Int64(bitPattern: numbers[2])
        modifiedSeconds = Int64(bitPattern: numbers[3])
        modifiedNanoseconds = Int64(bitPattern: numbers[4])
        changedSeconds = Int64(bitPattern: numbers[5])
        changedNanoseconds = Int64(bitPattern: numbers[6])
    }

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
