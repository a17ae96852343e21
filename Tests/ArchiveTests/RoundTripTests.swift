import Foundation
import Testing
import TestSupport

@testable import Archive

@Suite struct RoundTripTests {
    @Test(arguments: [.none, .gzip(level: 1), .gzip(level: 6), .gzip(level: 9), .zstd(level: 1), .zstd(level: 19)] as [ArchiveCompression])
    func extractorRestoresTheTree(compression: ArchiveCompression) throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            let manifest = try TreeScanner.scan(root: root)
            let archive = try packBytes(manifest, compression: compression)

            let summary = try SafeExtractor(destination: tmp.path("out"), limits: ExtractionLimits()).extract(bytes: archive)
            expectSameTree(try snapshot(root), try snapshot(tmp.path("out")))
            #expect(summary.files == manifest.fileCount)
            #expect(summary.directories == manifest.directoryCount)
            #expect(summary.symlinks == manifest.symlinkCount)
            #expect(summary.bytes == manifest.payloadBytes)
        }
    }

    @Test func extractFromFileIntoExistingEmptyDirectory() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            try writeBytes(tmp.path("a.tar.gz"), packBytes(TreeScanner.scan(root: root), compression: .gzip(level: 1)))
            try makeDirectory(tmp.path("out"))
            _ = try SafeExtractor(destination: tmp.path("out"), limits: ExtractionLimits()).extract(archiveAt: tmp.path("a.tar.gz"))
            expectSameTree(try snapshot(root), try snapshot(tmp.path("out")))
        }
    }

    @Test func readOnlyDirectoriesAndSetuidBits() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try writeFile(root + "/locked/inside.txt", "x")
            try writeFile(root + "/tool", "#!/bin/sh\n", mode: 0o4755)
            chmod(root + "/locked", 0o555)
            let archive = try packBytes(TreeScanner.scan(root: root))

            _ = try SafeExtractor(destination: tmp.path("masked"), limits: ExtractionLimits()).extract(bytes: archive)
            let masked = try snapshot(tmp.path("masked"))
            #expect(masked["tool"]?.mode == 0o755)
            #expect(masked["locked"]?.mode == 0o555)
            #expect(masked["locked/inside.txt"]?.contents == Array("x".utf8))

            let allowed = ExtractionLimits(allowSetuid: true)
            _ = try SafeExtractor(destination: tmp.path("kept"), limits: allowed).extract(bytes: archive)
            #expect(try snapshot(tmp.path("kept"))["tool"]?.mode == 0o4755)
        }
    }
}
