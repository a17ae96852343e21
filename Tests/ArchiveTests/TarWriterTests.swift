import Foundation
import Testing
import TestSupport

@testable import Archive

func packBytes(_ manifest: ArchiveManifest, compression: ArchiveCompression = .none) throws -> [UInt8] {
    var bytes: [UInt8] = []
    let written = try ArchivePacker.pack(manifest, options: PackOptions(compression: compression)) { bytes += $0 }
    #expect(written == Int64(bytes.count))
    return bytes
}

/// `bytes` through `decompressor`, fed `chunk` bytes at a time (all at once when nil).
func decoded(_ bytes: [UInt8], by decompressor: some StreamDecompressor, chunk: Int? = nil) throws -> [UInt8] {
    var output: [UInt8] = []
    try bytes.withUnsafeBytes { all in
        let step = chunk ?? max(all.count, 1)
        var offset = 0
        while offset < all.count {
            let end = min(offset + step, all.count)
            try decompressor.decompress(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { output += $0 }
            offset = end
        }
    }
    try decompressor.finish { output += $0 }
    return output
}

@Suite struct TarWriterTests {
    @Test func sameTreeGivesIdenticalBytesAndDeclaredLength() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            let first = try packBytes(TreeScanner.scan(root: root))
            let manifest = try TreeScanner.scan(root: root)
            let second = try packBytes(manifest)
            #expect(first == second)
            #expect(Int64(first.count) == manifest.tarLength)
            #expect(first.count % 512 == 0)
            #expect(first.suffix(1024).allSatisfy { $0 == 0 })

            let gzipA = try packBytes(manifest, compression: .gzip(level: 6))
            let gzipB = try packBytes(manifest, compression: .gzip(level: 6))
            #expect(gzipA == gzipB)
            #expect(gzipA.count < first.count)
        }
    }

    @Test func creationOrderDoesNotChangeTheArchive() throws {
        try withTemporaryDirectory { tmp in
            try makeSampleTree(at: tmp.path("one"))
            try makeSampleTree(at: tmp.path("two"), reverseOrder: true)
            let one = try packBytes(TreeScanner.scan(root: tmp.path("one")))
            let two = try packBytes(TreeScanner.scan(root: tmp.path("two")))
            #expect(one == two)
        }
    }

    @Test func namesUseUstarWhenTheyFitAndPaxOtherwise() throws {
        func firstTypeflag(_ path: String, kind: ArchiveEntry.Kind = .file) throws -> Character {
            let entry = ArchiveEntry(path: path, kind: kind, mode: 0o644, mtime: 1, uid: 0, gid: 0, size: 0)
            let blocks = try TarHeaderEncoder.headerBlocks(for: entry)
            return Character(Unicode.Scalar(blocks[156]))
        }
        #expect(try firstTypeflag(String(repeating: "a", count: 100)) == "0")
        #expect(try firstTypeflag(path150) == "0")  // prefix/name split
        #expect(try firstTypeflag(String(repeating: "a", count: 101)) == "x")  // no slash to split at
        #expect(try firstTypeflag(path300) == "x")
        #expect(try firstTypeflag("ünïcødé") == "x")
        #expect(try firstTypeflag("l", kind: .symlink(target: String(repeating: "t", count: 100))) == "2")
        #expect(try firstTypeflag("l", kind: .symlink(target: String(repeating: "t", count: 101))) == "x")

        let split = try TarHeaderEncoder.headerBlocks(
            for: ArchiveEntry(path: path150, kind: .file, mode: 0o644, mtime: 1, uid: 0, gid: 0, size: 0))
        let name = String(decoding: split[0..<100].prefix { $0 != 0 }, as: UTF8.self)
        let prefix = String(decoding: split[345..<500].prefix { $0 != 0 }, as: UTF8.self)
        #expect(prefix + "/" + name == path150)
    }

    @Test func largeNumbersGoToPaxRecords() throws {
        let entry = ArchiveEntry(
            path: "big", kind: .file, mode: 0o644, mtime: -5, uid: 4_000_000_000, gid: 3_000_000, size: 9 << 30)
        let blocks = try TarHeaderEncoder.headerBlocks(for: entry)
        #expect(blocks[156] == UInt8(ascii: "x"))
        var reader = TarReader(limits: .init(maxEntrySize: 10 << 30))
        var decoded: TarEntryHeader?
        try blocks.withUnsafeBytes { bytes in
            try reader.feed(bytes) { if case .entry(let header) = $0 { decoded = header } }
        }
        #expect(decoded?.size == 9 << 30)
        #expect(decoded?.uid == 4_000_000_000)
        #expect(decoded?.gid == 3_000_000)
        #expect(decoded?.mtime == -5)
    }

    @Test func paxRecordLengthCountsItsOwnDigits() {
        for valueLength in [0, 1, 85, 86, 87, 990, 995, 996, 997, 10_000] {
            let record = TarHeaderEncoder.paxRecord(key: "path", value: String(repeating: "v", count: valueLength))
            let digits = record.prefix { $0 != UInt8(ascii: " ") }
            #expect(Int(String(decoding: digits, as: UTF8.self)) == record.count)
        }
    }

    @Test func fileChangedAfterScanIsReported() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try writeFile(root + "/grows.txt", "short")
            let manifest = try TreeScanner.scan(root: root)
            try writeFile(root + "/grows.txt", "much longer now")
            let error = try #require(throws: ArchiveError.self) { try TarWriter.write(manifest) { _ in } }
            #expect(error.code == .changedDuringArchive)
            #expect(error.path == root + "/grows.txt")
        }
    }
}
