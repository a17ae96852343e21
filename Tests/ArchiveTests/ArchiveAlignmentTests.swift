import Crypto
import Foundation
import Testing
import TestSupport

@testable import Archive

/// Piece-aligned archives: large files start on piece boundaries, the padding stays within
/// its bound, and every reader still sees the same tree.
@Suite struct ArchiveAlignmentTests {
    static let pieceLength = 16 * 1024

    /// The sample tree plus files around the piece length, some with pax headers of their own.
    func makeAlignedTree(at root: String) throws {
        try makeSampleTree(at: root)
        for (index, size) in [16 * 1024, 16 * 1024 + 1, 40_000, 100_000, 250_000].enumerated() {
            try writeFile(root + "/big/file-\(index).bin", SplitMix64.bytes(count: size, seed: UInt64(50 + index)))
        }
        try writeFile(root + "/big/" + String(repeating: "long-name-", count: 12) + ".bin", SplitMix64.bytes(count: 70_000, seed: 9))
        for index in 0..<30 {
            try writeFile(root + "/small/s\(index).txt", SplitMix64.bytes(count: index * 97, seed: UInt64(index)))
        }
    }

    /// Where each regular file's data starts in the archive.
    func dataStarts(_ manifest: ArchiveManifest) throws -> [String: Int64] {
        let starts = manifest.headerStarts()
        var result: [String: Int64] = [:]
        for (index, entry) in manifest.entries.enumerated() where entry.kind == .file {
            result[entry.path] = starts[index] + Int64(try manifest.headerBlocks(ofEntry: index).count)
        }
        return result
    }

