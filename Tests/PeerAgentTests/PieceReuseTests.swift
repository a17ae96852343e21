import Archive
import Foundation
import PayloadPacking
import Swarm
import Testing
import TestSupport
import TorrentMetainfo

@testable import PeerAgent

/// A host builds the pieces of a new release from the tree it holds: only pieces whose bytes
/// match the torrent, byte for byte the archive the controller made.
@Suite struct PieceReuseTests {
    static let pieceLength = 16 * 1024

    /// A release-like tree: a few large files and many small ones.
    func makeRelease(at root: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/lib", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/src", withIntermediateDirectories: true)
        for index in 0..<3 {
            try Data(SplitMix64.bytes(count: 200_000 + index * 1000, seed: UInt64(index))).write(to: URL(fileURLWithPath: root + "/lib/big-\(index).so"))
        }
        for index in 0..<60 {
            try Data(SplitMix64.bytes(count: 700 + index * 37, seed: UInt64(100 + index))).write(to: URL(fileURLWithPath: root + "/src/f\(index).txt"))
        }
    }

    /// The release's archive and torrent, as a push packs them (aligned, plain tar).
    func pack(_ root: String) throws -> (manifest: ArchiveManifest, metainfo: Metainfo, bytes: [UInt8]) {
        var bytes: [UInt8] = []
        let payload = try PayloadBuilder.build(
            TreeScanner.scan(root: root), options: PayloadOptions(name: "app.tar", pieceLength: Self.pieceLength)
        ) { bytes += $0 }
        return (payload.manifest, payload.metainfo, bytes)
    }

    /// What `PieceReuse.fill` builds into a fresh download of `release` from `tree`.
    func reuse(_ release: (manifest: ArchiveManifest, metainfo: Metainfo, bytes: [UInt8]), from tree: String, cache: PieceHashCache = PieceHashCache(), in tmp: TemporaryDirectory) throws -> (PieceReuse.Outcome, FilePieceStorage) {
        let storage = try FilePieceStorage(path: tmp.path("download-\(UInt32.random(in: 0...UInt32.max)).tar"), length: release.metainfo.length, mode: .createNew)
        let manifest = try ArchiveManifest(index: release.manifest.encodedIndex(), root: tree)
        let outcome = try PieceReuse.fill(storage, metainfo: release.metainfo, from: manifest, cache: cache)
        // Every piece built is the archive's, byte for byte.
        for piece in 0..<release.metainfo.pieceCount where outcome.pieces.contains(piece) {
            let offset = piece * Self.pieceLength
            let count = release.metainfo.expectedLength(ofPiece: piece)
            #expect(try storage.read(at: Int64(offset), count: count) == Array(release.bytes[offset..<(offset + count)]), "piece \(piece)")
        }
        return (outcome, storage)
    }

    @Test func aNewReleaseIsBuiltFromTheOldTreeExceptWhatChanged() throws {
        try withTemporaryDirectory { tmp in
            let old = tmp.path("old")
            let new = tmp.path("new")
            try makeRelease(at: old)
            try makeRelease(at: new)
            // The new release: one large file edited in the middle, a small file changed, one
            // added and one removed.
            let edited = new + "/lib/big-1.so"
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: edited)))
            for index in 100_000..<100_100 { bytes[index] ^= 0xFF }
            try Data(bytes).write(to: URL(fileURLWithPath: edited))
            try Data("changed\n".utf8).write(to: URL(fileURLWithPath: new + "/src/f7.txt"))
            try Data("added\n".utf8).write(to: URL(fileURLWithPath: new + "/src/zz-added.txt"))
            try FileManager.default.removeItem(atPath: new + "/src/f30.txt")
            let release = try pack(new)

            let (outcome, _) = try reuse(release, from: old, in: tmp)
            let count = release.metainfo.pieceCount
            // The edit spoils one piece of the aligned file; the small files' changes a few of theirs.
            #expect(outcome.pieces.count >= count - 8, "\(outcome.pieces.count) of \(count)")
            #expect(outcome.pieces.count < count)
            #expect(outcome.bytes == (0..<count).filter(outcome.pieces.contains).reduce(0) { $0 + Int64(release.metainfo.expectedLength(ofPiece: $1)) })
            #expect(outcome.hashedBytes >= outcome.bytes)

            // The same release from its own tree: everything.
            let (all, _) = try reuse(release, from: new, in: tmp)
            #expect(all.pieces.isFull)
        }
    }

    @Test func theCacheSkipsHashingButALocallyChangedFileIsNotTrusted() throws {
        try withTemporaryDirectory { tmp in
            let tree = tmp.path("tree")
            try makeRelease(at: tree)
            let release = try pack(tree)
            // As recorded after the install.
            let cache = try PieceReuse.cache(for: ArchiveManifest(index: release.manifest.encodedIndex(), root: tree), metainfo: release.metainfo)
            #expect(cache.count == release.metainfo.pieceCount)
            let path = tmp.path(".app.swarmdeploy.pieces")
            try cache.save(to: path)
            #expect(PieceHashCache.load(from: path) == cache)

            let (known, _) = try reuse(release, from: tree, cache: PieceHashCache.load(from: path), in: tmp)
            #expect(known.pieces.isFull)
            #expect(known.hashedBytes == 0)

            // Someone edits a file on the host, keeping its size: its pieces are hashed, found
            // wrong and left to the swarm.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: tree + "/lib/big-2.so"))
            try handle.seek(toOffset: 50_000)
            try handle.write(contentsOf: Data(repeating: 0x42, count: 10))
            try handle.close()
            let (after, _) = try reuse(release, from: tree, cache: cache, in: tmp)
            #expect(after.pieces.count == release.metainfo.pieceCount - 1)
            #expect(after.hashedBytes > 0)
            #expect(after.hashedBytes < Int64(release.bytes.count) / 2)
        }
    }

    @Test func aBrokenCacheFileIsAnEmptyCache() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path("pieces")
            #expect(PieceHashCache.load(from: path).count == 0)
            try Data("swarmdeploy-pieces 1\nshort".utf8).write(to: URL(fileURLWithPath: path))
            #expect(PieceHashCache.load(from: path).count == 0)
            try Data("something else entirely, forty bytes long.........".utf8).write(to: URL(fileURLWithPath: path))
            #expect(PieceHashCache.load(from: path).count == 0)
        }
    }

    @Test func theIndexRoundTripsAndAMalformedOneIsRefused() throws {
        try withTemporaryDirectory { tmp in
            let tree = tmp.path("tree")
            try makeRelease(at: tree)
            try FileManager.default.createSymbolicLink(atPath: tree + "/current-lib", withDestinationPath: "lib/big-0.so")
            let release = try pack(tree)
            let index = try release.manifest.encodedIndex()
            let decoded = try ArchiveManifest(index: index, root: "/elsewhere")
            #expect(decoded.entries == release.manifest.entries)
            #expect(decoded.paddedHeaders == release.manifest.paddedHeaders)
            #expect(decoded.tarLength == release.metainfo.length)
            #expect(decoded.root == "/elsewhere")
            #expect(throws: ArchiveError.self) { try ArchiveManifest(index: Array(index.prefix(index.count / 2)), root: "/x") }
            #expect(throws: ArchiveError.self) { try ArchiveManifest(index: Array("not an index".utf8), root: "/x") }
        }
    }
}
