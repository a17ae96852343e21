import Foundation
import Testing

@testable import Archive

@Suite struct RoundTripTests {
    @Test(arguments: [nil, 1, 6, 9] as [Int?])
    func extractorRestoresTheTree(gzipLevel: Int?) throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.sub("tree")
            try makeSampleTree(at: root)
            let manifest = try TreeScanner.scan(root: root)
            let archive = try packBytes(manifest, gzipLevel: gzipLevel)

            let summary = try SafeExtractor(destination: tmp.sub("out"), limits: ExtractionLimits()).extract(bytes: archive)
            expectSameTree(try snapshot(root), try snapshot(tmp.sub("out")))
            #expect(summary.files == manifest.fileCount)
            #expect(summary.directories == manifest.directoryCount)
            #expect(summary.symlinks == manifest.symlinkCount)
            #expect(summary.bytes == manifest.payloadBytes)
        }
    }

    @Test func extractFromFileIntoExistingEmptyDirectory() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.sub("tree")
            try makeSampleTree(at: root)
            try writeBytes(tmp.sub("a.tar.gz"), packBytes(TreeScanner.scan(root: root), gzipLevel: 1))
            try makeDirectory(tmp.sub("out"))
            _ = try SafeExtractor(destination: tmp.sub("out"), limits: ExtractionLimits()).extract(archiveAt: tmp.sub("a.tar.gz"))
            expectSameTree(try snapshot(root), try snapshot(tmp.sub("out")))
        }
    }

    @Test func readOnlyDirectoriesAndSetuidBits() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.sub("tree")
            try writeFile(root + "/locked/inside.txt", "x")
            try writeFile(root + "/tool", "#!/bin/sh\n", mode: 0o4755)
            chmod(root + "/locked", 0o555)
            let archive = try packBytes(TreeScanner.scan(root: root))

            _ = try SafeExtractor(destination: tmp.sub("masked"), limits: ExtractionLimits()).extract(bytes: archive)
            let masked = try snapshot(tmp.sub("masked"))
            #expect(masked["tool"]?.mode == 0o755)
            #expect(masked["locked"]?.mode == 0o555)
            #expect(masked["locked/inside.txt"]?.contents == Array("x".utf8))

            let allowed = ExtractionLimits(allowSetuid: true)
            _ = try SafeExtractor(destination: tmp.sub("kept"), limits: allowed).extract(bytes: archive)
            #expect(try snapshot(tmp.sub("kept"))["tool"]?.mode == 0o4755)
        }
    }
}
