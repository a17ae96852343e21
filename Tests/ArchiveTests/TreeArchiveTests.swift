import Foundation
import Testing
import TestSupport

@testable import Archive

/// The archive read from the tree at any offset is the archive `TarWriter` writes.
@Suite struct TreeArchiveTests {
    @Test func everyRangeReadsAsTheWrittenArchive() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            for index in 0..<40 {
                try writeFile(root + "/many/f\(index)", SplitMix64.bytes(count: index * 311, seed: UInt64(index)))
            }
            let manifest = try TreeScanner.scan(root: root)
            let written = try packBytes(manifest)
            let archive = TreeArchive(manifest, openFileLimit: 3)
            #expect(archive.length == Int64(written.count))

            // Whole, in pieces of several sizes (crossing headers, data, padding and the end),
            // and at random places.
            var generator = SplitMix64(seed: 5)
            var ranges: [(Int, Int)] = [(0, written.count)]
            for size in [512, 16_384, 65_536, 100_003] {
                ranges += stride(from: 0, to: written.count, by: size).map { ($0, min(size, written.count - $0)) }
            }
            for _ in 0..<300 {
                let start = Int(generator.next() % UInt64(written.count))
                ranges.append((start, Int(generator.next() % UInt64(written.count - start + 1))))
            }
            for (start, count) in ranges {
                var bytes = [UInt8](repeating: 0xAA, count: count)
                try bytes.withUnsafeMutableBytes { try archive.read(at: Int64(start), into: $0) }
                #expect(bytes == Array(written[start..<(start + count)]), "bytes \(start)..<\(start + count)")
            }
        }
    }

    @Test func filesOverlappingARangeAreNamed() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try writeFile(root + "/a", SplitMix64.bytes(count: 2000, seed: 1))
            try writeFile(root + "/b", SplitMix64.bytes(count: 2000, seed: 2))
            let archive = try TreeArchive(TreeScanner.scan(root: root))
            // a's data starts after its 512-byte header; b's header follows a's 2048 bytes.
            #expect(archive.files(overlapping: 0, count: 512) == [])
            #expect(archive.files(overlapping: 600, count: 100) == ["a"])
            #expect(archive.files(overlapping: 2000, count: 1200) == ["a", "b"])
        }
    }

    @Test("a file changed since the scan is named, not served", arguments: ["grows", "touched", "symlink"])
    func aChangedFileIsNamed(change: String) throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try writeFile(root + "/file.bin", SplitMix64.bytes(count: 10_000, seed: 3))
            setMtime(root + "/file.bin", 1_000_000)
            let archive = try TreeArchive(TreeScanner.scan(root: root))
            switch change {
            case "grows": try writeFile(root + "/file.bin", SplitMix64.bytes(count: 10_001, seed: 3))
            case "touched": setMtime(root + "/file.bin", 2_000_000)
            default:
                try FileManager.default.removeItem(atPath: root + "/file.bin")
                try makeSymlink(root + "/file.bin", target: "/etc/passwd")
            }
            var bytes = [UInt8](repeating: 0, count: 4096)
            let error = try #require(throws: ArchiveError.self) {
                try bytes.withUnsafeMutableBytes { try archive.read(at: 1024, into: $0) }
            }
            #expect(error.path == root + "/file.bin")
            #expect(error.code == .changedDuringArchive || change == "symlink", "\(error)")
        }
    }
}
