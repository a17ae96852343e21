import Glibc
import Installer

/// What a host remembers about the tree it holds: for each piece of the last release it
/// installed, the piece's SHA-1 under a key that names exactly where its bytes came from (see
/// `PieceRecipes`). On the next push a piece whose key is known and whose hash the new torrent
/// asks for is copied without reading it twice; anything else is hashed as it is read.
///
/// On disk beside the destination (`.NAME.swarmdeploy.pieces`): the line
/// "swarmdeploy-pieces 1\n", then 40 bytes per piece (key, then hash). A missing, short or
/// foreign file is an empty cache: the cache only saves work, it never decides what is true.
struct PieceHashCache: Equatable {
    static let magic = Array("swarmdeploy-pieces 1\n".utf8)
    /// A cache file larger than this is ignored (a million pieces).
    static let largestFile = magic.count + 40 * 1_000_000

    private(set) var hashes: [[UInt8]: [UInt8]] = [:]

    init() {}

    subscript(key: [UInt8]) -> [UInt8]? {
        get { hashes[key] }
        set { hashes[key] = newValue }
    }

    var count: Int { hashes.count }

    /// The cache at `path`, empty when there is none or it cannot be read.
    static func load(from path: String) -> PieceHashCache {
        var cache = PieceHashCache()
        guard let bytes = try? SmallFile.readBytes(path, limit: largestFile), bytes.starts(with: magic),
            (bytes.count - magic.count) % 40 == 0
        else { return cache }
        var offset = magic.count
        while offset < bytes.count {
            cache.hashes[Array(bytes[offset..<(offset + 20)])] = Array(bytes[(offset + 20)..<(offset + 40)])
            offset += 40
        }
        return cache
    }

    /// Writes the cache to `path` through a temporary file and a rename, so a reader sees the
    /// old cache or the new one, never half of one.
    func save(to path: String) throws {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.magic.count + 40 * hashes.count)
        for (key, hash) in hashes.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            bytes += key
            bytes += hash
        }
        try SmallFile.write(bytes, to: path)
    }

    /// Removes the cache at `path`, if any: the tree it described is no longer in use.
    static func remove(at path: String) {
        unlink(path)
    }
}