    @Test func largeFilesStartOnPieceBoundariesWithinThePaddingBound() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeAlignedTree(at: root)
            let plain = try TreeScanner.scan(root: root)
            let aligned = try plain.aligningFiles(toPieceLength: Self.pieceLength, maxPaddingShare: 0.5)
            let starts = try dataStarts(aligned)
            let large = aligned.entries.filter { $0.kind == .file && $0.size >= Int64(Self.pieceLength) }
            #expect(large.count == 7)
            for entry in large {
                #expect(starts[entry.path]! % Int64(Self.pieceLength) == 0, "\(entry.path) starts at \(starts[entry.path]!)")
            }
            #expect(aligned.paddingBytes > 0)
            #expect(aligned.tarLength == plain.tarLength + aligned.paddingBytes)
            // The writer and the reader at offsets agree with the declared layout.
            let written = try packBytes(aligned)
            #expect(Int64(written.count) == aligned.tarLength)
            let archive = TreeArchive(aligned)
            var read = [UInt8](repeating: 0, count: written.count)
            try read.withUnsafeMutableBytes { try archive.read(at: 0, into: $0) }
            #expect(read == written)
            for entry in large {
                let start = Int(starts[entry.path]!)
                #expect(Array(written[start..<(start + Int(entry.size))]) == (try readBytes(root + "/" + entry.path)))
            }
        }
    }

    @Test func aTightBoundAlignsOnlyTheLargestFiles() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeAlignedTree(at: root)
            let plain = try TreeScanner.scan(root: root)
            let share = 0.02
            let aligned = try plain.aligningFiles(toPieceLength: Self.pieceLength, maxPaddingShare: share)
            #expect(Double(aligned.paddingBytes) <= share * Double(plain.tarLength))
            let starts = try dataStarts(aligned)
            // The tree is ~4 MiB: 2 % leaves room for about four worst cases of a 16 KiB piece,
            // taken largest first — the 3 MiB blob and the 250 kB file at least.
            #expect(starts["data/blob.bin"]! % Int64(Self.pieceLength) == 0)
            #expect(starts["big/file-4.bin"]! % Int64(Self.pieceLength) == 0)
            #expect(starts["big/file-0.bin"]! % Int64(Self.pieceLength) != 0 || aligned.paddedHeaders.count >= 5)
            #expect(try plain.aligningFiles(toPieceLength: Self.pieceLength, maxPaddingShare: 0).paddedHeaders.isEmpty)
        }
    }

    @Test func anUnchangedFileKeepsItsPiecesWhenAFileBeforeItChanges() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeAlignedTree(at: root)
            func pieces(of path: String) throws -> [[UInt8]] {
                let aligned = try TreeScanner.scan(root: root).aligningFiles(toPieceLength: Self.pieceLength, maxPaddingShare: 0.5)
                let written = try packBytes(aligned)
                let start = Int(try dataStarts(aligned)[path]!)
                let size = Int(aligned.entries.first { $0.path == path }!.size)
                return stride(from: start, to: start + size - Self.pieceLength + 1, by: Self.pieceLength).map { offset in
                    Array(Insecure.SHA1.hash(data: written[offset..<(offset + Self.pieceLength)]))
                }
            }
            let before = try pieces(of: "big/file-4.bin")
            // A file that sorts before it grows by a few blocks; one after it appears.
            try writeFile(root + "/big/file-1.bin", SplitMix64.bytes(count: 30_001, seed: 77))
            try writeFile(root + "/big/file-5.bin", SplitMix64.bytes(count: 20_000, seed: 78))
            let after = try pieces(of: "big/file-4.bin")
            #expect(before.count == 250_000 / Self.pieceLength)
            #expect(before == after)
        }
    }

    @Test func gnuTarAndOurExtractorGiveTheSameTree() async throws {
        try await withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeAlignedTree(at: root)
            let aligned = try TreeScanner.scan(root: root).aligningFiles(toPieceLength: Self.pieceLength, maxPaddingShare: 0.5)
            let archivePath = tmp.path("aligned.tar")
            try writeBytes(archivePath, packBytes(aligned))

            try makeDirectory(tmp.path("gnu"))
            let extract = try await ProcessRunner.run("tar", ["-xpf", archivePath, "-C", tmp.path("gnu")])
            #expect(extract.status == 0)
            #expect(extract.stderr == "")
            expectSameTree(try snapshot(root), try snapshot(tmp.path("gnu")))

            _ = try SafeExtractor(destination: tmp.path("ours"), limits: ExtractionLimits()).extract(archiveAt: archivePath)
            expectSameTree(try snapshot(root), try snapshot(tmp.path("ours")))
        }
    }

    /// A padded header of every length near the record-length digit boundaries is exactly
    /// that long and reads back as the same entry.
    @Test(arguments: [1024, 1536, 2048, 10 * 512, 20 * 512, 64 * 1024, 1 << 20])
    func paddedHeadersHaveTheAskedLength(length: Int) throws {
        for name in ["short.bin", String(repeating: "n", count: 120) + ".bin"] {
            let entry = ArchiveEntry(path: name, kind: .file, mode: 0o644, mtime: 1_700_000_000, uid: 0, gid: 0, size: 5)
            guard length >= (try TarHeaderEncoder.shortestPaddedLength(for: entry)) else { continue }
            let header = try TarHeaderEncoder.headerBlocks(for: entry, length: length)
            #expect(header.count == length)
            var reader = TarReader(limits: .init(maxEntrySize: 1 << 30, maxExtensionBytes: 2 << 20))
            var events: [TarEvent] = []
            try header.withUnsafeBytes { try reader.feed($0) { event in if case .entry = event { events.append(event) } } }
            guard case .entry(let read)? = events.first else {
                Issue.record("no entry in a \(length)-byte header: \(events)")
                continue
            }
            #expect(read.path == name)
            #expect(read.size == 5)
        }
    }

    /// A comment record cannot be exactly 100 or 1,000 bytes long (its length counts its own
    /// digits): where the padding needs one, the record is a byte shorter and the data's
    /// padding takes the byte. A path record of 412 (536) bytes leaves exactly 100 (1,000).
    @Test(arguments: [(402, 1536), (526, 2560)])
    func paddingThatNoRecordLengthFitsStillComesOut(nameLength: Int, length: Int) throws {
        let entry = ArchiveEntry(path: String(repeating: "n", count: nameLength), kind: .file, mode: 0o644, mtime: 7, uid: 0, gid: 0, size: 3)
        let header = try TarHeaderEncoder.headerBlocks(for: entry, length: length)
        #expect(header.count == length)
        var reader = TarReader(limits: .init(maxEntrySize: 1 << 30))
        var paths: [String] = []
        try header.withUnsafeBytes { try reader.feed($0) { event in if case .entry(let read) = event { paths.append(read.path) } } }
        #expect(paths == [entry.path])
    }

    @Test func aPaddedHeaderTooShortForItsRecordsIsRefused() throws {
        let entry = ArchiveEntry(path: "a.bin", kind: .file, mode: 0o644, mtime: 0, uid: 0, gid: 0, size: 1)
        #expect(throws: ArchiveError.self) { try TarHeaderEncoder.headerBlocks(for: entry, length: 512 + 256) }
        #expect(throws: ArchiveError.self) {
            try ArchiveManifest(root: "/x", entries: [entry], paddedHeaders: [0: 1000])
        }
        #expect(throws: ArchiveError.self) {
            try ArchiveManifest(root: "/x", entries: [entry], paddedHeaders: [3: 1024])
        }
    }

    /// The digests taken from the stream as it is packed are each file's own, whatever the
    /// chunks the stream comes in, padded headers and empty files included.
    @Test(arguments: [1, 511, 4096, 1 << 20])
    func fileDigestsTakenFromTheStreamAreTheFilesOwn(chunk: Int) throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeAlignedTree(at: root)
            try writeFile(root + "/small/empty", [UInt8]())
            let manifest = try TreeScanner.scan(root: root).aligningFiles(toPieceLength: Self.pieceLength, maxPaddingShare: 0.5)
            var archive: [UInt8] = []
            try TarWriter.write(manifest) { archive += $0 }
            var digests = ArchiveFileDigests(manifest)
            var offset = 0
            while offset < archive.count {
                let end = min(archive.count, offset + chunk)
                archive[offset..<end].withUnsafeBytes { digests.update($0) }
                offset = end
            }
            let files = manifest.entries.indices.filter { manifest.entries[$0].kind == .file }
            #expect(digests.digests.count == files.count)
            for index in files {
                let path = root + "/" + manifest.entries[index].path
                let expected = FileDigest(bytes: SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))))
                #expect(digests.digests[index] == expected, "\(manifest.entries[index].path)")
                #expect(try FileDigest.ofFile(at: path) == expected)
            }
        }
    }
}
