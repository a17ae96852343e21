import Archive
import Glibc
import Installer

/// What a host remembers about the tree it holds, so the next push reuses it without reading
/// it twice (see `PieceReuse`):
/// - for each piece of the last release it installed, the piece's SHA-1 under a key that names
///   exactly where its bytes came from (see `PieceRecipes`): a piece whose key is known and
///   whose hash the new torrent asks for is copied without hashing;
/// - for each file it installed, the file's status and content digest (from the archive's
///   index): a file whose status is unchanged needs no hashing to say what it holds.
///
/// On disk beside the destination (`.NAME.swarmdeploy.reuse`): the line "swarmdeploy-reuse 1\n";
/// the piece count (8 bytes, little-endian) and 40 bytes per piece (key, then hash); the file
/// count and per file its path (2-byte length, bytes), status (seven 8-byte numbers) and
/// digest (16 bytes). A missing, short or foreign file is an empty cache: the cache only saves
/// work, it never decides what is true.
struct ReuseCache: Equatable {
    struct FileRecord: Equatable {
        var identity: FileIdentity
        var digest: FileDigest
    }

    static let magic = Array("swarmdeploy-reuse 1\n".utf8)
    /// A cache file larger than this is ignored (a million pieces and a million files fit).
    static let largestFile = 512 << 20

    var pieces: [[UInt8]: [UInt8]] = [:]
    var files: [String: FileRecord] = [:]

    init() {}

    /// The cache at `path`, empty when there is none or it cannot be read.
    static func load(from path: String) -> ReuseCache {
        guard let bytes = try? SmallFile.readBytes(path, limit: largestFile), bytes.starts(with: magic) else { return ReuseCache() }
        var reader = CacheReader(bytes: bytes, position: magic.count)
        return reader.cache() ?? ReuseCache()
    }

    /// Writes the cache to `path` through a temporary file and a rename, so a reader sees the
    /// old cache or the new one, never half of one.
    func save(to path: String) throws {
        var bytes = Self.magic
        bytes.appendNumber(UInt64(pieces.count))
        for (key, hash) in pieces.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            bytes += key
            bytes += hash
        }
        let paths = files.keys.filter { $0.utf8.count <= Int(UInt16.max) }.sorted()
        bytes.appendNumber(UInt64(paths.count))
        for path in paths {
            let record = files[path]!
            bytes += [UInt8(truncatingIfNeeded: path.utf8.count), UInt8(truncatingIfNeeded: path.utf8.count >> 8)]
            bytes += path.utf8
            for number in record.identity.numbers { bytes.appendNumber(number) }
            bytes += record.digest.bytes
        }
        try SmallFile.write(bytes, to: path)
    }

    /// Removes the cache at `path`, if any: the tree it described is no longer in use.
    static func remove(at path: String) {
        unlink(path)
    }
}

/// Reads a cache file's records; nil at the first thing out of place.
private struct CacheReader {
    let bytes: [UInt8]
    var position: Int

    mutating func cache() -> ReuseCache? {
        var cache = ReuseCache()
        guard let pieceCount = number(), pieceCount <= UInt64((bytes.count - position) / 40) else { return nil }
        for _ in 0..<Int(pieceCount) {
            guard let key = take(20), let hash = take(20) else { return nil }
            cache.pieces[key] = hash
        }
        guard let fileCount = number(), fileCount <= UInt64((bytes.count - position) / 74) else { return nil }
        for _ in 0..<Int(fileCount) {
            guard let length = take(2), let path = take(Int(length[0]) | Int(length[1]) << 8),
                let path = String(validating: path, as: UTF8.self)
            else { return nil }
            var numbers: [UInt64] = []
            for _ in 0..<FileIdentity.numberCount {
                guard let value = number() else { return nil }
                numbers.append(value)
            }
            guard let digest = take(FileDigest.byteCount) else { return nil }
            cache.files[path] = ReuseCache.FileRecord(identity: FileIdentity(numbers: numbers), digest: FileDigest(bytes: digest))
        }
        return position == bytes.count ? cache : nil
    }

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count <= bytes.count - position else { return nil }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func number() -> UInt64? {
        take(8).map { $0.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
    }
}

extension [UInt8] {
    fileprivate mutating func appendNumber(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
