import Foundation
import Testing
import TestSupport

@testable import Archive

/// Extraction that follows a download: the archive file grows while it is read, and the
/// extractor reads only as far as the caller says is ready.
@Suite struct GrowingArchiveTests {
    /// Writes `archive` to `path` in `steps` parts, telling the extractor after each one how far
    /// it may read; the extractor must wait at every step and still restore the whole tree.
    @Test(arguments: [.none, .gzip(level: 6), .zstd(level: 3)] as [ArchiveCompression])
    func followsTheFileAsItGrows(compression: ArchiveCompression) throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            try writeFile(root + "/big.bin", (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let archive = try packBytes(TreeScanner.scan(root: root), compression: compression)
            let path = tmp.path("growing")
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }

            var written = 0
            var asks: [Int64] = []
            let step = archive.count / 7 + 1
            let summary = try SafeExtractor(destination: tmp.path("out"), limits: ExtractionLimits())
                .extract(growingArchiveAt: path, length: Int64(archive.count)) { consumed in
                    asks.append(consumed)
                    // Everything ready so far was read before the extractor asks again.
                    #expect(consumed == Int64(written))
                    let end = min(written + step, archive.count)
                    try handle.write(contentsOf: archive[written..<end])
                    written = end
                    return Int64(written)
                }
            #expect(asks.count == 7)
            #expect(written == archive.count)
            #expect(summary.bytes > 300_000)
            expectSameTree(try snapshot(root), try snapshot(tmp.path("out")))
        }
    }

    @Test func anErrorFromTheCallerStopsTheExtraction() throws {
        struct Abandoned: Error {}
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            let archive = try packBytes(TreeScanner.scan(root: root))
            let path = tmp.path("archive.tar")
            try writeBytes(path, Array(archive[..<1024]))
            var calls = 0
            #expect(throws: Abandoned.self) {
                try SafeExtractor(destination: tmp.path("out"), limits: ExtractionLimits())
                    .extract(growingArchiveAt: path, length: Int64(archive.count)) { consumed in
                        calls += 1
                        if consumed > 0 { throw Abandoned() }
                        return 1024
                    }
            }
            #expect(calls == 2)
        }
    }

    @Test func aFileShorterThanPromisedIsAnIOErrorNamingTheOffset() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            let archive = try packBytes(TreeScanner.scan(root: root))
            let path = tmp.path("archive.tar")
            try writeBytes(path, Array(archive[..<2048]))
            do {
                _ = try SafeExtractor(destination: tmp.path("out"), limits: ExtractionLimits())
                    .extract(growingArchiveAt: path, length: Int64(archive.count)) { _ in Int64(archive.count) }
                Issue.record("a truncated file was extracted")
            } catch let error as ArchiveError {
                #expect(error.description.contains("ends at byte 2048"), "\(error)")
                #expect(error.description.contains(path), "\(error)")
            }
        }
    }
}
