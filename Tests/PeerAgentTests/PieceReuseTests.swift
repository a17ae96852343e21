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
    /// Four blocks a piece, so a piece can be partly built.
    static let pieceLength = 64 * 1024

    typealias Release = (index: ArchiveIndex, metainfo: Metainfo, bytes: [UInt8])

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
        try Data().write(to: URL(fileURLWithPath: root + "/src/empty"))
    }

    /// The release's archive, index and torrent, as a push packs them (aligned, plain tar,
    /// file digests taken).
    func pack(_ root: String) throws -> Release {
        var bytes: [UInt8] = []
        var options = PayloadOptions(name: "app.tar", pieceLength: Self.pieceLength)
        options.digestsFiles = true
        let payload = try PayloadBuilder.build(TreeScanner.scan(root: root), options: options) { bytes += $0 }
        return (payload.index, payload.metainfo, bytes)
    }

    /// What `PieceReuse.fill` builds into a fresh download of `release` from `tree`.
    func reuse(_ release: Release, from tree: String, cache: ReuseCache = ReuseCache(), in tmp: TemporaryDirectory) throws -> PieceReuse.Outcome {
        let storage = try FilePieceStorage(path: tmp.path("download-\(UInt32.random(in: 0...UInt32.max)).tar"), length: release.metainfo.length, mode: .createNew)
        let index = try ArchiveIndex(encoded: release.index.encoded(), root: tree)
        let outcome = try PieceReuse.fill(storage, metainfo: release.metainfo, from: index, cache: cache)
        // Every piece and every block built is the archive's, byte for byte.
        var built: Int64 = 0
        for piece in 0..<release.metainfo.pieceCount {
            let offset = piece * Self.pieceLength
            let count = release.metainfo.expectedLength(ofPiece: piece)
            if outcome.pieces.contains(piece) {
                #expect(outcome.blocks[piece] == nil)
                #expect(try storage.read(at: Int64(offset), count: count) == Array(release.bytes[offset..<(offset + count)]), "piece \(piece)")
                built += Int64(count)
            }
            for block in outcome.blocks[piece] ?? [] {
                let start = offset + block * PieceGeometry.blockLength
                let end = min(offset + count, start + PieceGeometry.blockLength)
                #expect(try storage.read(at: Int64(start), count: end - start) == Array(release.bytes[start..<end]), "piece \(piece) block \(block)")
                built += Int64(end - start)
            }
        }
        #expect(outcome.bytes == built)
        return outcome
    }

    /// The bytes of the archive a host still has to fetch after `outcome`.
    func left(_ outcome: PieceReuse.Outcome, of release: Release) -> Int64 {
        Int64(release.metainfo.length) - outcome.bytes
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

            let outcome = try reuse(release, from: old, in: tmp)
            // Left to fetch: the piece of the aligned file with the edit, and the blocks that
            // hold the changed and the added small file (two each at most).
            let block = Int64(PieceGeometry.blockLength)
            #expect(left(outcome, of: release) > 0)
            #expect(left(outcome, of: release) <= Int64(Self.pieceLength) + 4 * block, "\(left(outcome, of: release)) bytes left")
            #expect(!outcome.blocks.isEmpty, "the pieces of small files are built in part")
            #expect(outcome.hashedBytes >= Int64(outcome.pieces.count * Self.pieceLength) - Int64(Self.pieceLength))

            // The same release from its own tree: everything.
            #expect(try reuse(release, from: new, in: tmp).pieces.isFull)
        }
    }

    /// A release built anew (a fresh checkout: every file's time new, so every header differs)
    /// with one small file changed: the unchanged files' bytes are still built, headers and all.
    @Test func aReleaseWithNewTimesIsBuiltAllButItsChangedBlocks() throws {
        try withTemporaryDirectory { tmp in
            let old = tmp.path("old")
            let new = tmp.path("new")
            try makeRelease(at: old)
            try makeRelease(at: new)
            try Data(SplitMix64.bytes(count: 700 + 20 * 37, seed: 9)).write(to: URL(fileURLWithPath: new + "/src/f20.txt"))
            let later = Date(timeIntervalSinceNow: 3600)
            for path in try FileManager.default.subpathsOfDirectory(atPath: new) {
                try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: new + "/" + path)
            }
            let release = try pack(new)

            let outcome = try reuse(release, from: old, in: tmp)
            #expect(left(outcome, of: release) > 0)
            #expect(left(outcome, of: release) <= 2 * Int64(PieceGeometry.blockLength), "\(left(outcome, of: release)) bytes left")
            #expect((1...2).contains(outcome.blocks.count), "only the pieces with the changed file are built in part")
        }
    }

    @Test func theCacheSkipsHashingButALocallyChangedFileIsNotTrusted() throws {
        try withTemporaryDirectory { tmp in
            let tree = tmp.path("tree")
            try makeRelease(at: tree)
            let release = try pack(tree)
            // As recorded after the install.
            let cache = try PieceReuse.cache(for: ArchiveIndex(encoded: release.index.encoded(), root: tree), metainfo: release.metainfo)
            #expect(cache.pieces.count == release.metainfo.pieceCount)
            #expect(cache.files.count == release.index.manifest.fileCount)
            let path = tmp.path(".app.swarmdeploy.reuse")
            try cache.save(to: path)
            #expect(ReuseCache.load(from: path) == cache)

            let known = try reuse(release, from: tree, cache: ReuseCache.load(from: path), in: tmp)
            #expect(known.pieces.isFull)
            #expect(known.hashedBytes == 0)

            // Someone edits a file on the host, keeping its size: its pieces are hashed, the one
            // edited is found wrong, and no block of that file is trusted.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: tree + "/lib/big-2.so"))
            try handle.seek(toOffset: 50_000)
            try handle.write(contentsOf: Data(repeating: 0x42, count: 10))
            try handle.close()
            let after = try reuse(release, from: tree, cache: cache, in: tmp)
            #expect(after.pieces.count == release.metainfo.pieceCount - 1)
            #expect(after.blocks.isEmpty)
            #expect(after.hashedBytes > 0)
            // The edited file's pieces (it is not aligned at this size) and its digest; nothing else.
            #expect(after.hashedBytes <= Int64(5 * Self.pieceLength + 202_000), "\(after.hashedBytes)")
        }
    }

    @Test func aBrokenCacheFileIsAnEmptyCache() throws {
        try withTemporaryDirectory { tmp in
            let path = tmp.path("reuse")
            #expect(ReuseCache.load(from: path) == ReuseCache())
            for text in ["swarmdeploy-reuse 1\nshort", "swarmdeploy-reuse 1\n\u{FF}\u{FF}\u{FF}\u{FF}\u{FF}\u{FF}\u{FF}\u{7F}", "something else entirely, forty bytes long........."] {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                #expect(ReuseCache.load(from: path) == ReuseCache(), "\(text)")
            }
            // A good cache cut anywhere is no cache.
            var cache = ReuseCache()
            cache.pieces[Array(repeating: 1, count: 20)] = Array(repeating: 2, count: 20)
            cache.files["a/b"] = ReuseCache.FileRecord(
                identity: FileIdentity(numbers: [1, 2, 3, 4, 5, 6, 7]), digest: FileDigest(bytes: Array(repeating: 9, count: 16)))
            try cache.save(to: path)
            let whole = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(ReuseCache.load(from: path) == cache)
            for cut in [whole.count - 1, whole.count - 17, ReuseCache.magic.count + 8 + 40] {
                try Data(whole.prefix(cut)).write(to: URL(fileURLWithPath: path))
                #expect(ReuseCache.load(from: path) == ReuseCache(), "cut at \(cut)")
            }
        }
    }

    @Test func theIndexRoundTripsAndAMalformedOneIsRefused() throws {
        try withTemporaryDirectory { tmp in
            let tree = tmp.path("tree")
            try makeRelease(at: tree)
            try FileManager.default.createSymbolicLink(atPath: tree + "/current-lib", withDestinationPath: "lib/big-0.so")
            let release = try pack(tree)
            #expect(release.index.digests.count == release.index.manifest.fileCount)
            let index = try release.index.encoded()
            let decoded = try ArchiveIndex(encoded: index, root: "/elsewhere")
            #expect(decoded.manifest.entries == release.index.manifest.entries)
            #expect(decoded.manifest.paddedHeaders == release.index.manifest.paddedHeaders)
            #expect(decoded.digests == release.index.digests)
            #expect(decoded.manifest.tarLength == release.metainfo.length)
            #expect(decoded.manifest.root == "/elsewhere")
            #expect(throws: ArchiveError.self) { try ArchiveIndex(encoded: Array(index.prefix(index.count / 2)), root: "/x") }
            #expect(throws: ArchiveError.self) { try ArchiveIndex(encoded: Array("not an index".utf8), root: "/x") }
        }
    }
}
