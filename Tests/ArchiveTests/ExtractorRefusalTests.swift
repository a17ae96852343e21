import Foundation
import Testing
import TestSupport

@testable import Archive

/// Each hostile archive is refused with the entry's path and nothing lands outside.
@Suite struct ExtractorRefusalTests {
    private func expectRefused(
        _ archive: RawTar, code: ArchiveError.Code = .unsafeEntry, path: String?, mentioning text: String,
        limits: ExtractionLimits = ExtractionLimits(), gzip: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try withTemporaryDirectory { tmp in
            let bytes = gzip ? try gzipped(archive.bytes) : archive.bytes
            try makeDirectory(tmp.path("dest"))
            let extractor = SafeExtractor(destination: tmp.path("dest/out"), limits: limits)
            let error = try #require(throws: ArchiveError.self, sourceLocation: sourceLocation) {
                try extractor.extract(bytes: bytes)
            }
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
            if let path { #expect(error.description.contains(path), sourceLocation: sourceLocation) }
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
            // Nothing may appear beside the destination.
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("dest")) == ["out"], sourceLocation: sourceLocation)
        }
    }

    @Test func absolutePath() throws {
        var tar = RawTar()
        tar.file("/tmp/evil", "x")
        tar.end()
        try expectRefused(tar, path: "/tmp/evil", mentioning: "absolute")
    }

    @Test func dotDotComponent() throws {
        var tar = RawTar()
        tar.file("ok.txt", "fine")
        tar.file("sub/../../evil", "x")
        tar.end()
        try expectRefused(tar, path: "sub/../../evil", mentioning: "'..'")
    }

    @Test func dotDotInPaxPath() throws {
        var tar = RawTar()
        tar.pax([("path", "../evil")])
        tar.file("innocent", "x")
        tar.end()
        try expectRefused(tar, path: "../evil", mentioning: "'..'")
    }

    @Test func symlinkPointingOutside() throws {
        for target in ["/etc", "../..", "a/../../x"] {
            var tar = RawTar()
            tar.header("link", typeflag: "2", linkname: target)
            tar.end()
            try expectRefused(tar, path: "link", mentioning: "symlink target '\(target)'")
        }
    }

    @Test func overlongSymlinkTarget() throws {
        var tar = RawTar()
        tar.pax([("linkpath", String(repeating: "a/", count: 3000))])
        tar.header("link", typeflag: "2", linkname: "a")
        tar.end()
        try expectRefused(tar, path: "link", mentioning: "longer than 4095 bytes")
    }

    @Test func writeThroughAnExtractedSymlink() throws {
        // Even a symlink pointing inside may not be used as a path to write through.
        var tar = RawTar()
        tar.header("real", typeflag: "5", mode: 0o755)
        tar.header("alias", typeflag: "2", linkname: "real")
        tar.file("alias/payload", "x")
        tar.end()
        try expectRefused(tar, path: "alias/payload", mentioning: "through the symlink 'alias'")
    }

    @Test func symlinkThatEscapesThroughALaterSymlink() throws {
        // "up" looks contained until "here" -> "." appears: up -> here/.. is then the parent.
        var tar = RawTar()
        tar.header("up", typeflag: "2", linkname: "here/..")
        tar.header("here", typeflag: "2", linkname: ".")
        tar.end()
        try expectRefused(tar, path: "up", mentioning: "points outside")
    }

    @Test func hardLinkEscapeAndMissingTarget() throws {
        var escape = RawTar()
        escape.header("h", typeflag: "1", linkname: "../../etc/passwd")
        escape.end()
        try expectRefused(escape, path: "h", mentioning: "'..'")

        var absolute = RawTar()
        absolute.header("h", typeflag: "1", linkname: "/etc/passwd")
        absolute.end()
        try expectRefused(absolute, path: "h", mentioning: "absolute")

        var missing = RawTar()
        missing.header("h", typeflag: "1", linkname: "later")
        missing.file("later", "x")
        missing.end()
        try expectRefused(missing, path: "h", mentioning: "not a regular file extracted earlier")

        var viaSymlink = RawTar()
        viaSymlink.file("dir/file", "x")
        viaSymlink.header("s", typeflag: "2", linkname: "dir")
        viaSymlink.header("h", typeflag: "1", linkname: "s/file")
        viaSymlink.end()
        try expectRefused(viaSymlink, path: "h", mentioning: "not a regular file extracted earlier")
    }

    @Test(arguments: [("3", "character device"), ("4", "block device"), ("6", "FIFO")])
    func deviceAndFifoEntries(typeflag: String, words: String) throws {
        var tar = RawTar()
        tar.header("dev/thing", typeflag: Character(typeflag))
        tar.end()
        try expectRefused(tar, path: "dev/thing", mentioning: words)
    }

    @Test func duplicateEntry() throws {
        var tar = RawTar()
        tar.file("twice", "a")
        tar.file("twice", "b")
        tar.end()
        try expectRefused(tar, path: "twice", mentioning: "twice")
    }

    @Test func gzipBombOverTheLimit() throws {
        // A tiny valid tar followed by 40 MiB of zeros: harmless for tar, but the
        // decompressed stream passes the limit.
        var bomb = RawTar()
        bomb.file("small", "x")
        bomb.end()
        bomb.bytes += [UInt8](repeating: 0, count: 40 << 20)
        try expectRefused(
            bomb, code: .limitExceeded, path: nil, mentioning: "decompression bomb",
            limits: ExtractionLimits(maxBytes: 8 << 20), gzip: true)
        // The ratio cap catches it even with a generous byte limit.
        try expectRefused(
            bomb, code: .limitExceeded, path: nil, mentioning: "100:1",
            limits: ExtractionLimits(maxBytes: 1 << 30, maxCompressionRatio: 100), gzip: true)

        // An entry declaring more than the limit is refused from its header alone.
        var big = RawTar()
        big.header("zeros", size: 40 << 20)
        big.data([UInt8](repeating: 0, count: 40 << 20))
        big.end()
        try expectRefused(big, code: .limitExceeded, path: "zeros", mentioning: "limit", limits: ExtractionLimits(maxBytes: 8 << 20))
        try expectRefused(
            big, code: .limitExceeded, path: "zeros", mentioning: "limit", limits: ExtractionLimits(maxBytes: 8 << 20), gzip: true)
    }

    @Test func tooManyEntries() throws {
        var tar = RawTar()
        for index in 0..<5 { tar.file("f\(index)", "x") }
        tar.end()
        try expectRefused(tar, code: .limitExceeded, path: "f3", mentioning: "more than 3 entries", limits: ExtractionLimits(maxEntries: 3))
    }

    @Test func corruptChecksum() throws {
        var tar = RawTar()
        tar.file("good", "x")
        tar.header("bad", size: 0, corruptChecksum: true)
        tar.end()
        try expectRefused(tar, code: .malformedArchive, path: "bad", mentioning: "checksum mismatch")
    }

    @Test func truncatedArchive() throws {
        var tar = RawTar()
        tar.header("cut-short", size: 5000)
        tar.data([UInt8](repeating: 65, count: 5000))
        tar.end()
        tar.bytes.removeLast(1024 + 3000)
        try expectRefused(tar, code: .malformedArchive, path: "cut-short", mentioning: "truncated")

        var noEnd = RawTar()
        noEnd.file("a", "x")
        try expectRefused(noEnd, code: .malformedArchive, path: nil, mentioning: "end-of-archive marker")
    }

    @Test func oversizedPaxHeader() throws {
        var tar = RawTar()
        tar.header("PaxHeaders/big", typeflag: "x", size: 2 << 20)
        tar.data([UInt8](repeating: 0x31, count: 2 << 20))
        tar.end()
        try expectRefused(tar, code: .limitExceeded, path: nil, mentioning: "extended header")
    }

    @Test func notATar() throws {
        var tar = RawTar()
        tar.header("file", magic: "nope!\u{0}00")
        tar.end()
        try expectRefused(tar, code: .malformedArchive, path: nil, mentioning: "magic")
    }

    @Test func nonEmptyDestination() throws {
        try withTemporaryDirectory { tmp in
            try writeFile(tmp.path("dest/existing"), "x")
            var tar = RawTar()
            tar.file("a", "b")
            tar.end()
            let error = try #require(throws: ArchiveError.self) {
                try SafeExtractor(destination: tmp.path("dest"), limits: ExtractionLimits()).extract(bytes: tar.bytes)
            }
            #expect(error.code == .destinationNotEmpty)
            #expect(error.path == tmp.path("dest"))
        }
    }
}

func gzipped(_ bytes: [UInt8], level: Int = 6) throws -> [UInt8] {
    try encoded(bytes, by: GzipCompressor(level: level))
}

/// `bytes` through `compressor`, finished.
func encoded(_ bytes: [UInt8], by compressor: some StreamCompressor) throws -> [UInt8] {
    var output: [UInt8] = []
    try bytes.withUnsafeBytes { try compressor.compress($0) { output += $0 } }
    try compressor.finish { output += $0 }
    return output
}
