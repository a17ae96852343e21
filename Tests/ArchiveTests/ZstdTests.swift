import Foundation
import Testing
import TestSupport

@testable import Archive

@Suite struct ZstdTests {
    private func compressed(_ input: [UInt8], level: Int = 3) throws -> [UInt8] {
        try encoded(input, by: ZstdCompressor(level: level))
    }

    private func decompress(_ bytes: [UInt8], chunk: Int? = nil, limit: Int64 = 1 << 30) throws -> [UInt8] {
        try decoded(bytes, by: ZstdDecompressor(maxOutputBytes: limit), chunk: chunk)
    }

    private var sample: [UInt8] {
        SplitMix64.bytes(count: 50_000, seed: 1) + Array(String(repeating: "compressible text line\n", count: 4000).utf8)
    }

    @Test func theSameInputAndLevelGiveTheSameBytesAndTheyRoundTrip() throws {
        let input = sample
        let first = try compressed(input)
        #expect(try compressed(input) == first)
        #expect(first.count < input.count * 2 / 3)
        #expect(Array(first.prefix(4)) == [0x28, 0xb5, 0x2f, 0xfd])
        #expect(try decompress(first, chunk: 1) == input)
        #expect(try decompress(first, chunk: 4096) == input)
        for level in [1, 19] {
            #expect(try decompress(compressed(input, level: level)) == input)
        }
        #expect(try decompress(compressed([])) == [])
    }

    @Test func concatenatedAndSkippableFramesReadAsOneStream() throws {
        // A skippable frame (RFC 8878, 3.1.2): magic 0x184D2A50, a 4-byte length, that many bytes.
        let skippable: [UInt8] = [0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]
        let joined = try compressed(Array("first ".utf8)) + skippable + compressed(Array("second".utf8))
        #expect(try decompress(joined, chunk: 5) == Array("first second".utf8))
    }

    @Test func aBombATruncationAndGarbageAreRefused() throws {
        let zeros = try compressed([UInt8](repeating: 0, count: 10 << 20))
        #expect(throws: ArchiveError.self) { try decompress(zeros, limit: 1 << 20) }
        let whole = try compressed(sample)
        #expect(throws: ArchiveError.self) { try decompress(Array(whole.prefix(whole.count - 10))) }
        #expect(throws: ArchiveError.self) { try decompress([0x28, 0xb5, 0x2f, 0xfd] + Array(repeating: 0xAB, count: 100)) }
        #expect(throws: ArchiveError.self) { try ZstdCompressor(level: 0) }
        #expect(throws: ArchiveError.self) { try ZstdCompressor(level: 23) }
    }

    @Test func gnuTarReadsOurArchiveAndWeReadItsOwn() async throws {
        try await withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            let ours = tmp.path("ours.tar.zst")
            try writeBytes(ours, packBytes(TreeScanner.scan(root: root), compression: .zstd(level: 3)))
            try makeDirectory(tmp.path("gnu"))
            let extract = try await ProcessRunner.run("tar", ["--zstd", "-xpf", ours, "-C", tmp.path("gnu")])
            #expect(extract.status == 0, "\(extract.stderr)")
            expectSameTree(try snapshot(root), try snapshot(tmp.path("gnu")))

            let theirs = tmp.path("theirs.tar.zst")
            let create = try await ProcessRunner.run("tar", ["--zstd", "--format=pax", "-cf", theirs, "-C", root, "."])
            #expect(create.status == 0, "\(create.stderr)")
            _ = try SafeExtractor(destination: tmp.path("out"), limits: ExtractionLimits()).extract(archiveAt: theirs)
            expectSameTree(try snapshot(root), try snapshot(tmp.path("out")))
        }
    }
}
